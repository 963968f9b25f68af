"""Pages: the permission matrix for every view, query counts, live scoring, the client's own page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.assessments.models import Administration
from sanshe.assessments.services import administration_link_send, triage_run

from .conftest import give, likert

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(social_worker, case):
    administration = give(social_worker, case, "gad7", likert([2, 2, 2, 2, 1, 1, 1]))
    pending, _token = administration_link_send(actor=social_worker, case_id=case.pk, scale="phq9")
    decision = triage_run(actor=social_worker, case_id=case.pk)
    return {"case": case, "administration": administration, "pending": pending, "decision": decision}


def _urls(o) -> list[tuple[str, str]]:
    c = o["case"].pk
    return [
        ("get", reverse("assessments:case", args=[c])),
        ("get", reverse("assessments:give", args=[c, "phq9"])),
        ("post", reverse("assessments:give", args=[c, "phq9"])),
        ("post", reverse("assessments:live", args=[c, "phq9"])),
        ("post", reverse("assessments:send", args=[c])),
        ("post", reverse("assessments:triage_run", args=[c])),
        ("get", reverse("assessments:place", args=[c])),
        ("post", reverse("assessments:place", args=[c])),
        ("get", reverse("assessments:administration", args=[o["administration"].pk])),
        ("post", reverse("assessments:link_cancel", args=[o["pending"].pk])),
        ("get", reverse("assessments:decision", args=[o["decision"].pk])),
        ("post", reverse("assessments:decide", args=[o["decision"].pk])),
    ]


def test_anonymous_is_sent_to_log_in(client, objects):
    for method, url in _urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["community_worker", "secretary", "medic", "counsellor", "resident", "outsider"])
def test_wrong_role_is_403(client, objects, persona, request):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _urls(objects):
        assert getattr(client, method)(url).status_code == 403, (persona, url)


def test_social_worker_of_another_community_gets_404(client, objects, away_social_worker):
    client.force_login(away_social_worker)
    for method, url in _urls(objects):
        assert getattr(client, method)(url).status_code == 404, url
    assert Administration.objects.filter(case=objects["case"]).count() == 2


def test_social_worker_sees_every_page(client, objects, social_worker):
    client.force_login(social_worker)
    for method, url in _urls(objects):
        if method == "get":
            response = client.get(url)
            assert response.status_code == 200, url
            assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_unknown_scale_is_404(client, objects, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("assessments:give", args=[objects["case"].pk, "bdi"])).status_code == 404


def test_give_page_shows_a_refusal_in_chinese_and_keeps_the_answers(client, social_worker, case):
    client.force_login(social_worker)
    url = reverse("assessments:give", args=[case.pk, "cssrs"])
    response = client.post(url, {"q1": "yes", "q2": "no", "q3": "yes", "q6": "no"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "第2题回答“否”时应直接跳到第6题" in text
    assert 'name="q1" value="yes" checked' in text
    assert not Administration.objects.exists()
    response = client.post(url, {"q1": "yes", "q2": "no", "q6": "no"})
    assert response.status_code == 302


def test_live_score_is_rendered_by_the_server(client, social_worker, case):
    client.force_login(social_worker)
    url = reverse("assessments:live", args=[case.pk, "phq9"])
    text = client.post(url, {"item1": "2", "item2": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "已答 2/9 题" in text and "小计 3 分" in text
    text = client.post(url, likert([3, 3, 3, 3, 3, 3, 2, 0, 1])).content.decode()
    assert "总分 21 / 27" in text and "重度抑郁" in text and "自杀风险筛查" in text
    assert not Administration.objects.exists()


def test_decision_page_shows_reasons_and_override_form_errors(client, social_worker, objects):
    client.force_login(social_worker)
    decision = objects["decision"]
    text = client.get(reverse("assessments:decision", args=[decision.pk])).content.decode()
    assert "GAD-7 总分11分" in text and "二级：聚焦服务群" in text and "规则版本" in text
    response = client.post(reverse("assessments:decide", args=[decision.pk]),
                           {"choice": "override", "tier": "3", "urgency": "within_24h", "reason": ""})
    assert response.status_code == 400 and "必须写明理由" in response.content.decode()


def test_self_fill_page_shows_only_questions_and_a_thank_you(client, social_worker, case, world):
    _a, token = administration_link_send(actor=social_worker, case_id=case.pk, scale="phq9")
    url = reverse("assessments:self_fill", args=[token])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200 and "做事时提不起劲或没有兴趣" in text
    assert world.head.name not in text and case.number not in text and "总分" not in text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    response = client.post(url, {"item1": "1"})
    assert response.status_code == 400 and "未作答" in response.content.decode()
    response = client.post(url, likert([3, 3, 3, 3, 3, 3, 3, 3, 3]))
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "谢谢" in done and "27" not in done and "重度" not in done and world.head.name not in done
    again = client.get(url)
    assert again.status_code == 404 and "链接已失效" in again.content.decode()
    assert client.post(url, likert([0] * 9)).status_code == 404
    assert client.get(reverse("assessments:self_fill", args=["x" * 43])).status_code == 404


def test_case_page_queries_do_not_grow_with_administrations(client, social_worker, case):
    client.force_login(social_worker)
    url = reverse("assessments:case", args=[case.pk])
    give(social_worker, case, "gad7", likert([1] * 7))
    triage_run(actor=social_worker, case_id=case.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        give(social_worker, case, "phq9", likert([1] * 9))
        administration_link_send(actor=social_worker, case_id=case.pk, scale="isi")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_home_panel_lists_what_waits_and_stays_constant_in_queries(client, social_worker, case, world):
    from sanshe.assessments.services import administration_self_submit
    from sanshe.cases.services import case_open

    client.force_login(social_worker)
    give(social_worker, case, "gad7", likert([3, 3, 3, 2, 2, 2, 2]))
    triage_run(actor=social_worker, case_id=case.pk)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        text = client.get("/").content.decode()
    assert "待确认的分流" in text and world.head.name in text
    for person in (world.spouse, world.neighbour):
        other = case_open(actor=social_worker, person_id=person.pk)
        _a, token = administration_link_send(actor=social_worker, case_id=other.pk, scale="phq4")
        administration_self_submit(token=token, data=likert([1, 1, 1, 1]))
        triage_run(actor=social_worker, case_id=other.pk)
        _a, token = administration_link_send(actor=social_worker, case_id=other.pk, scale="isi")
        administration_self_submit(token=token, data=likert([1] * 7))
    with CaptureQueriesContext(connection) as many:
        text = client.get("/").content.decode()
    assert "服务对象已提交自评，待分流" in text and world.neighbour.name in text
    assert len(many) == len(few)


def test_accepting_without_a_group_with_room_leads_to_picking_one(client, social_worker, resident, case, counsellor):
    from .conftest import staff_group

    client.force_login(social_worker)
    give(social_worker, case, "gad7", likert([2, 2, 2, 2, 1, 1, 1]))
    decision = triage_run(actor=social_worker, case_id=case.pk)
    response = client.post(reverse("assessments:decide", args=[decision.pk]), {"choice": "accept"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:place", args=[case.pk])
    text = response.content.decode()
    assert "没有您负责的、还有空位的二级：聚焦服务群" in text and "新建聚焦服务群" in text
    group = staff_group(social_worker, case.community, tier=2, name="新聚焦群", helper=counsellor)
    response = client.post(reverse("assessments:place", args=[case.pk]), {"group": str(group.pk)}, follow=True)
    assert "已将服务对象加入“新聚焦群”" in response.content.decode()
    response = client.post(reverse("assessments:place", args=[case.pk]), {"group": "abc"})
    assert response.status_code == 400 and "请选择一个群" in response.content.decode()


@pytest.mark.parametrize("scale", ["phq9", "gad7", "phq4", "isi", "cssrs", "medical"])
def test_every_scale_renders_for_staff_and_for_the_client(client, social_worker, case, scale):
    _a, token = administration_link_send(actor=social_worker, case_id=case.pk, scale=scale)
    assert client.get(reverse("assessments:self_fill", args=[token])).status_code == 200
    client.force_login(social_worker)
    response = client.get(reverse("assessments:give", args=[case.pk, scale]))
    assert response.status_code == 200 and 'type="radio"' in response.content.decode()


def test_a_closed_case_takes_no_new_assessment(social_worker, case):
    from django.core.exceptions import ValidationError

    from sanshe.cases.models import Case

    Case.objects.filter(pk=case.pk).update(status="closed")
    with pytest.raises(ValidationError) as exc:
        give(social_worker, case, "gad7", likert([0] * 7))
    assert "已结案" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        triage_run(actor=social_worker, case_id=case.pk)


def test_reading_answers_someone_else_gave_is_audited(client, objects, social_worker, world):
    from sanshe.accounts.roles import Role
    from sanshe.core.models import AuditEvent
    from tests.factories import UserFactory, grant

    url = reverse("assessments:administration", args=[objects["administration"].pk])
    client.force_login(social_worker)  # who gave it: no read event
    assert client.get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="assessment.read").exists()
    colleague = UserFactory(username="colleague")
    grant(colleague, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    event = AuditEvent.objects.get(action="assessment.read")
    assert event.actor == colleague and event.detail["scale"] == "gad7"
