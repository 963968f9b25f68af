"""Records services: need-to-know visibility, record-this, referral out, daily summary, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.groups import services as group_services
from sanshe.groups.models import RecordRequest
from sanshe.records import selectors, services
from sanshe.records.models import DailySummary, ServiceRecord

from .conftest import consultation, medical, psychological, social_work

pytestmark = pytest.mark.django_db


def _visible(user, record) -> bool:
    return ServiceRecord.objects.for_actor(user, "view").filter(pk=record.pk).exists()


@pytest.fixture
def records(world, focus, social_worker, secretary, medic, counsellor):
    return {
        "consult_medical": consultation(secretary, focus, world.head, kind="medical"),
        "consult_psych": consultation(secretary, focus, world.head, kind="psychological"),
        "consult_other": consultation(secretary, focus, world.head, kind="other"),
        "medical": medical(medic, focus, world.head),
        "psychological": psychological(counsellor, focus, world.head),
        "social_work": social_work(social_worker, focus, world.head),
    }


# viewer → the record kinds they see (need-to-know, scoped by group and community)
MATRIX = {
    "social_worker": {"consult_medical", "consult_psych", "consult_other", "medical", "psychological", "social_work"},
    "medic": {"consult_medical", "consult_other", "medical"},
    "counsellor": {"consult_psych", "consult_other", "psychological"},
    "secretary": {"consult_medical", "consult_psych", "consult_other"},  # their own tool-3 records only
    "community_worker": set(),
    "org_admin": set(),
    "resident": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_need_to_know_matrix(request, records, persona):
    user = request.getfixturevalue(persona)
    seen = {name for name, record in records.items() if _visible(user, record)}
    assert seen == MATRIX[persona]


def test_secretary_does_not_see_another_secretarys_clinical_consultations(world, focus, social_worker, secretary):
    from tests.conftest import clear_for_duty
    from tests.factories import Role, UserFactory, grant

    other = UserFactory(username="mishu2")
    grant(other, world.org, Role.GENERAL_VOLUNTEER, communities=[])
    clear_for_duty(other, world.org, Role.GENERAL_VOLUNTEER)
    group_services.member_add(actor=social_worker, group=focus, user=other, role="secretary")
    medical_note = consultation(other, focus, world.head, kind="medical")
    general_note = consultation(other, focus, world.head, kind="other")
    assert not _visible(secretary, medical_note)
    assert _visible(secretary, general_note)


def test_volunteer_sees_only_groups_they_serve_in(world, focus, other_group, social_worker, medic):
    group_services.member_add(actor=social_worker, group=other_group, user=medic, role="medical")
    record = medical(medic, other_group)
    from tests.conftest import clear_for_duty
    from tests.factories import Role, UserFactory, grant

    medic2 = UserFactory(username="yiwu2")
    grant(medic2, world.org, Role.MEDICAL_VOLUNTEER, communities=[])
    clear_for_duty(medic2, world.org, Role.MEDICAL_VOLUNTEER)
    group_services.member_add(actor=social_worker, group=focus, user=medic2, role="medical")
    assert not _visible(medic2, record)
    assert _visible(social_worker, record)


def test_writer_role_checked(world, focus, secretary, medic, counsellor, community_worker):
    with pytest.raises(ActionForbidden):
        medical(secretary, focus)
    with pytest.raises(ActionForbidden):
        psychological(medic, focus)
    with pytest.raises(ActionForbidden):
        consultation(counsellor, focus)
    with pytest.raises(ObjectNotFound):
        consultation(community_worker, focus)


def test_client_outside_scope_refused_nothing_saved(world, focus, secretary, social_worker):
    with pytest.raises(ValidationError) as error:
        consultation(secretary, focus, world.neighbour)  # lives in the community but is not in the group
    assert "不在您服务的群" in str(error.value)
    with pytest.raises(ValidationError):
        social_work(social_worker, focus, world.stranger)  # another community
    assert ServiceRecord.objects.count() == 0


def test_person_prefill_masked_on_screen_and_case_linked(world, focus, social_worker, secretary):
    from sanshe.cases.services import case_open

    world.head.phone = "13812345678"
    world.head.save()
    case = case_open(actor=social_worker, person_id=world.head.pk)
    case.demand_medical = "需要降压药"
    case.needs = ["medical_supplies"]
    case.save()
    record = services.record_create(actor=social_worker, kind="social_work", group_id=focus.pk,
                                    person_id=world.head.pk, data={})
    assert record.case == case and record.client_phone == "13812345678"
    assert record.phone_masked == "138****5678"
    assert record.demand_medical == "需要降压药" and record.needs == ["medical_supplies"]
    note = consultation(secretary, focus, world.head)
    assert note.case == case


def test_encrypted_at_rest(world, focus, medic):
    from django.db import connection

    record = medical(medic, focus, world.head, online_service="秘密症状描述XYZ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT online_service FROM records_servicerecord WHERE id = %s", [record.pk])
        raw = cursor.fetchone()[0]
    assert "XYZ" not in raw


def test_submitted_record_read_only_and_audited(world, focus, medic):
    record = medical(medic, focus, world.head)
    with pytest.raises(ValidationError):
        services.record_update(actor=medic, record_id=record.pk, data={"result": "改"})
    actions = set(AuditEvent.objects.filter(object_id=str(record.pk), object_type="records.servicerecord")
                  .values_list("action", flat=True))
    assert {"records.record.create", "records.record.submit"} <= actions


def test_only_author_edits_draft(world, focus, medic, social_worker):
    record = medical(medic, focus, world.head, submit=False)
    with pytest.raises(ActionForbidden):
        services.record_update(actor=social_worker, record_id=record.pk, data={"result": "x"})


@pytest.fixture
def request_with_image(world, on_duty, secretary, resident, medic):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanshe.groups.models import ChatImage

    image = ChatImage.objects.create(uploaded_by=resident, group=on_duty, content_type="image/png", size=10,
                                     file=SimpleUploadedFile("a.png", b"\x89PNG....", content_type="image/png"))
    q = group_services.message_send(actor=resident, group=on_duty, body="老人咳嗽发烧，需要去医院吗？").message
    pic = group_services.message_send(actor=resident, group=on_duty, image_id=image.pk).message
    a = group_services.message_send(actor=medic, group=on_duty, body="先测体温，多喝水").message
    return group_services.record_request_create(actor=secretary, group=on_duty, message_ids=[q.pk, pic.pk, a.pk],
                                                consult_kind="medical", note="请整理")


def test_record_this_becomes_a_consultation_draft(world, request_with_image, secretary, medic):
    record = services.consultation_from_request(actor=secretary, request_id=request_with_image.pk)
    assert record.kind == "consultation" and record.is_draft and record.consult_kind == "medical"
    assert record.person == world.head and record.client_name == "张伟"
    assert "老人咳嗽发烧" in record.chat_record and "请整理" in record.chat_record
    assert record.points == [{"q": "老人咳嗽发烧，需要去医院吗？", "a": "先测体温，多喝水"}]
    assert record.images.count() == 1
    assert str(medic) in record.service_staff
    request_with_image.refresh_from_db()
    assert request_with_image.status == "recorded" and request_with_image.record_id == str(record.pk)
    assert request_with_image.record_type == "records.servicerecord"
    with pytest.raises(ValidationError):
        services.consultation_from_request(actor=secretary, request_id=request_with_image.pk)
    assert selectors.open_record_requests(actor=secretary) == []


def test_record_this_refused_to_medic_and_outsider(request_with_image, medic, outsider):
    for user in (medic, outsider):
        with pytest.raises(ObjectNotFound):
            services.consultation_from_request(actor=user, request_id=request_with_image.pk)
    assert RecordRequest.objects.get().status == "open"


def test_open_requests_listed_for_secretary(request_with_image, secretary, medic):
    assert [r.pk for r in selectors.open_record_requests(actor=secretary)] == [request_with_image.pk]
    assert selectors.open_record_requests(actor=medic) == []


# ------------------------------------------------------------------------------------------- referral out

def test_referral_out_tracks_and_moves_case(world, focus, social_worker):
    from sanshe.cases.services import case_open

    case = case_open(actor=social_worker, person_id=world.head.pk)
    referral = services.referral_out_create(actor=social_worker, person_id=world.head.pk, kind="hospital",
                                            institution="市第一医院发热门诊", contact="王主任 027-1234",
                                            reason="持续高热，需住院评估")
    case.refresh_from_db()
    assert referral.case == case and case.status == "referred_out"
    with pytest.raises(ValidationError):
        services.referral_out_advance(actor=social_worker, referral_id=referral.pk, status="done")
    services.referral_out_advance(actor=social_worker, referral_id=referral.pk, status="confirmed", note="已收治")
    referral = services.referral_out_advance(actor=social_worker, referral_id=referral.pk, status="done")
    assert referral.confirmed_at and referral.closed_at and not referral.is_open
    assert [e.status for e in referral.events.all()] == ["sent", "confirmed", "done"]
    actions = list(AuditEvent.objects.filter(action__startswith="records.referral_out").order_by("pk").values_list("action",
                                                                                                    flat=True))
    assert actions == ["records.referral_out.send", "records.referral_out.confirmed", "records.referral_out.done"]


def test_referral_out_validation_and_roles(world, social_worker, medic, secretary):
    with pytest.raises(ValidationError) as error:
        services.referral_out_create(actor=social_worker, person_id=world.head.pk, kind="moon", institution="",
                                     contact="", reason="")
    assert set(error.value.message_dict) == {"kind", "institution", "contact", "reason"}
    with pytest.raises(ValidationError):
        services.referral_out_create(actor=social_worker, person_id=world.stranger.pk, kind="community",
                                     institution="x", contact="y", reason="z")
    with pytest.raises(ActionForbidden):
        services.referral_out_create(actor=medic, person_id=world.head.pk, kind="hospital", institution="x",
                                     contact="y", reason="z")
    referral = services.referral_out_create(actor=social_worker, person_id=world.head.pk, kind="civil_affairs",
                                            institution="区民政局", contact="李科长", reason="低保申请")
    with pytest.raises(ValidationError) as error:
        services.referral_out_advance(actor=social_worker, referral_id=referral.pk, status="declined")
    assert "note" in error.value.message_dict
    with pytest.raises(ObjectNotFound):
        services.referral_out_advance(actor=secretary, referral_id=referral.pk, status="confirmed")


# ----------------------------------------------------------------------------------------- daily summary

@pytest.fixture
def day_records(records):
    return records


def test_summary_compile_edit_finalise(world, focus, day_records, secretary, medic, social_worker, counsellor):
    day = timezone.localdate()
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=day)
    rows = list(summary.rows.all())
    assert len(rows) == 1
    row = rows[0]
    assert row.client_name == "张伟" and row.community_name == world.home.name
    assert "发烧37.5度要去医院吗" in row.request_content
    assert "居家观察" in row.medical_content and "放松训练" in row.psychological_content
    assert "联系社区送药" in row.social_work_content and "明天回访" in row.follow_up
    assert len(row.record_ids) == 6
    # Need-to-know on edit: the secretary edits general columns only, the medic the medical ones too.
    with pytest.raises(ActionForbidden):
        services.summary_row_update(actor=secretary, row_id=row.pk, data={"medical_content": "x"})
    services.summary_row_update(actor=secretary, row_id=row.pk, data={"evaluation": "满意"})
    services.summary_row_update(actor=medic, row_id=row.pk, data={"confirmed": False, "basic_info": "男，40岁，低热"})
    with pytest.raises(ActionForbidden):
        services.summary_row_update(actor=medic, row_id=row.pk, data={"psychological_content": "x"})
    # A record submitted later is appended on recompiling; edits are kept.
    consultation(secretary, focus, world.head, kind="other", consultation_points=[{"q": "物资什么时候到", "a": "明天"}])
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=day)
    row.refresh_from_db()
    assert "物资什么时候到" in row.request_content and row.evaluation == "满意" and row.confirmed is False
    assert summary.rows.count() == 1
    with pytest.raises(ActionForbidden):
        services.summary_finalise(actor=medic, summary_id=summary.pk)
    services.summary_finalise(actor=secretary, summary_id=summary.pk)
    with pytest.raises(ValidationError):
        services.summary_row_update(actor=social_worker, row_id=row.pk, data={"evaluation": "x"})
    with pytest.raises(ValidationError):
        services.summary_compile(actor=secretary, group_id=focus.pk, day=day)
    actions = list(AuditEvent.objects.filter(object_type="records.dailysummary").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["records.summary.compile", "records.summary.edit", "records.summary.edit",
                       "records.summary.compile", "records.summary.finalise"]
    del counsellor


def test_summary_compile_roles(world, focus, day_records, medic, community_worker, outsider):
    day = timezone.localdate()
    with pytest.raises(ActionForbidden):
        services.summary_compile(actor=medic, group_id=focus.pk, day=day)
    for user in (community_worker, outsider):
        with pytest.raises(ObjectNotFound):
            services.summary_compile(actor=user, group_id=focus.pk, day=day)
    assert DailySummary.objects.count() == 0


def test_summary_ignores_drafts_and_other_days(world, focus, secretary):
    consultation(secretary, focus, world.head, submit=False)
    summary = services.summary_compile(actor=secretary, group_id=focus.pk, day=timezone.localdate())
    assert summary.rows.count() == 0
    with pytest.raises(ValidationError):
        services.summary_finalise(actor=secretary, summary_id=summary.pk)


def test_handover_lists_clients_follow_ups_and_appointments(world, focus, day_records, social_worker, secretary):
    items = selectors.handover_list(actor=social_worker, group_id=focus.pk, day=timezone.localdate())
    assert len(items) == 1
    item = items[0]
    assert item.name == "张伟" and item.next_appointment is not None and "明天回访" in item.follow_ups
    # Need-to-know holds in the handover: the secretary sees only their own consultation records.
    mine = selectors.handover_list(actor=secretary, group_id=focus.pk, day=timezone.localdate())
    assert mine[0].next_appointment is None and len(mine[0].record_ids) == 3


def test_case_section_context(world, focus, social_worker, medic, secretary):
    from sanshe.cases.services import case_open
    from sanshe.records.case_sections import CASE_SECTIONS

    case = case_open(actor=social_worker, person_id=world.head.pk)
    medical(medic, focus, world.head)
    section = CASE_SECTIONS[0]
    context = section.context(social_worker, case)
    assert len(context["records"]) == 1 and context["can_refer"]
    assert section.context(secretary, case) is None


def test_numbers_per_kind_and_day_and_a_taken_number_is_retried(world, focus, secretary, medic, monkeypatch):
    first = consultation(secretary, focus, world.head)
    second = consultation(secretary, focus, world.head)
    assert first.number.startswith("ZX") and first.number.endswith("-0001") and second.number.endswith("-0002")
    assert medical(medic, focus, world.head).number.endswith("-0001")
    # Another writer took the next number between reading and saving: the save retries with the next one.
    calls = []
    real = services._number

    def stale(kind, on):
        calls.append(kind)
        return second.number if len(calls) == 1 else real(kind, on)

    monkeypatch.setattr(services, "_number", stale)
    third = consultation(secretary, focus, world.head)
    assert third.number.endswith("-0003") and len(calls) == 2
