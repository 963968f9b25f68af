"""The audit log page: organisation admins only, scoped, filtered, paged; permission denials are recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"


def events(response) -> list[AuditEvent]:
    return [event for event, _label in response.context["page"].events]


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(AUDIT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["social_worker", "community_worker", "secretary", "resident", "outsider"])
def test_other_roles_get_403(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(AUDIT).status_code == 403


def test_org_admin_sees_only_their_organisation(client, world, org_admin, social_worker, outsider):
    audit_record(actor=social_worker, action="person.reveal", obj=world.head, reason="电话回访居家隔离人员")
    audit_record(actor=outsider, action="person.reveal", obj=world.stranger, reason="外区的查看")
    client.force_login(org_admin)
    response = client.get(AUDIT)
    page = response.content.decode()
    assert "电话回访居家隔离人员" in page and "外区的查看" not in page
    assert "查看完整证件号/手机号/地址" in page


def test_filters_by_actor_action_outcome_and_dates(client, world, org_admin, social_worker, community_worker):
    audit_record(actor=social_worker, action="person.reveal", obj=world.head, reason="一")
    audit_record(actor=community_worker, action="person.update", obj=world.head)
    audit_record(actor=community_worker, action="access.denied", outcome=AuditOutcome.DENIED)
    client.force_login(org_admin)
    assert {e.action for e in events(client.get(AUDIT, {"actor": "social_worker"}))} == {"person.reveal"}
    assert {e.actor_label for e in events(client.get(AUDIT, {"action": "person."}))} == {
        "social_worker", "community_worker"}
    assert [e.action for e in events(client.get(AUDIT, {"action": "person.update"}))] == ["person.update"]
    assert [e.action for e in events(client.get(AUDIT, {"outcome": "denied"}))] == ["access.denied"]
    today = timezone.localdate()
    assert len(events(client.get(AUDIT, {"date_from": today.isoformat(), "date_to": today.isoformat()}))) >= 3
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert events(client.get(AUDIT, {"date_from": tomorrow})) == []


def test_reversed_dates_are_explained(client, world, org_admin):
    client.force_login(org_admin)
    today = timezone.localdate()
    response = client.get(AUDIT, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()})
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_pages_walk_the_whole_log_newest_first(client, world, org_admin, social_worker):
    for n in range(120):
        audit_record(actor=social_worker, action="person.update", obj=world.head, detail={"n": n})
    client.force_login(org_admin)
    seen, url = [], f"{AUDIT}?action=person.update"
    while url:
        response = client.get(url)
        seen += [event.detail["n"] for event in events(response)]
        url = response.context["older_url"]
    assert seen == list(range(119, -1, -1))
    # And back again from the second page.
    first = client.get(f"{AUDIT}?action=person.update")
    second = client.get(first.context["older_url"])
    assert [e.pk for e in events(client.get(second.context["newer_url"]))] == [e.pk for e in events(first)]


def test_audit_page_queries_do_not_grow(client, world, org_admin, social_worker):
    client.force_login(org_admin)
    audit_record(actor=social_worker, action="person.update", obj=world.head)
    # The same kinds of object on both pages (each kind is named with one query): only this actor's events.
    client.get(AUDIT, {"actor": "social_worker"})
    with CaptureQueriesContext(connection) as few:
        client.get(AUDIT, {"actor": "social_worker"})
    for _ in range(60):
        audit_record(actor=social_worker, action="person.update", obj=world.head)
    with CaptureQueriesContext(connection) as many:
        client.get(AUDIT, {"actor": "social_worker"})
    assert len(many) == len(few)


def test_a_403_writes_an_access_denied_event(client, world, secretary, org_admin):
    client.force_login(secretary)
    assert client.get(reverse("people:person_detail", args=[world.head.pk])).status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.outcome == AuditOutcome.DENIED and event.actor == secretary
    assert event.detail["path"] == reverse("people:person_detail", args=[world.head.pk])
    assert event.detail["capability"] == "people.view"
    assert event.organisation_id == world.org.pk
    # The organisation's admin finds it on the audit page.
    client.force_login(org_admin)
    assert "越权访问被拒绝" in client.get(AUDIT, {"outcome": "denied"}).content.decode()


def test_404s_are_not_recorded_as_denials(client, world, outsider):
    client.force_login(outsider)
    assert client.get(reverse("people:person_detail", args=[world.head.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_changed_fields_are_named_in_chinese_without_values(client, world, org_admin, community_worker):
    audit_record(actor=community_worker, action="person.update", obj=world.head,
                 detail={"fields": ["category", "phone"]})
    audit_record(actor=community_worker, action="person.reveal", obj=world.head, reason="电话回访居民",
                 detail={"field": "doc_number"})
    client.force_login(org_admin)
    page = client.get(AUDIT).content.decode()
    assert "修改 人员类别、手机号" in page
    assert "查看 证件号码" in page and "事由：电话回访居民" in page
    assert world.head.phone not in page and world.head.doc_number not in page
