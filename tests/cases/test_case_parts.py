"""A case part's assignee sees that part only (page, print, export), and only while cleared with an active role."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sanshe.cases.models import CaseAssignment
from sanshe.cases.services import case_assign, case_followup_add, case_intake_save, case_open
from sanshe.core.errors import ObjectNotFound
from tests.factories import Role

from .conftest import NOW

pytestmark = pytest.mark.django_db

MEDICAL, PSYCHOLOGICAL, OTHER = "服用降压药后头晕加重", "抑郁量表高分需心理随访", "代购生活物资已送达"


@pytest.fixture
def case(world, social_worker):
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_intake_save(actor=social_worker, case_id=case.pk, demand_medical="需要配药说明",
                     demand_psychological="夜间失眠焦虑", demand_other="需要买菜")
    for domain, content in (("medical", MEDICAL), ("psychological", PSYCHOLOGICAL), ("other", OTHER)):
        case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain=domain, content=content,
                          responsible_name="社工", now=NOW)
    return case


@pytest.fixture
def local_secretary(world, secretary):
    secretary.memberships.get(role=Role.GENERAL_VOLUNTEER).communities.add(world.home)
    return secretary


@pytest.fixture
def assigned_secretary(case, social_worker, local_secretary):
    case_assign(actor=social_worker, case_id=case.pk, part="other", assignee_id=local_secretary.pk, note="代购")
    return local_secretary


def _export_text(response) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)


def test_other_part_assignee_sees_neither_medical_nor_psychological_follow_ups(client, case, assigned_secretary):
    client.force_login(assigned_secretary)
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert OTHER in html and "需要买菜" in html
    for hidden in (MEDICAL, PSYCHOLOGICAL, "需要配药说明", "夜间失眠焦虑"):
        assert hidden not in html
    printed = client.get(reverse("cases:case_print", args=[case.pk])).content.decode()
    assert OTHER in printed and MEDICAL not in printed and PSYCHOLOGICAL not in printed
    exported = client.get(reverse("cases:case_export", args=[case.pk]))
    assert exported.status_code == 200
    text = _export_text(exported)
    assert OTHER in text and MEDICAL not in text and PSYCHOLOGICAL not in text


def test_the_responsible_social_worker_still_sees_every_part(client, case, assigned_secretary, social_worker):
    client.force_login(social_worker)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert all(text in html for text in (MEDICAL, PSYCHOLOGICAL, OTHER, "夜间失眠焦虑"))
    text = _export_text(client.get(reverse("cases:case_export", args=[case.pk])))
    assert all(t in text for t in (MEDICAL, PSYCHOLOGICAL, OTHER))


def test_an_assignee_writes_and_completes_follow_ups_in_their_part_only(case, assigned_secretary):
    with pytest.raises(ValidationError) as error:
        case_followup_add(actor=assigned_secretary, case_id=case.pk, date=NOW.date(), domain="medical",
                          content="测过体温", responsible_name="秘书", now=NOW)
    assert "domain" in error.value.message_dict
    case_followup_add(actor=assigned_secretary, case_id=case.pk, date=NOW.date(), domain="other",
                      content="再次送菜上门", responsible_name="秘书", now=NOW)
    from sanshe.cases.services import case_followup_done

    medical = case.followups.get(domain="medical")
    with pytest.raises(ObjectNotFound):
        case_followup_done(actor=assigned_secretary, followup_id=medical.pk)


def test_an_assignee_whose_clearance_lapsed_gets_404(client, case, assigned_secretary):
    from sanshe.volunteers.models import AgreementSignature

    AgreementSignature.objects.filter(user=assigned_secretary).delete()  # e.g. a new agreement to sign
    client.force_login(assigned_secretary)
    for name in ("cases:case_detail", "cases:case_print", "cases:case_export"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404, name


def test_an_assignee_whose_role_was_deactivated_gets_404(client, case, assigned_secretary):
    assigned_secretary.memberships.filter(role=Role.GENERAL_VOLUNTEER).update(is_active=False)
    client.force_login(assigned_secretary)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404


def test_an_uncleared_volunteer_gets_404_and_cannot_be_assigned(client, case, social_worker, world):
    from tests.factories import UserFactory, grant

    uncleared = UserFactory(username="uncleared_secretary")
    grant(uncleared, world.org, Role.GENERAL_VOLUNTEER, communities=[world.home])
    with pytest.raises(ValidationError) as error:
        case_assign(actor=social_worker, case_id=case.pk, part="other", assignee_id=uncleared.pk)
    assert "assignee" in error.value.message_dict
    # An assignment made before the clearance rule (or before it lapsed) opens nothing.
    CaseAssignment.objects.create(case=case, part="other", assignee=uncleared, assigned_by=social_worker)
    client.force_login(uncleared)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_export", args=[case.pk])).status_code == 404
