"""Records pages: permission matrix, forms, need-to-know on screen, print layout, xlsx contents, query counts."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sanshe.core.models import AuditEvent
from sanshe.records import services
from sanshe.records.models import ServiceRecord

from .conftest import consultation, medical, psychological, social_work

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def records(world, focus, social_worker, secretary, medic, counsellor):
    return {"consult": consultation(secretary, focus, world.head), "medical": medical(medic, focus, world.head),
            "psych": psychological(counsellor, focus, world.head), "sw": social_work(social_worker, focus, world.head)}


LIST_PAGES = ["records:record_list", "records:request_list", "records:summary_index"]


@pytest.mark.parametrize("name", LIST_PAGES + ["records:referral_out_list"])
def test_anonymous_goes_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("persona", ["community_worker", "resident", "outsider", "org_admin"])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_wrong_role_403(client, request, focus, persona, name):
    response = login(client, request.getfixturevalue(persona)).get(reverse(name))
    assert response.status_code == 403


def test_referral_out_pages_only_for_social_workers(client, focus, medic, social_worker):
    assert login(client, medic).get(reverse("records:referral_out_list")).status_code == 403
    assert login(client, social_worker).get(reverse("records:referral_out_list")).status_code == 200


@pytest.mark.parametrize("persona,kind,status", [
    ("medic", "medical", 404), ("counsellor", "psych", 404), ("secretary", "medical", 404),
    ("secretary", "consult", 200), ("medic", "consult", 200), ("counsellor", "psych", 200),
    ("social_worker", "psych", 200), ("social_worker", "medical", 200),
])
def test_record_detail_need_to_know(client, request, records, persona, kind, status):
    user = request.getfixturevalue(persona)
    record = records[kind]
    if persona == "medic" and kind == "medical":
        record = records["psych"]  # a medic asking for a counsellor's record
    if persona == "counsellor" and kind == "psych":
        record = records["medical"]
    if status == 200 and persona == "counsellor":
        record = records["psych"]
    response = login(client, user).get(reverse("records:record_detail", args=[record.pk]))
    assert response.status_code == status


def test_out_of_scope_404_for_every_object_page(client, records, outsider, community_worker, world, focus,
                                                 social_worker):
    referral = services.referral_out_create(actor=social_worker, person_id=world.head.pk, kind="community",
                                            institution="社区居委会", contact="王主任", reason="送药")
    summary = services.summary_compile(actor=social_worker, group_id=focus.pk, day=timezone.localdate())
    day = timezone.localdate().isoformat()
    other = ServiceRecord.objects.first()
    # A social worker of another organisation and community (a records user, so not 403) gets 404 everywhere.
    from tests.factories import Role, UserFactory, grant

    stranger = UserFactory(username="waishegong")
    grant(stranger, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    login(client, stranger)
    for url in (reverse("records:record_detail", args=[other.pk]), reverse("records:record_xlsx", args=[other.pk]),
                reverse("records:record_edit", args=[other.pk]),
                reverse("records:summary_detail", args=[focus.pk, day]),
                reverse("records:summary_xlsx", args=[summary.pk]),
                reverse("records:handover", args=[focus.pk, day]),
                reverse("records:referral_out_detail", args=[referral.pk])):
        assert client.get(url).status_code == 404, url


def test_record_pages_print_layout_and_masking(client, world, records, secretary):
    world.head.phone = "13812345678"
    world.head.save()
    record = consultation(secretary, records["consult"].group, world.head)
    page = login(client, secretary).get(reverse("records:record_detail", args=[record.pk])).content.decode()
    assert "服务对象咨询记录表" in page and "实用工具3" in page and "记录员签名（微信群秘书）" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "records/records.css" in page and "data-print" in page


def test_record_xlsx_masked_formula_safe_and_audited(client, world, focus, medic):
    record = medical(medic, focus, world.head, online_service="=HYPERLINK(\"http://x\")",
                     emergency_contact_name="张三", emergency_contact_phone="13900001111")
    response = login(client, medic).get(reverse("records:record_xlsx", args=[record.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "医务志愿者服务记录表" in values
    assert "'=HYPERLINK(\"http://x\")" in values
    assert "139****1111" in values and "13900001111" not in values and "张*" in values
    assert AuditEvent.objects.filter(action="records.record.export", object_id=str(record.pk)).exists()


def test_create_form_validation_keeps_input_and_saves_nothing(client, focus, secretary):
    url = reverse("records:record_create", args=["consultation"]) + f"?group={focus.pk}"
    response = login(client, secretary).post(url, {"group": focus.pk, "client_name": "", "client_age": "200",
                                                  "q_0": "问题", "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "有内容需要修改" in page and "问题" in page
    assert ServiceRecord.objects.count() == 0
    response = client.post(url, {"group": focus.pk, "client_name": "", "q_0": "问题", "action": "save"})
    assert "请填写服务对象姓名" in response.content.decode()


def test_create_and_submit_through_the_form(client, world, focus, counsellor):
    url = reverse("records:record_create", args=["psychological"]) + f"?group={focus.pk}"
    login(client, counsellor)
    page = client.get(url + f"&person={world.head.pk}").content.decode()
    assert "张伟" in page and "咨询者姓名" in page and "躯体状态" in page
    response = client.post(url, {
        "group": focus.pk, "person": world.head.pk, "client_name": "张伟", "observation": "焦虑",
        "counselling_process": "放松训练", "goal_plan": "改善睡眠", "next_appointment": "yes",
        "service_start": "2026-12-06T08:00", "service_end": "2026-12-06T08:40", "action": "submit"})
    assert response.status_code == 200  # yes without a time: refused, with the reason
    assert "请填写预约时间" in response.content.decode()
    response = client.post(url, {
        "group": focus.pk, "person": world.head.pk, "client_name": "张伟", "observation": "焦虑",
        "counselling_process": "放松训练", "goal_plan": "改善睡眠", "next_appointment": "yes",
        "next_appointment_at": "2026-12-09T10:00", "service_start": "2026-12-06T08:00",
        "service_end": "2026-12-06T08:40", "action": "submit"})
    record = ServiceRecord.objects.get()
    assert response.status_code == 302 and not record.is_draft and record.next_appointment is True
    assert record.person == world.head


def test_record_this_page_flow(client, world, focus, secretary, resident):
    from sanshe.groups import services as group_services

    message = group_services.message_send(actor=resident, group=focus, body="家里没有体温计了").message
    request_obj = group_services.record_request_create(actor=secretary, group=focus, message_ids=[message.pk],
                                                       consult_kind="other")
    login(client, secretary)
    page = client.get(reverse("records:request_list")).content.decode()
    assert "家里没有体温计了" in page
    response = client.post(reverse("records:request_record", args=[request_obj.pk]))
    record = ServiceRecord.objects.get()
    assert response["Location"] == reverse("records:record_edit", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert "家里没有体温计了" in page and "记录此条" in page


def test_summary_page_hides_clinical_columns_from_secretary(client, records, focus, secretary, social_worker, medic):
    day = timezone.localdate().isoformat()
    url = reverse("records:summary_detail", args=[focus.pk, day])
    login(client, secretary)
    assert client.post(url).status_code == 302
    page = client.get(url).content.decode()
    assert "求助日期" in page and "值班心理志愿者服务内容" in page
    assert "发烧37.5度要去医院吗" in page  # the request (the secretary's own tool 3)
    assert "放松训练" not in page and "居家观察" not in page and "仅限心理咨询志愿者和社工查看" in page
    page = login(client, social_worker).get(url).content.decode()
    assert "放松训练" in page and "居家观察" in page
    page = login(client, medic).get(url).content.decode()
    assert "居家观察" in page and "放松训练" not in page


def test_summary_row_edit_fields_by_domain(client, records, focus, secretary, medic):
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=timezone.localdate())
    row = summary.rows.get()
    url = reverse("records:summary_row_edit", args=[summary.pk, row.pk])
    page = login(client, secretary).get(url).content.decode()
    assert 'name="evaluation"' in page and 'name="medical_content"' not in page
    client.post(url, {"evaluation": "服务对象满意", "request_content": row.request_content,
                      "result": "", "follow_up": ""})
    row.refresh_from_db()
    assert row.evaluation == "服务对象满意"
    page = login(client, medic).get(url).content.decode()
    assert 'name="medical_content"' in page and 'name="psychological_content"' not in page


def test_summary_xlsx_columns_masking_and_finalise(client, records, focus, secretary, social_worker):
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=timezone.localdate())
    row = summary.rows.get()
    services.summary_row_update(actor=secretary, row_id=row.pk, data={"evaluation": "=1+1"})
    login(client, secretary)
    sheet = load_workbook(BytesIO(b"".join(client.get(reverse("records:summary_xlsx", args=[summary.pk]))
                                           .streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == ["求助日期", "服务对象", "微信群名", "所属社区", "是否确诊", "基本信息及症状描述", "求助内容",
                             "值班社工服务内容", "值班医务志愿者服务内容", "值班心理志愿者服务内容", "服务结果", "跟进建议",
                             "微信截图", "服务评估", "记录员"]
    data = rows[2]
    assert data[1] == "张*" and data[2] == focus.name and data[13] == "'=1+1"
    assert data[9] == "仅限心理咨询志愿者和社工查看" and data[8] == "仅限医务志愿者和社工查看"
    sheet = load_workbook(BytesIO(b"".join(login(client, social_worker).get(
        reverse("records:summary_xlsx", args=[summary.pk])).streaming_content))).active
    data = list(sheet.iter_rows(values_only=True))[2]
    assert "放松训练" in data[9] and "居家观察" in data[8]
    response = client.post(reverse("records:summary_finalise", args=[summary.pk]))
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.is_final
    page = client.get(reverse("records:summary_detail", args=[focus.pk, summary.day.isoformat()])).content.decode()
    assert "不能再修改" in page and reverse("records:summary_row_edit", args=[summary.pk, row.pk]) not in page


def test_referral_out_pages(client, world, social_worker):
    from sanshe.cases.services import case_open

    case = case_open(actor=social_worker, person_id=world.head.pk)
    login(client, social_worker)
    url = reverse("records:referral_out_create") + f"?case={case.pk}"
    response = client.post(url, {"case": case.pk, "kind": "mental_health", "institution": "", "contact": "",
                                 "reason": ""})
    assert response.status_code == 200 and "请填写接收机构名称" in response.content.decode()
    response = client.post(url, {"case": case.pk, "kind": "mental_health", "institution": "市精神卫生中心",
                                 "contact": "陈医生 027-888", "reason": "重度焦虑，需专科评估"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "市精神卫生中心" in detail and "已发出" in detail
    client.post(response["Location"], {"status": "confirmed", "note": "已预约"})
    assert "对方已确认接收" in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert case.status == "referred_out"
    assert "精神卫生机构" in client.get(reverse("records:referral_out_list")).content.decode()


def test_handover_page(client, records, focus, social_worker):
    page = login(client, social_worker).get(
        reverse("records:handover", args=[focus.pk, timezone.localdate().isoformat()])).content.decode()
    assert "工作交接" in page and "张伟" in page and "下次预约" in page and "明天回访" in page


def test_list_query_count_constant(client, world, focus, secretary, medic, social_worker):
    login(client, social_worker)
    consultation(secretary, focus, world.head)
    url = reverse("records:record_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        consultation(secretary, focus, world.head)
        medical(medic, focus, world.head)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("records/") >= 17
    assert len(many) == len(few)


def test_summary_query_count_constant(client, world, focus, secretary, social_worker):
    from tests.groups.conftest import make_client

    login(client, social_worker)
    day = timezone.localdate()
    consultation(secretary, focus, world.head)
    services.summary_compile(actor=social_worker, group_id=focus.pk, day=day)
    url = reverse("records:summary_detail", args=[focus.pk, day.isoformat()])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        make_client(social_worker, focus, f"client{i}")
        consultation(secretary, focus, None, client_name=f"客户{i}")
    services.summary_compile(actor=social_worker, group_id=focus.pk, day=day)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_edit_form_shows_phone_masked_and_keeps_it(client, world, focus, secretary):
    world.head.phone = "13812345678"
    world.head.save()
    login(client, secretary)
    create_url = reverse("records:record_create", args=["consultation"]) + f"?group={focus.pk}&person={world.head.pk}"
    page = client.get(create_url).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.post(create_url, {"group": focus.pk, "person": world.head.pk, "client_name": "张伟",
                                        "client_phone": "138****5678", "consult_kind": "other", "action": "save"})
    record = ServiceRecord.objects.get()
    assert response.status_code == 302 and record.client_phone == "13812345678"
    url = reverse("records:record_edit", args=[record.pk])
    page = client.get(url).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    client.post(url, {"client_name": "张伟", "client_phone": "138****5678", "consult_kind": "other",
                      "action": "save"})
    record.refresh_from_db()
    assert record.client_phone == "13812345678"
    client.post(url, {"client_name": "张伟", "client_phone": "13900000000", "consult_kind": "other",
                      "action": "save"})
    record.refresh_from_db()
    assert record.client_phone == "13900000000"


def test_nav_and_home_panel_per_role(client, world, focus, secretary, medic, community_worker, social_worker,
                                     resident):
    from sanshe.groups import services as group_services

    message = group_services.message_send(actor=resident, group=focus, body="能帮忙买药吗").message
    group_services.record_request_create(actor=secretary, group=focus, message_ids=[message.pk])
    page = login(client, secretary).get(reverse("home:home")).content.decode()
    assert reverse("records:record_list") in page and reverse("records:request_list") in page
    assert reverse("records:referral_out_list") not in page
    page = login(client, medic).get(reverse("records:record_list")).content.decode()
    assert reverse("records:summary_index") in page and reverse("records:referral_out_list") not in page
    page = login(client, community_worker).get(reverse("home:home")).content.decode()
    assert reverse("records:record_list") not in page
    page = login(client, social_worker).get(reverse("home:home")).content.decode()
    assert reverse("records:referral_out_list") in page


def test_create_page_roles_and_groups(client, focus, other_group, medic, secretary, social_worker):
    assert login(client, medic).get(reverse("records:record_create", args=["consultation"])).status_code == 403
    assert client.get(reverse("records:record_create", args=["medical"])).status_code == 200
    login(client, secretary)
    assert client.get(reverse("records:record_create", args=["bogus"])).status_code == 404
    # A group the secretary does not serve in: 404, not a form.
    url = reverse("records:record_create", args=["consultation"]) + f"?group={other_group.pk}"
    assert client.get(url).status_code == 404
    page = login(client, social_worker).get(reverse("records:record_create", args=["consultation"])).content.decode()
    assert focus.name in page and other_group.name in page  # a social worker picks among the community's groups


def test_request_and_referral_lists_query_count_constant(client, world, focus, secretary, social_worker, resident):
    from sanshe.groups import services as group_services

    def add_request():
        message = group_services.message_send(actor=resident, group=focus, body="请问怎么领物资").message
        group_services.record_request_create(actor=secretary, group=focus, message_ids=[message.pk])

    def add_referral():
        services.referral_out_create(actor=social_worker, person_id=world.head.pk, kind="community",
                                     institution="社区居委会", contact="王主任", reason="物资")

    for user, url, add in ((secretary, reverse("records:request_list"), add_request),
                           (social_worker, reverse("records:referral_out_list"), add_referral)):
        login(client, user)
        add()
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(5):
            add()
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few), url


def test_reading_someone_elses_clinical_record_is_audited(client, records, social_worker, secretary):
    login(client, social_worker).get(reverse("records:record_detail", args=[records["psych"].pk]))
    assert AuditEvent.objects.filter(action="records.record.read", object_id=str(records["psych"].pk),
                                     actor=social_worker).exists()
    # A secretary reading their own tool 3 leaves no read event (it is theirs).
    login(client, secretary).get(reverse("records:record_detail", args=[records["consult"].pk]))
    assert not AuditEvent.objects.filter(action="records.record.read", actor=secretary).exists()


def test_dismiss_request(client, focus, secretary, resident):
    from sanshe.groups import services as group_services
    from sanshe.groups.models import RecordRequest

    message = group_services.message_send(actor=resident, group=focus, body="谢谢").message
    request_obj = group_services.record_request_create(actor=secretary, group=focus, message_ids=[message.pk])
    login(client, secretary).post(reverse("records:request_dismiss", args=[request_obj.pk]))
    assert RecordRequest.objects.get().status == "dismissed"
    assert AuditEvent.objects.filter(action="records.request.dismiss").exists()
    response = client.post(reverse("records:request_record", args=[request_obj.pk]), follow=True)
    assert "已处理过了" in response.content.decode() and not ServiceRecord.objects.exists()


def test_referral_from_record_page(client, world, records, social_worker):
    page = login(client, social_worker).get(reverse("records:record_detail", args=[records["medical"].pk]))
    assert f"record={records['medical'].pk}" in page.content.decode()
    url = reverse("records:referral_out_create") + f"?person={world.head.pk}&record={records['medical'].pk}"
    response = client.post(url, {"person": world.head.pk, "record": records["medical"].pk, "kind": "hospital",
                                 "institution": "区人民医院", "contact": "急诊科", "reason": "高热不退"})
    assert response.status_code == 302
    from sanshe.records.models import ReferralOut

    assert ReferralOut.objects.get().record == records["medical"]


def test_summary_index_opens_a_picked_day(client, focus, other_group, secretary):
    login(client, secretary)
    page = client.get(reverse("records:summary_index")).content.decode()
    assert focus.name in page and other_group.name not in page
    response = client.get(reverse("records:summary_index"), {"g": focus.pk, "d": "2026-12-01"})
    assert response["Location"] == reverse("records:summary_detail", args=[focus.pk, "2026-12-01"])
    assert client.get(reverse("records:summary_index"), {"g": other_group.pk, "d": "2026-12-01"}).status_code == 200
    assert client.get(reverse("records:summary_detail", args=[focus.pk, "2026-13-45"])).status_code == 404


def test_anonymous_object_pages_and_actions_go_to_login(client, records, focus):
    record = records["consult"]
    day = timezone.localdate().isoformat()
    for method, url in (("get", reverse("records:record_detail", args=[record.pk])),
                        ("get", reverse("records:record_xlsx", args=[record.pk])),
                        ("get", reverse("records:record_create", args=["consultation"])),
                        ("get", reverse("records:summary_detail", args=[focus.pk, day])),
                        ("post", reverse("records:summary_detail", args=[focus.pk, day])),
                        ("get", reverse("records:handover", args=[focus.pk, day])),
                        ("post", reverse("records:request_record", args=[1])),
                        ("get", reverse("records:referral_out_create"))):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    from sanshe.records.models import DailySummary

    assert not DailySummary.objects.exists()


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_screenshots_upload_and_served_only_with_the_record(client, world, focus, secretary, counsellor,
                                                            social_worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = consultation(secretary, focus, world.head, kind="medical", submit=False)
    login(client, secretary)
    response = client.post(reverse("records:record_images", args=[record.pk]),
                           {"screenshots": [SimpleUploadedFile("a.png", _png(), content_type="image/png")]})
    assert response.status_code == 302 and record.images.count() == 1
    bad = client.post(reverse("records:record_images", args=[record.pk]),
                      {"screenshots": [SimpleUploadedFile("a.png", b"not an image", content_type="image/png")]},
                      follow=True)
    assert "不是有效的图片" in bad.content.decode() and record.images.count() == 1
    image = record.images.get()
    url = reverse("records:record_image", args=[record.pk, image.pk])
    page = client.get(reverse("records:record_edit", args=[record.pk])).content.decode()
    assert url in page and "/media/" not in page
    assert client.get(url)["Content-Type"] == "image/png"
    assert login(client, counsellor).get(url).status_code == 404  # a medical note's picture: not for counsellors
    assert login(client, social_worker).get(url).status_code == 200
    services.record_submit(actor=secretary, record_id=record.pk)
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=timezone.localdate())
    summary_url = reverse("records:summary_image", args=[summary.pk, image.pk])
    page = client.get(reverse("records:summary_detail", args=[focus.pk, summary.day.isoformat()])).content.decode()
    assert summary_url in page
    assert client.get(summary_url).status_code == 200
    assert login(client, world_outsider(world)).get(summary_url).status_code == 404


def world_outsider(world):
    from tests.factories import Role, UserFactory, grant

    user = UserFactory(username="waishegong2")
    grant(user, world.other_org, Role.SOCIAL_WORKER, communities=[world.away])
    return user
