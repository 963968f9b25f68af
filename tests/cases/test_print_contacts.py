"""Issue 12 item 13: tool 5 printed with the client's and the emergency contact's full phone numbers — only for
whoever may reveal the client's numbers in people, only with a written reason, and audited. Everyone else keeps
the masked print, and a forged request is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.cases.models import CaseAssignment
from sanshe.cases.services import case_intake_save, case_open
from sanshe.core.models import AuditEvent, AuditOutcome
from tests.factories import Role

from .conftest import NOW

pytestmark = pytest.mark.django_db

CLIENT_PHONE, CONTACT_PHONE = "13812345678", "13907151234"
REASON = "明天上门探访，需要电话联系家属"


@pytest.fixture
def case(world, social_worker):
    world.head.phone = CLIENT_PHONE
    world.head.save()
    case = case_open(actor=social_worker, person_id=world.head.pk, now=NOW)
    case_intake_save(actor=social_worker, case_id=case.pk, emergency_contact_name="张敏",
                     emergency_contact_phone=CONTACT_PHONE, demand_other="需要买菜")
    return case


@pytest.fixture
def assigned_secretary(world, case, social_worker, secretary):
    """A part holder: sees the case and its print, but may not reveal the client's numbers."""
    from sanshe.cases.services import case_assign

    secretary.memberships.get(role=Role.GENERAL_VOLUNTEER).communities.add(world.home)
    case_assign(actor=social_worker, case_id=case.pk, part="other", assignee_id=secretary.pk, note="代购")
    return secretary


def _print_contacts(client, case, reason: str):
    return client.post(reverse("cases:case_print_contacts", args=[case.pk]), {"reason": reason})


def _audits(case):
    return AuditEvent.objects.filter(action="case.print_contacts", object_id=str(case.pk))


def test_a_social_worker_prints_the_full_phones_with_a_reason_and_it_is_audited(client, case, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_print_contacts", args=[case.pk]) in page and "打印事由" in page

    response = _print_contacts(client, case, REASON)
    assert response.status_code == 200
    html = response.content.decode()
    assert CLIENT_PHONE in html and CONTACT_PHONE in html and "张敏" in html
    assert "本表含完整联系电话" in html
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    (event,) = _audits(case)
    assert event.actor == social_worker and event.outcome == AuditOutcome.SUCCESS and event.reason == REASON
    assert sorted(event.detail["fields"]) == ["client_phone", "emergency_contact_phone"]
    assert CLIENT_PHONE not in str(event.detail) and CONTACT_PHONE not in str(event.detail)
    # No ID number on the print at all, full or masked (sanshe.core.pii: a full ID only beside the people reveal).
    if case.person.doc_number:
        assert case.person.doc_number not in html and case.person.doc_number[-4:] not in html


def test_the_ordinary_print_stays_masked_and_writes_no_reveal(client, case, social_worker):
    client.force_login(social_worker)
    html = client.get(reverse("cases:case_print", args=[case.pk])).content.decode()
    assert "138****5678" in html and "139****1234" in html
    assert CLIENT_PHONE not in html and CONTACT_PHONE not in html
    assert not _audits(case).exists()


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_no_reason_prints_nothing_and_says_why_in_chinese(client, case, social_worker, reason):
    client.force_login(social_worker)
    response = _print_contacts(client, case, reason)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写打印事由（至少4个字）" in html
    assert CLIENT_PHONE not in html and CONTACT_PHONE not in html and "tool5" not in html
    assert not _audits(case).exists()


def test_a_part_holder_without_the_reveal_gets_the_masked_print_and_a_forged_request_is_refused(
        client, case, assigned_secretary):
    client.force_login(assigned_secretary)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_print_contacts", args=[case.pk]) not in page
    printed = client.get(reverse("cases:case_print", args=[case.pk])).content.decode()
    assert "138****5678" in printed and CLIENT_PHONE not in printed and CONTACT_PHONE not in printed

    response = _print_contacts(client, case, REASON)
    assert response.status_code == 403
    html = response.content.decode()
    assert CLIENT_PHONE not in html and CONTACT_PHONE not in html
    assert not _audits(case).exists()
    assert AuditEvent.objects.filter(actor=assigned_secretary, action="access.denied").exists()


def test_a_social_worker_of_another_community_gets_404(client, case, world):
    from tests.factories import UserFactory, grant

    away = UserFactory(username="away_sw_print")
    grant(away, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    client.force_login(away)
    assert _print_contacts(client, case, REASON).status_code == 404
    assert not _audits(case).exists()


def test_an_ended_assignment_opens_no_contacts_print(client, case, assigned_secretary):
    CaseAssignment.objects.filter(assignee=assigned_secretary).update(ended_at=NOW)
    client.force_login(assigned_secretary)
    assert _print_contacts(client, case, REASON).status_code == 404
    assert not _audits(case).exists()
