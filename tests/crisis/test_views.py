"""Crisis pages: the permission matrix, the main actions through HTTP, and the list's query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanshe.core.models import AuditEvent
from sanshe.crisis.models import CrisisResponse, CrisisStatus
from sanshe.crisis.services import crisis_open
from tests.factories import PersonFactory, Role, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(social_worker, case, on_duty, org_admin, t0):
    return crisis_open(actor=social_worker, case=case, domain="suicide", source="manual",
                       reason="电话中说今晚想结束生命", now=t0)


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(("persona", "status"), [
    ("social_worker", 200), ("other_social_worker", 200), ("org_admin", 200), ("counsellor", 200),
    ("medic", 404),  # not alerted: a suicide crisis goes to the on-duty counsellor
    ("community_worker", 404), ("secretary", 403), ("resident", 403), ("outsider", 404),
])
def test_detail_permission_matrix(client, request, crisis, persona, status):
    user = request.getfixturevalue(persona)
    response = get(client, user, reverse("crisis:detail", args=[crisis.pk]))
    assert response.status_code == status
    if status == 200:
        assert "张伟" in response.content.decode()
        assert "13900001111" not in response.content.decode()  # masked until the audited call
        assert "139****1111" in response.content.decode()


def test_anonymous_goes_to_login(client, crisis):
    for url in (reverse("crisis:list"), reverse("crisis:detail", args=[crisis.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(reverse("crisis:acknowledge", args=[crisis.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert CrisisResponse.objects.get(pk=crisis.pk).status == CrisisStatus.OPEN


def test_out_of_scope_cannot_act(client, crisis, world):
    away = UserFactory(username="sw_away")
    grant(away, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    client.force_login(away)
    assert client.post(reverse("crisis:acknowledge", args=[crisis.pk])).status_code == 404
    assert client.post(reverse("crisis:call", args=[crisis.pk, "emergency_contact"])).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["crisis.acknowledge", "crisis.call"]).exists()


def test_start_from_case_page(client, social_worker, case):
    client.force_login(social_worker)
    url = reverse("crisis:start", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"domain": "suicide", "reason": "短"})
    assert response.status_code == 400 and "至少4个字" in response.content.decode()
    assert not CrisisResponse.objects.exists()
    response = client.post(url, {"domain": "suicide", "reason": "电话中说今晚想结束生命"})
    crisis = CrisisResponse.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crisis:detail", args=[crisis.pk])


def test_start_needs_a_social_worker(client, counsellor, org_admin, case):
    for user in (counsellor, org_admin):
        client.force_login(user)
        assert client.post(reverse("crisis:start", args=[case.pk]),
                           {"domain": "suicide", "reason": "今晚想结束生命"}).status_code == 403


def test_acknowledge_steps_and_close_over_http(client, counsellor, crisis):
    client.force_login(counsellor)
    detail = reverse("crisis:detail", args=[crisis.pk])
    assert client.post(reverse("crisis:acknowledge", args=[crisis.pk]))["Location"] == detail
    response = client.post(reverse("crisis:step", args=[crisis.pk]), {"kind": "emergency_call", "call": "not_applicable"})
    assert response.status_code == 400 and "写明原因" in response.content.decode()
    client.post(reverse("crisis:step", args=[crisis.pk]), {"kind": "help_confirmed", "note": "家属已到"})
    response = client.post(reverse("crisis:close", args=[crisis.pk]),
                           {"outcome_kind": "safe_with_family", "outcome": "家属陪伴，明早回访"})
    # The counsellor was alerted, not responsible for the case: the closed crisis is no longer theirs.
    assert response.status_code == 302 and response["Location"] == reverse("crisis:list")
    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.CLOSED and crisis.acknowledged_by == counsellor
    assert client.get(detail).status_code == 404
    client.force_login(crisis.case.owner)
    page = client.get(detail).content.decode()
    assert "已安全，家人陪伴" in page


def test_tap_to_call_redirects_to_dialler_and_audits(client, social_worker, crisis):
    client.force_login(social_worker)
    response = client.post(reverse("crisis:call", args=[crisis.pk, "emergency_contact"]))
    assert response.status_code == 302 and response["Location"] == "tel:13900001111"
    assert AuditEvent.objects.filter(action="crisis.call", actor=social_worker).count() == 1
    assert client.get(reverse("crisis:call", args=[crisis.pk, "client"])).status_code == 405


def count_queries(client, url) -> tuple[int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), response


def test_list_is_scoped_ordered_and_constant_in_queries(client, world, social_worker, other_social_worker,
                                                        counsellor, crisis, t0):
    from datetime import timedelta

    from sanshe.cases.services import case_open

    # Two more crises, one acknowledged: the unacknowledged ones come first, oldest first.
    people = [PersonFactory(household=world.household2, name=f"居民{i}") for i in range(2)]
    later = []
    for i, person in enumerate(people):
        case = case_open(actor=social_worker, person_id=person.pk, now=t0)
        later.append(crisis_open(actor=social_worker, case=case, domain="medical", source="manual",
                                 reason="血氧低于90%", now=t0 + timedelta(minutes=i + 1)))
    from sanshe.crisis.services import crisis_acknowledge

    crisis_acknowledge(actor=social_worker, crisis=crisis, now=t0 + timedelta(minutes=3))
    client.force_login(other_social_worker)
    before, response = count_queries(client, reverse("crisis:list"))
    ids = [c.pk for c in response.context["crises"]]
    assert ids == [later[0].pk, later[1].pk, crisis.pk]
    # The counsellor was alerted only to the first crisis.
    client.force_login(counsellor)
    assert [c.pk for c in client.get(reverse("crisis:list")).context["crises"]] == [crisis.pk]
    # More crises, same number of queries.
    for i in range(3):
        person = PersonFactory(household=world.household2, name=f"新居民{i}")
        case = case_open(actor=social_worker, person_id=person.pk, now=t0)
        crisis_open(actor=social_worker, case=case, domain="medical", source="manual", reason="血氧低于90%", now=t0)
    client.force_login(other_social_worker)
    after, response = count_queries(client, reverse("crisis:list"))
    assert len(response.context["crises"]) == 6
    assert after == before


def test_home_panel_and_nav(client, social_worker, secretary, crisis):
    client.force_login(social_worker)
    page = client.get("/").content.decode()
    assert "危机处置" in page and "1 起无人确认" in page and reverse("crisis:list") in page
    client.force_login(secretary)
    page = client.get("/").content.decode()
    assert reverse("crisis:list") not in page


def test_case_page_section(client, social_worker, case, t0):
    url = reverse("cases:case_detail", args=[case.pk])
    client.force_login(social_worker)
    page = client.get(url).content.decode()
    assert reverse("crisis:start", args=[case.pk]) in page and "启动危机处置" in page
    crisis = crisis_open(actor=social_worker, case=case, domain="medical", source="manual", reason="血氧88%，呼吸困难",
                         now=t0)
    page = client.get(url).content.decode()
    assert reverse("crisis:detail", args=[crisis.pk]) in page and "打开危机处置" in page
    assert reverse("crisis:start", args=[case.pk]) not in page
