"""Case pages: the permission matrix of every view, forms that keep what was typed, query counts, print, xlsx."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanshe.cases.models import Case, CaseFollowUp, Referral
from sanshe.cases.sections import CaseSection, case_sections_for
from sanshe.cases.services import case_followup_add, case_open
from sanshe.core.models import AuditEvent

from .conftest import NOW, make_person, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, social_worker):
    return case_open(actor=social_worker, person_id=world.head.pk, now=NOW)


def _urls(case, followup_id=1, assignment_id=1):
    get = [reverse("cases:my_cases"), reverse("cases:case_detail", args=[case.pk]),
           reverse("cases:case_intake", args=[case.pk]), reverse("cases:case_print", args=[case.pk]),
           reverse("cases:case_export", args=[case.pk])]
    post = [reverse("cases:take_next"), reverse("cases:case_intake", args=[case.pk]),
            reverse("cases:case_status", args=[case.pk]), reverse("cases:followup_add", args=[case.pk]),
            reverse("cases:followup_done", args=[case.pk, followup_id]),
            reverse("cases:case_transfer", args=[case.pk]), reverse("cases:case_assign", args=[case.pk]),
            reverse("cases:assignment_end", args=[case.pk, assignment_id])]
    return get, post


def test_anonymous_users_go_to_login(client, case):
    get, post = _urls(case)
    for url in get:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in post:
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["community_worker", "secretary", "medic", "counsellor", "resident",
                                     "outsider"])
def test_wrong_roles_are_forbidden(client, case, persona, request):
    """A role that can never manage cases gets 403 on every management URL. A role that may be handed a
    part of a case (volunteers, community workers) but holds no part of this one gets 404 on the case's own
    pages: they may not learn it exists (the outsider is a community worker elsewhere); residents, who can
    never see a case, get 403."""
    client.force_login(request.getfixturevalue(persona))
    get, post = _urls(case)
    could_hold_a_part = persona in {"community_worker", "secretary", "medic", "counsellor", "outsider"}
    viewing = {reverse("cases:case_detail", args=[case.pk]), reverse("cases:case_print", args=[case.pk]),
               reverse("cases:case_export", args=[case.pk]), reverse("cases:followup_add", args=[case.pk]),
               reverse("cases:followup_done", args=[case.pk, 1])}
    for url in get:
        expected = 404 if could_hold_a_part and url in viewing else 403
        assert client.get(url).status_code == expected, url
    for url in post:
        expected = 404 if could_hold_a_part and url in viewing else 403
        assert client.post(url).status_code == expected, url


def test_social_workers_of_another_community_get_404(client, case, away_social_worker):
    client.force_login(away_social_worker)
    get, post = _urls(case)
    for url in get[1:]:
        assert client.get(url).status_code == 404, url
    for url in post[1:]:
        assert client.post(url).status_code == 404, url
    assert client.get(get[0]).status_code == 200  # their own (empty) list


def test_the_owner_sees_every_page(client, case, social_worker):
    client.force_login(social_worker)
    get, _post = _urls(case)
    for url in get:
        assert client.get(url).status_code == 200, url


def test_take_next_button_opens_the_intake(client, world, social_worker):
    referral = make_referral(make_person(world), urgency="immediate")
    client.force_login(social_worker)
    inbox = client.get(reverse("cases:referral_inbox")).content.decode()
    assert "接收下一条" in inbox and "已等待" in inbox
    response = client.post(reverse("cases:take_next"))
    case = Case.objects.get(referral=referral)
    assert response.status_code == 302 and response["Location"] == reverse("cases:case_intake", args=[case.pk])
    empty = client.post(reverse("cases:take_next"), follow=True)
    assert "没有待接收的转介" in empty.content.decode()


def test_referral_detail_opens_the_case(client, world, social_worker):
    referral = make_referral(make_person(world))
    client.force_login(social_worker)
    page = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert "接收，开始信息采集" in page
    response = client.post(reverse("cases:referral_open_case", args=[referral.pk]))
    case = Case.objects.get(referral=referral)
    assert response["Location"] == reverse("cases:case_intake", args=[case.pk])
    assert "打开个案" in client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()


def test_bad_intake_re_renders_with_what_was_typed(client, case, social_worker):
    client.force_login(social_worker)
    url = reverse("cases:case_intake", args=[case.pk])
    response = client.post(url, {"emergency_contact_name": "", "emergency_contact_phone": "139abc",
                                 "demand_emotion": "非常焦虑，夜里睡不着", "needs": ["emotional_support", "care_other"],
                                 "needs_other": "", "plan": "每日电话问候"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "非常焦虑，夜里睡不着" in body and "每日电话问候" in body
    assert "请填写正确的电话号码" in body and "请写明具体内容" in body
    assert 'value="emotional_support"' in body and "checked" in body
    case.refresh_from_db()
    assert not case.demand_emotion
    ok = client.post(url, {"demand_emotion": "非常焦虑", "needs": ["emotional_support"], "plan": "每日电话问候"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.demand_emotion == "非常焦虑" and case.needs == ["emotional_support"]


def test_case_page_forms_keep_input_on_errors(client, case, social_worker):
    client.force_login(social_worker)
    response = client.post(reverse("cases:case_status", args=[case.pk]), {"status": "closed", "reason": ""})
    assert response.status_code == 400 and "结案请写明原因" in response.content.decode()
    response = client.post(reverse("cases:followup_add", args=[case.pk]),
                           {"date": "2020-02-12", "domain": "medical", "content": "电话随访内容", "responsible_name": "",
                            "contact": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "电话随访内容" in body and "请填写负责人" in body
    assert not CaseFollowUp.objects.exists()
    response = client.post(reverse("cases:followup_add", args=[case.pk]),
                           {"date": "2020-02-12", "domain": "medical", "content": "电话随访内容",
                            "responsible_name": "孙医生", "contact": "13900002222", "done": "on"})
    assert response.status_code == 302
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "电话随访内容" in page and "139****2222" in page and "13900002222" not in page


def test_case_page_renders_sections(client, case, social_worker, monkeypatch):
    from sanshe.cases import sections

    fake = [CaseSection(template="cases/_client.html", context=lambda actor, c: {"person": c.person}, order=5),
            CaseSection(template="cases/_client.html", context=lambda actor, c: None, order=1)]
    monkeypatch.setattr(sections, "all_case_sections", lambda: fake)
    shown = case_sections_for(social_worker, case)
    assert len(shown) == 1 and shown[0][0] == "cases/_client.html" and shown[0][1]["case"] == case
    client.force_login(social_worker)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_the_collector_finds_case_sections_modules():
    from sanshe.cases.sections import _section_modules, all_case_sections

    assert all(section.order == sorted(s.order for s in all_case_sections())[i]
               for i, section in enumerate(all_case_sections()))
    assert isinstance(_section_modules(), tuple)


def test_print_and_export(client, case, social_worker):
    case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain="psychological",
                      content="=HYPERLINK(\"http://x\")", responsible_name="吴老师", contact="13900003333", now=NOW)
    client.force_login(social_worker)
    page = client.get(reverse("cases:case_print", args=[case.pk])).content.decode()
    assert "个案管理跟进表" in page and "负责人及联系方式" in page and case.number in page
    response = client.get(reverse("cases:case_export", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "个案管理跟进表" in values
    assert any(str(v).startswith("'=HYPERLINK") for v in values)  # formula-safe
    assert not any("13900003333" in str(v) for v in values) and any("139****3333" in str(v) for v in values)
    assert AuditEvent.objects.filter(action="case.export").exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_inbox_and_my_cases_query_counts_do_not_grow(client, world, social_worker):
    client.force_login(social_worker)
    for n in range(3):
        case = case_open(actor=social_worker, person_id=make_person(world, f"案主{n}").pk, now=NOW)
        case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain="other", content="内容内容",
                          responsible_name="社工", now=NOW)
        make_referral(make_person(world, f"转介{n}"))
    _queries(client, reverse("cases:referral_inbox")), _queries(client, reverse("cases:my_cases"))  # warm caches
    small = (_queries(client, reverse("cases:referral_inbox")), _queries(client, reverse("cases:my_cases")))
    for n in range(20):
        case = case_open(actor=social_worker, person_id=make_person(world, f"更多案主{n}").pk, now=NOW)
        case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain="other", content="内容内容",
                          responsible_name="社工", now=NOW)
        make_referral(make_person(world, f"更多转介{n}"))
    large = (_queries(client, reverse("cases:referral_inbox")), _queries(client, reverse("cases:my_cases")))
    assert large == small
    assert Referral.objects.filter(status="new").count() == 23


def test_case_page_query_count_does_not_grow_with_follow_ups(client, case, social_worker):
    client.force_login(social_worker)
    url = reverse("cases:case_detail", args=[case.pk])
    case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain="other", content="内容内容",
                      responsible_name="社工", now=NOW)
    _queries(client, url)  # warm caches
    small = _queries(client, url)
    for n in range(10):
        case_followup_add(actor=social_worker, case_id=case.pk, date=NOW.date(), domain=["medical", "other"][n % 2],
                          content=f"内容{n}内容", responsible_name="社工", now=NOW)
    assert _queries(client, url) == small


def test_an_assignee_sees_the_case_and_follows_it_up_but_does_not_manage_it(client, world, case, social_worker,
                                                                            medic):
    from sanshe.accounts.roles import Role
    from sanshe.cases.services import case_assign

    medic.memberships.get(role=Role.MEDICAL_VOLUNTEER).communities.add(world.home)
    case_assign(actor=social_worker, case_id=case.pk, part="medical", assignee_id=medic.pk)
    client.force_login(medic)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert case.number in client.get(reverse("cases:my_cases")).content.decode()
    assert client.get(reverse("cases:case_intake", args=[case.pk])).status_code == 403
    assert client.post(reverse("cases:case_status", args=[case.pk]), {"status": "closed"}).status_code == 403
    response = client.post(reverse("cases:followup_add", args=[case.pk]),
                           {"date": "2020-02-12", "domain": "medical", "content": "用药随访", "responsible_name": "孙医生"})
    assert response.status_code == 302 and CaseFollowUp.objects.filter(created_by=medic).exists()
