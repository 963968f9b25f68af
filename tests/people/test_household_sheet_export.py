"""Household sheet export: masked by default; unmasked needs the permission, a reason and leaves an audit entry;
formulas typed into names or addresses cannot run in Excel."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from sanshe.core.errors import ActionForbidden
from sanshe.core.models import AuditEvent
from sanshe.core.spreadsheets import safe_text
from sanshe.people.household_sheet_services import household_sheet_export
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def rows_of(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def download(client, data: dict) -> bytes:
    response = client.post(reverse("people:household_sheet_export"), data)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_export_is_masked_by_default(client, world, community_worker):
    client.force_login(community_worker)
    sheet = sheet_of(download(client, {"community": world.home.pk}))
    rows = rows_of(sheet)
    # Beside a masked ID only the birth year: the full date is the masked part of the ID.
    assert rows[0][:6] == ["姓名", "性别", "出生年份", "证件类型", "证件号码", "手机号"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张伟", "王芳", "李娜"}  # the away community's 刘洋 is not there
    wang = by_name["王芳"]
    assert wang[2] == 1949 and wang[4] == "110105********002X"
    assert wang[5] == f"{world.spouse.phone[:3]}****{world.spouse.phone[-4:]}"
    text = str(rows)
    assert world.spouse.doc_number not in text and world.spouse.phone not in text
    event = AuditEvent.objects.get(action="household_sheet.export")
    assert event.actor == community_worker
    assert event.detail["count"] == 3 and event.detail["unmasked"] is False


def test_a_community_worker_cannot_export_unmasked(world, community_worker):
    with pytest.raises(ActionForbidden):
        household_sheet_export(actor=community_worker, unmasked=True, reason="报送街道核酸名单")


def test_the_page_does_not_offer_unmasked_export_to_a_community_worker(client, world, community_worker):
    client.force_login(community_worker)
    page = client.get(reverse("people:household_sheet_export")).content.decode()
    assert 'name="unmasked"' not in page
    # A forged field is ignored: the export stays masked.
    sheet = sheet_of(download(client, {"community": world.home.pk, "unmasked": "on", "reason": "想看看完整号码"}))
    assert world.spouse.doc_number not in str(rows_of(sheet))


def test_unmasked_export_needs_a_reason(client, world, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("people:household_sheet_export"), {"community": world.home.pk, "unmasked": "on",
                                                             "reason": ""})
    assert response.status_code == 200
    assert "须填写事由" in response.content.decode()
    assert not AuditEvent.objects.filter(action="household_sheet.export").exists()
    for reason in ("看看", "    "):
        with pytest.raises(ValidationError):
            household_sheet_export(actor=org_admin, unmasked=True, reason=reason)


def test_unmasked_export_by_an_org_admin_with_reason_is_audited(client, world, org_admin):
    client.force_login(org_admin)
    sheet = sheet_of(download(client, {"community": world.home.pk, "unmasked": "on",
                                       "reason": "报送街道防控指挥部核酸检测名单"}))
    rows = rows_of(sheet)
    text = str(rows)
    assert world.spouse.doc_number in text and world.spouse.phone in text
    assert rows[0][2] == "出生日期" and "1949-12-31" in text  # the full date beside the full ID
    event = AuditEvent.objects.get(action="household_sheet.export")
    assert event.reason == "报送街道防控指挥部核酸检测名单"
    assert event.detail["unmasked"] is True and event.detail["count"] == 3
    assert world.spouse.doc_number not in str(event.detail)


def test_filters_by_building_and_category(client, world, community_worker):
    PersonFactory(household=world.household, name="隔离者", category="home_quarantine")
    client.force_login(community_worker)
    rows = rows_of(sheet_of(download(client, {"community": world.home.pk, "building": world.building.pk})))
    assert sorted(r[0] for r in rows[1:]) == ["张伟", "王芳", "隔离者"]
    rows = rows_of(sheet_of(download(client, {"category": "home_quarantine"})))
    assert [r[0] for r in rows[1:]] == ["隔离者"]
    assert rows[1][12] == "居家隔离人员"


def test_nothing_to_export_is_said_plainly(client, world, community_worker):
    client.force_login(community_worker)
    response = client.post(reverse("people:household_sheet_export"), {"category": "suspected"})
    assert response.status_code == 200
    assert "没有符合条件的人员" in response.content.decode()


def test_formula_injection_is_neutralised(client, world, org_admin):
    PersonFactory(household=world.household, name="=HYPERLINK(\"http://evil.example\",\"点我\")",
                  address="+1+cmd|' /C calc'!A0")
    PersonFactory(household=world.household, name="@SUM(1+1)", address="-2+3")
    client.force_login(org_admin)
    sheet = sheet_of(download(client, {"community": world.home.pk, "unmasked": "on", "reason": "核对地址格式"}))
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in values
    assert "'+1+cmd|' /C calc'!A0" in values and "'@SUM(1+1)" in values and "'-2+3" in values


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+86", "'+86"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("张三", "张三"), ("", ""), (None, None), (12, 12),
])
def test_safe_text(value, expected):
    assert safe_text(value) == expected


def test_a_building_steward_exports_only_their_building(client, world, building_steward):
    client.force_login(building_steward)
    rows = rows_of(sheet_of(download(client, {})))
    assert sorted(r[0] for r in rows[1:]) == ["张伟", "王芳"]


def test_the_export_form_narrows_compounds_and_buildings_with_htmx(client, world, org_admin):
    client.force_login(org_admin)
    response = client.get(reverse("people:household_sheet_export"), {"community": world.home.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="export-places"' in body and "<html" not in body
    assert world.compound.name in body and world.away_household.compound.name not in body
