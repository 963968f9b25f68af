"""A masked ID stays masked whatever is shown beside it (sanshe.core.pii, the masking rule).

The resident ID mask hides exactly the eight birth-date digits; a full birth date anywhere beside it
gives the whole number back. Every place that shows a person with a masked ID — the masked household sheet
export, the person page, the edit form, the admin, the API — is read whole here, and the test tries to
rebuild the full ID from every masked ID and every date-like string it finds.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sanshe.core.models import AuditEvent
from sanshe.core.pii import mask_document, mask_phone
from sanshe.people.models import Person
from tests.api.conftest import ApiCaller
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SPOUSE_ID = "11010519491231002X"  # 王芳 in the `world` fixture: born 1949-12-31
MASKED_ID = re.compile(r"(\d{6})\*{8}(\d{3}[\dX])")
DATES = (
    re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\.(\d{1,2})\.(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)


def rebuilt_ids(text: str) -> set[str]:
    """Every full ID that a masked ID and a date found in `text`, put together, would give."""
    dates = {f"{y}{int(m):02d}{int(d):02d}" for pattern in DATES for y, m, d in pattern.findall(text)}
    return {f"{region}{born}{tail}" for region, tail in MASKED_ID.findall(text) for born in dates}


def assert_id_cannot_be_rebuilt(text: str, full_id: str = SPOUSE_ID) -> None:
    masked = mask_document(full_id)
    assert masked in text, "the masked ID should be shown (else this check proves nothing)"
    assert masked[6:14] == "*" * 8  # the mask hides the whole birth-date segment
    assert full_id not in text and full_id[6:14] not in text
    assert full_id not in rebuilt_ids(text)


def cell_text(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def test_the_rebuild_check_catches_a_full_birth_date():
    # The shapes a birth date was (or could be) written in beside the mask, on the original code.
    for shown in ("1949-12-31", "1949/12/31", "1949年12月31日", "19491231"):
        assert SPOUSE_ID in rebuilt_ids(f"110105********002X {shown}")
    assert SPOUSE_ID not in rebuilt_ids("110105********002X 1949年生 76岁")


def test_masked_household_sheet_export(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("people:household_sheet_export"), {"community": world.home.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell_text(c.value) for c in row] for row in sheet.iter_rows()]
    spouse = next(row for row in rows if row[0] == "王芳")
    assert_id_cannot_be_rebuilt(" ".join(spouse))
    assert_id_cannot_be_rebuilt(" ".join(" ".join(row) for row in rows))
    assert "1949" in spouse  # the year is enough where age matters


def test_person_page(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("people:person_detail", args=[world.spouse.pk])).content.decode()
    assert_id_cannot_be_rebuilt(page)
    assert "1949年生" in page


def test_edit_form(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("people:person_update", args=[world.spouse.pk])).content.decode()
    assert_id_cannot_be_rebuilt(page)
    assert 'name="birth_date"' not in page  # the ID is the date's only source
    assert "1949年生" in page


def test_admin_change_page(client, world, org_admin):
    org_admin.is_staff = True
    org_admin.save()
    client.force_login(org_admin)
    page = client.get(reverse("admin:people_person_change", args=[world.spouse.pk])).content.decode()
    assert_id_cannot_be_rebuilt(page)


def test_api_person_list_detail_and_household(world, community_worker):
    caller = ApiCaller(user=community_worker)
    for path in ("/people", f"/people/{world.spouse.pk}", f"/households/{world.household.pk}"):
        response = caller.get(path)
        assert response.status_code == 200, path
        assert_id_cannot_be_rebuilt(json.dumps(response.json(), ensure_ascii=False))
    # One rule everywhere: the birth year, never an age in full years (read on two days, it gives the birthday).
    row = next(r for r in caller.get("/people").json()["items"] if r["id"] == world.spouse.pk)
    assert row["birth_year"] == 1949 and "age" not in row


def test_household_page(client, world, community_worker):
    # No ID number on the household page: the year and the masked phone only.
    client.force_login(community_worker)
    page = client.get(reverse("places:household_detail", args=[world.household.pk])).content.decode()
    assert SPOUSE_ID not in rebuilt_ids(page) and "1949-12-31" not in page and world.spouse.phone not in page


# ---------------------------------------------------------------------------------- editing loses nothing


def _edit_post(world, person, **overrides) -> dict:
    data = {"name": person.name, "doc_type": person.doc_type, "doc_number": "", "sex": person.sex,
            "phone": "", "address": "", "compound": world.compound.pk, "building": world.building.pk,
            "unit": world.unit.pk, "household": person.household_id, "new_room": "", "relation": person.relation,
            "category": person.category, "population_level": "", "is_active": "on"}
    data.update(overrides)
    return data


def test_saving_the_edit_form_keeps_the_stored_birth_date(client, world, community_worker):
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[world.spouse.pk])
    response = client.post(url, _edit_post(world, world.spouse, needs_care="on"))
    assert response.status_code == 302
    world.spouse.refresh_from_db()
    assert world.spouse.birth_date == date(1949, 12, 31) and world.spouse.needs_care


def test_a_new_id_brings_its_own_birth_date(client, world, community_worker):
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[world.spouse.pk])
    response = client.post(url, _edit_post(world, world.spouse, doc_number="440524188001010014", sex="M"))
    assert response.status_code == 302
    world.spouse.refresh_from_db()
    assert world.spouse.birth_date == date(1880, 1, 1) and world.spouse.doc_number == "440524188001010014"
    event = AuditEvent.objects.filter(action="person.update").latest("pk")
    assert {"doc_number", "birth_date"} <= set(event.detail["fields"])


def test_without_an_id_the_date_starts_empty_blank_keeps_typed_replaces(client, world, community_worker):
    person = PersonFactory(household=world.household, name="约翰", doc_type="passport", doc_number="E12345678",
                           sex="M", birth_date=date(1980, 5, 17))
    client.force_login(community_worker)
    url = reverse("people:person_update", args=[person.pk])
    page = client.get(url).content.decode()
    assert 'name="birth_date"' in page and "1980-05-17" not in page and "1980年生" in page
    assert client.post(url, _edit_post(world, person)).status_code == 302
    person.refresh_from_db()
    assert person.birth_date == date(1980, 5, 17)
    assert client.post(url, _edit_post(world, person, birth_date="1981-06-18")).status_code == 302
    person.refresh_from_db()
    assert person.birth_date == date(1981, 6, 18)
    assert client.post(url, _edit_post(world, person, clear_birth_date="on")).status_code == 302
    person.refresh_from_db()
    assert person.birth_date is None


# ------------------------------------------------------------------------- no oracle for the hidden digits


def test_a_birth_date_sent_alone_is_refused_whatever_its_value(world, community_worker):
    """Right and wrong dates get the same answer: nobody can test dates against the masked ID."""
    caller = ApiCaller(user=community_worker)
    answers = [caller.patch(f"/people/{world.spouse.pk}", {"birth_date": born}).json()
               for born in ("1949-12-31", "1949-12-30")]
    assert answers[0] == answers[1]
    assert answers[0]["detail"][0]["field"] == "birth_date"
    assert "按身份证号推算" in answers[0]["detail"][0]["message"]
    world.spouse.refresh_from_db()
    assert world.spouse.birth_date == date(1949, 12, 31)


def test_the_api_follows_a_new_id_for_the_birth_date(world, community_worker):
    caller = ApiCaller(user=community_worker)
    response = caller.patch(f"/people/{world.spouse.pk}", {"doc_number": "440524188001010014", "sex": "M"})
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=world.spouse.pk).birth_date == date(1880, 1, 1)


def test_admin_refuses_a_birth_date_alone_for_a_resident_id(client, world, org_admin):
    org_admin.is_staff = True
    org_admin.save()
    client.force_login(org_admin)
    url = reverse("admin:people_person_change", args=[world.spouse.pk])
    base = {"name": "王芳", "sex": "F", "doc_type": "resident_id", "household": world.household.pk,
            "relation": "spouse", "category": "resident", "population_level": "", "is_active": "on",
            "new_doc_number": "", "new_phone": "", "new_address": ""}
    pages = [client.post(url, {**base, "new_birth_date": born}) for born in ("1949-12-31", "1949-12-30")]
    assert all(page.status_code == 200 for page in pages)
    assert all("按身份证号推算" in page.content.decode() for page in pages)
    assert client.post(url, {**base, "new_birth_date": ""}).status_code == 302
    world.spouse.refresh_from_db()
    assert world.spouse.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("phone,masked", [
    ("13812345678", "138****5678"), ("027-87654321", "********4321"), ("87654321", "******21"),
    ("1234567", "*****67"), ("12345", "****5"), ("12", "**"),
])
def test_a_phone_mask_never_shows_more_than_a_third_of_a_short_number(phone, masked):
    assert mask_phone(phone) == masked


# ------------------------------------------------------------------------------ the case pages of a person


@pytest.fixture
def spouse_case(world, social_worker):
    from sanshe.cases.services import case_intake_save, case_open

    case = case_open(actor=social_worker, person_id=world.spouse.pk)
    case_intake_save(actor=social_worker, case_id=case.pk, emergency_contact_name="张伟",
                     emergency_contact_phone="8765432")
    return case


def test_case_pages_and_export(client, world, social_worker, spouse_case):
    client.force_login(social_worker)
    page = client.get(reverse("cases:case_detail", args=[spouse_case.pk])).content.decode()
    assert_id_cannot_be_rebuilt(page)
    # A short (landline) emergency number keeps at most a third of its digits, like every masked phone.
    assert "*****32" in page and "8765432" not in page and "876*" not in page
    printed = client.get(reverse("cases:case_print", args=[spouse_case.pk])).content.decode()
    export = client.get(reverse("cases:case_export", args=[spouse_case.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content))
    cells = " ".join(cell_text(c.value) for ws in sheet.worksheets for row in ws.iter_rows() for c in row)
    for text in (printed, cells):
        assert SPOUSE_ID not in text and SPOUSE_ID not in rebuilt_ids(text) and "1949-12-31" not in text
        assert "1949年生" in text  # the guide's 年龄 cell: the birth year, not an age in full years


def test_the_full_birth_date_comes_only_through_the_audited_reveal(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("people:person_detail", args=[world.spouse.pk])).content.decode()
    assert "1949年**月**日" in page
    url = reverse("people:person_reveal", args=[world.spouse.pk, "birth_date"])
    refused = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "1949-12-31" not in refused and not AuditEvent.objects.filter(action="person.reveal").exists()
    shown = client.post(url, {"reason": "核对出生日期录入"}, HTTP_HX_REQUEST="true").content.decode()
    assert "1949-12-31" in shown
    event = AuditEvent.objects.get(action="person.reveal")
    assert event.reason == "核对出生日期录入" and event.detail == {"field": "birth_date"}
    api = ApiCaller(user=community_worker).post(f"/people/{world.spouse.pk}/reveal",
                                                {"field": "birth_date", "reason": "核对出生日期录入"})
    assert api.json()["value"] == "1949-12-31" and api["Cache-Control"] == "no-store"
