"""Group services: every rule a user would notice, and the records they leave."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.groups import selectors, services
from sanshe.groups.duty import on_duty_helper, on_duty_user_ids
from sanshe.groups.models import (
    Blacklist,
    ChatEvent,
    DutyKind,
    Group,
    GroupMember,
    GroupTier,
    MemberRole,
    MemberStatus,
    Message,
    MessageStatus,
    ModerationAction,
    ModerationPolicy,
    RecordRequest,
    RiskAlert,
    RiskAlertStatus,
)
from tests.factories import Role, UserFactory, grant

from .conftest import make_client, make_resident, put_on_duty

pytestmark = pytest.mark.django_db


def send(user, group, body, **kwargs):
    return services.message_send(actor=user, group=Group.objects.get(pk=group.pk), body=body, **kwargs).message


# ---------------------------------------------------------------------------------------------- creating

def test_social_worker_creates_a_focus_group_and_is_its_admin(world, social_worker):
    group = services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="聚焦一群")
    assert group.admin == social_worker and group.capacity == 500 and group.organisation == world.org
    admin = GroupMember.objects.get(group=group, user=social_worker)
    assert admin.role == MemberRole.ADMIN and admin.nickname.startswith("社工-")
    assert AuditEvent.objects.filter(action="groups.group.create", object_id=str(group.pk)).exists()


def test_who_may_create_which_tier(world, community_worker, outsider, building_steward, secretary):
    with pytest.raises(ActionForbidden):
        services.group_create(actor=community_worker, tier=GroupTier.KEY, community=world.home, name="x")
    with pytest.raises(ActionForbidden):
        services.group_create(actor=secretary, tier=GroupTier.RESIDENT, community=world.home, name="x",
                              compound=world.compound)
    with pytest.raises(ValidationError, match="不负责该社区"):
        services.group_create(actor=outsider, tier=GroupTier.RESIDENT, community=world.home, name="x",
                              compound=world.compound)
    with pytest.raises(ValidationError, match="须选择小区"):
        services.group_create(actor=community_worker, tier=GroupTier.RESIDENT, community=world.home, name="x")
    group = services.group_create(actor=building_steward, tier=GroupTier.RESIDENT, community=world.home,
                                  compound=world.compound, building=world.building, name="1栋居民群")
    assert group.building == world.building


# ---------------------------------------------------------------------------------------------- joining

def test_one_representative_per_household_joins_by_link(world, resident_group, community_worker, resident):
    invite = services.invite_create(actor=community_worker, group=resident_group)
    assert timedelta(days=6, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=7)
    member = services.invite_accept(actor=resident, token=invite.token, title="张先生")
    assert member.status == MemberStatus.ACTIVE and member.nickname == "1栋-101-张先生"
    spouse = make_resident(world, world.household, "spouse_user", "王芳")
    with pytest.raises(ValidationError, match="每户一名代表"):
        services.invite_accept(actor=spouse, token=invite.token)
    neighbour = make_resident(world, world.household2, "neighbour_user", "李娜")
    assert services.invite_accept(actor=neighbour, token=invite.token, title="李阿姨").nickname == "2栋-202-李阿姨"
    # Joining again is harmless: the same membership comes back.
    assert services.invite_accept(actor=resident, token=invite.token).pk == member.pk
    assert services.invite_problem(invite.__class__.objects.get(pk=invite.pk)) == ""


def test_resident_groups_only_take_households_of_their_compound(world, resident_group, community_worker):
    invite = services.invite_create(actor=community_worker, group=resident_group)
    stranger = make_resident(world, world.away_household, "stranger_user")
    with pytest.raises(ValidationError, match="只接受"):
        services.invite_accept(actor=stranger, token=invite.token)
    nobody = UserFactory(username="no_household")
    with pytest.raises(ValidationError, match="还没有关联住户"):
        services.invite_accept(actor=nobody, token=invite.token)


def test_invites_expire_run_out_and_can_be_revoked(world, focus, social_worker):
    expired = services.invite_create(actor=social_worker, group=focus, days=1)
    client = UserFactory(username="late")
    with pytest.raises(ValidationError, match="已过期"):
        services.invite_accept(actor=client, token=expired.token, now=timezone.now() + timedelta(days=2))
    once = services.invite_create(actor=social_worker, group=focus, max_uses=1)
    services.invite_accept(actor=client, token=once.token)
    with pytest.raises(ValidationError, match="次数已满"):
        services.invite_accept(actor=UserFactory(username="second"), token=once.token)
    revoked = services.invite_revoke(actor=social_worker, invite=services.invite_create(actor=social_worker,
                                                                                         group=focus))
    with pytest.raises(ValidationError, match="无效或已作废"):
        services.invite_accept(actor=UserFactory(username="third"), token=revoked.token)
    with pytest.raises(ValidationError, match="1 到 30 天"):
        services.invite_create(actor=social_worker, group=focus, days=60)


def test_a_full_group_sends_newcomers_to_an_overflow_group_with_the_same_settings(world, social_worker):
    group = services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="小群",
                                  capacity=3)
    services.group_update(actor=social_worker, group=group, name="小群", capacity=3,
                          settings=selectors.group_settings(group).__class__(slow_mode_seconds=30))
    services.announcement_set(actor=social_worker, group=group, text="欢迎")
    invite = services.invite_create(actor=social_worker, group=group)
    joined = [services.invite_accept(actor=UserFactory(username=f"c{i}"), token=invite.token) for i in range(4)]
    assert [m.group_id for m in joined[:2]] == [group.pk, group.pk]  # the admin and two clients: full
    overflow = joined[2].group
    assert overflow.overflow_of_id == group.pk and overflow.name == "小群（2群）"
    assert overflow.settings["slow_mode_seconds"] == 30 and overflow.announcement == "欢迎"
    assert overflow.admin == social_worker and joined[3].group_id == overflow.pk
    assert selectors.active_member_count(group=overflow) == 3
    with pytest.raises(ValidationError, match="本群已满"):
        services.member_add(actor=social_worker, group=group, user=UserFactory(), role=MemberRole.CLIENT)


def test_join_approval_keeps_newcomers_waiting_until_the_admin_agrees(world, focus, social_worker):
    invite = services.invite_create(actor=social_worker, group=focus, requires_approval=True)
    client = UserFactory(username="waiting")
    member = services.invite_accept(actor=client, token=invite.token, title="刘女士")
    assert member.status == MemberStatus.PENDING
    with pytest.raises(services.PostingRefused, match="待群管理员审核"):
        send(client, focus, "你好")
    services.join_decide(actor=social_worker, member=member, approve=True)
    assert send(client, focus, "你好").status == MessageStatus.PUBLISHED


def test_member_roles_must_match_the_account(world, focus, social_worker, resident):
    with pytest.raises(ValidationError, match="没有“医务志愿者”的角色"):
        services.member_add(actor=social_worker, group=focus, user=UserFactory(), role=MemberRole.MEDICAL)


# ---------------------------------------------------------------------------------------------- duty

def test_off_duty_volunteers_cannot_post_in_consultation_groups(focus, social_worker, medic, resident, secretary):
    with pytest.raises(services.PostingRefused, match="非值班时间"):
        send(medic, focus, "大家好")
    duty = put_on_duty(social_worker, focus, medic, DutyKind.MEDICAL)
    assert send(medic, focus, "我是今天的值班医生").status == MessageStatus.PUBLISHED
    services.duty_cancel(actor=social_worker, duty=duty)
    with pytest.raises(services.PostingRefused):
        send(medic, focus, "还在吗")
    # The admin always may; clients may unless muted.
    assert send(social_worker, focus, "通知").status == MessageStatus.PUBLISHED
    assert send(resident, focus, "请问").status == MessageStatus.PUBLISHED
    assert not {m.body for m in Message.objects.all()} & {"大家好", "还在吗"}  # bodies are ciphertext in SQL


def test_duty_must_fit_the_members_role_and_window(focus, social_worker, medic):
    now = timezone.now()
    with pytest.raises(ValidationError, match="不能担任"):
        services.duty_set(actor=social_worker, group=focus, user=medic, kind=DutyKind.PSYCHOLOGICAL,
                          starts_at=now, ends_at=now + timedelta(hours=1))
    with pytest.raises(ValidationError, match="晚于开始时间"):
        services.duty_set(actor=social_worker, group=focus, user=medic, kind=DutyKind.MEDICAL,
                          starts_at=now, ends_at=now - timedelta(hours=1))


def test_on_duty_unions_manual_duty_and_the_roster(focus, social_worker, medic, counsellor):
    from sanshe.rosters.duty import roster_on_duty_user_ids

    now = timezone.now()
    put_on_duty(social_worker, focus, medic, DutyKind.MEDICAL)
    assert on_duty_user_ids(group=focus, at=now) == {medic.pk} | roster_on_duty_user_ids(group_id=focus.pk, at=now)
    assert on_duty_user_ids(group=focus, at=now + timedelta(hours=5)) == set()
    assert on_duty_helper(group=focus, kind="medical", at=now) == medic
    assert on_duty_helper(group=focus, kind="psychological", at=now) is None


def test_a_roster_shift_puts_its_volunteer_on_duty(focus, counsellor):
    """The roster feature's shifts count as duty (the contract with sanshe.rosters.duty)."""
    from sanshe.rosters.models import Assignment, AssignmentSource, AssignmentStatus, Shift, ShiftNeed

    now = timezone.now()
    with pytest.raises(services.PostingRefused):
        send(counsellor, focus, "我在值班")
    shift = Shift.objects.create(group=focus, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    need = ShiftNeed.objects.create(shift=shift, kind=DutyKind.PSYCHOLOGICAL, needed=1, filled=1)
    Assignment.objects.create(shift=shift, need=need, user=counsellor, kind=DutyKind.PSYCHOLOGICAL,
                              status=AssignmentStatus.ACTIVE, source=AssignmentSource.ASSIGN)
    assert counsellor.pk in on_duty_user_ids(group=focus, at=now)
    assert on_duty_helper(group=focus, kind="psychological", at=now) == counsellor
    assert send(counsellor, focus, "我在值班，有需要请说").status == MessageStatus.PUBLISHED
    assert counsellor.pk not in on_duty_user_ids(group=focus, at=now + timedelta(hours=3))


# ---------------------------------------------------------------------------------------------- threads

def test_private_threads_are_seen_by_their_two_people_and_the_admin_whose_reading_is_audited(
        on_duty, resident, counsellor, secretary, social_worker, medic):
    thread = services.thread_open(actor=resident, group=on_duty, kind=DutyKind.PSYCHOLOGICAL)
    assert thread.helper == counsellor
    services.message_send(actor=resident, group=on_duty, thread=thread, body="我最近睡不好，不想在群里说")
    assert selectors.access_thread(actor=counsellor, thread_id=thread.pk) == thread
    for outsider in (secretary, medic):
        with pytest.raises(ObjectNotFound):
            selectors.access_thread(actor=outsider, thread_id=thread.pk)
        assert not Message.objects.for_actor(outsider).filter(thread=thread).exists()
    other_client = make_client(social_worker, on_duty, "other_client")
    with pytest.raises(ObjectNotFound):
        selectors.access_thread(actor=other_client, thread_id=thread.pk)
    services.thread_read_by_admin(actor=counsellor, thread=thread)
    assert not AuditEvent.objects.filter(action="groups.thread.read").exists()
    services.thread_read_by_admin(actor=social_worker, thread=thread)
    assert AuditEvent.objects.filter(action="groups.thread.read", actor=social_worker,
                                     object_id=str(thread.pk)).exists()
    # Thread messages are not in the group's stream.
    assert not ChatEvent.objects.filter(group=on_duty, thread__isnull=True, message__thread=thread).exists()


def test_no_helper_on_duty_means_a_clear_message(focus, resident):
    with pytest.raises(ValidationError, match="现在没有值班的心理咨询志愿者"):
        services.thread_open(actor=resident, group=focus, kind=DutyKind.PSYCHOLOGICAL)


# ---------------------------------------------------------------------------------------------- rules

def test_rumours_are_held_and_the_admin_decides(on_duty, resident, social_worker, secretary):
    held = send(resident, on_duty, "内部消息：喝白酒可以预防新冠")
    assert held.status == MessageStatus.HELD and held.seq is None and held.held_categories == ["rumour"]
    assert not ChatEvent.objects.filter(message=held).exists()  # nobody is sent a held message
    assert held not in selectors.stream_messages(actor=secretary, group=on_duty)
    assert held in selectors.stream_messages(actor=resident, group=on_duty)  # the sender sees it waits
    assert selectors.held_messages(group=on_duty) == [held]
    with pytest.raises(ActionForbidden):
        services.message_review(actor=secretary, message=held, approve=True)
    approved = services.message_review(actor=social_worker, message=held, approve=True, reason="已核实")
    assert approved.status == MessageStatus.PUBLISHED and approved.seq
    record = ModerationAction.objects.get(kind="approve")
    assert record.message_snapshot == held.body and record.category == "rumour" and record.actor == social_worker
    with pytest.raises(ValidationError, match="已经处理过"):
        services.message_review(actor=social_worker, message=held, approve=False)


def test_rejecting_with_a_warning_climbs_the_ladder_to_mute_remove_and_blacklist(world, on_duty, resident,
                                                                                 social_worker):
    def rumour():
        message = send(resident, on_duty, "紧急扩散：明天封城")
        return services.message_review(actor=social_worker, message=message, approve=False, warn=True,
                                       reason="传播不实信息")

    rumour()
    member = GroupMember.objects.get(group=on_duty, user=resident)
    assert member.muted_until is None and ModerationAction.objects.filter(kind="warn").count() == 1
    rumour()
    member.refresh_from_db()
    assert member.muted_until is not None
    with pytest.raises(services.PostingRefused, match="禁言"):
        send(resident, on_duty, "为什么")
    GroupMember.objects.filter(pk=member.pk).update(muted_until=None)
    rumour()
    member.refresh_from_db()
    assert member.status == MemberStatus.REMOVED
    kinds = list(ModerationAction.objects.filter(target=resident).order_by("id").values_list("kind", flat=True))
    assert kinds == ["reject", "warn", "reject", "warn", "mute", "reject", "warn", "remove"]
    # A second removal in the organisation blacklists: no more groups of this organisation.
    other = services.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="另一群")
    other_member = services.member_add(actor=social_worker, group=other, user=resident, role=MemberRole.CLIENT)
    services.member_remove(actor=social_worker, member=other_member, reason="再次传播谣言")
    assert Blacklist.objects.filter(user=resident, organisation=world.org, lifted_at__isnull=True).exists()
    invite = services.invite_create(actor=social_worker, group=other)
    with pytest.raises(ValidationError, match="暂时不能加入"):
        services.invite_accept(actor=resident, token=invite.token)


def test_records_are_append_only(on_duty, resident, social_worker):
    services.member_warn(actor=social_worker, member=GroupMember.objects.get(group=on_duty, user=resident),
                         reason="提醒")
    record = ModerationAction.objects.get()
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()


def test_three_reports_from_different_members_hold_a_message(on_duty, resident, social_worker):
    message = send(resident, on_duty, "这个小区的人都是坏人")
    reporters = [make_client(social_worker, on_duty, f"reporter{i}") for i in range(3)]
    services.message_report(actor=reporters[0], message=message, reason="不友善")
    with pytest.raises(ValidationError, match="已举报过"):
        services.message_report(actor=reporters[0], message=message)
    services.message_report(actor=reporters[1], message=message)
    assert Message.objects.get(pk=message.pk).status == MessageStatus.PUBLISHED
    services.message_report(actor=reporters[2], message=message)
    message.refresh_from_db()
    assert message.status == MessageStatus.HELD and message.report_count == 3
    removed = ChatEvent.objects.filter(message=message).order_by("seq").last()
    assert removed.kind == "message_removed"  # every open chat takes it down
    assert ModerationAction.objects.filter(kind="hold_reports", message=message).exists()
    with pytest.raises(ValidationError, match="不能举报自己"):
        services.message_report(actor=resident, message=message)


def test_a_staff_report_holds_at_once(on_duty, resident, secretary):
    message = send(resident, on_duty, "大家来看这个")
    services.message_report(actor=secretary, message=message)
    assert Message.objects.get(pk=message.pk).status == MessageStatus.HELD


def test_slow_mode_limits_clients_not_staff(on_duty, resident, secretary, social_worker):
    settings = selectors.group_settings(on_duty).__class__(slow_mode_seconds=60)
    services.group_update(actor=social_worker, group=on_duty, name=on_duty.name, capacity=500, settings=settings)
    now = timezone.now()
    send(resident, on_duty, "第一条", now=now)
    with pytest.raises(services.PostingRefused, match="慢速模式"):
        send(resident, on_duty, "第二条", now=now + timedelta(seconds=30))
    assert send(resident, on_duty, "第三条", now=now + timedelta(seconds=61)).status == MessageStatus.PUBLISHED
    send(secretary, on_duty, "值班提醒", now=now)
    assert send(secretary, on_duty, "再提醒", now=now + timedelta(seconds=1)).status == MessageStatus.PUBLISHED


def test_new_members_links_and_forwards_are_held_for_their_first_hour(on_duty, social_worker):
    newcomer = make_client(social_worker, on_duty, "newcomer")
    joined = GroupMember.objects.get(group=on_duty, user=newcomer).joined_at
    link = "卫健委最新通报 https://www.nhc.gov.cn/xcs/yqtb/"
    assert send(newcomer, on_duty, link, now=joined + timedelta(minutes=10)).status == MessageStatus.HELD
    later = send(newcomer, on_duty, link + " ", now=joined + timedelta(minutes=61))
    assert later.status == MessageStatus.PUBLISHED
    policy = ModerationPolicy.objects.create(organisation=on_duty.organisation, probation_minutes=0)
    assert policy.probation_minutes == 0


def test_a_person_in_crisis_is_never_hidden_by_the_negative_content_rule(on_duty, resident):
    message = send(resident, on_duty, "我真的不想活了，大家都得死，我也是")
    assert message.status == MessageStatus.PUBLISHED and message.risk_level >= 6


def test_rule_lists_are_editable_per_organisation(world, on_duty, resident, social_worker, secretary):
    with pytest.raises(ObjectNotFound):
        services.rulelist_save(actor=secretary, organisation=world.org, category="rumour", terms="牛黄*治")
    with pytest.raises(ValidationError, match="至少两个字"):
        services.rulelist_save(actor=social_worker, organisation=world.org, category="rumour", terms="治\n牛黄")
    services.rulelist_save(actor=social_worker, organisation=world.org, category="rumour", terms="牛黄*包好")
    assert send(resident, on_duty, "吃牛黄丸包好").status == MessageStatus.HELD
    # The saved list replaces the default list of that category.
    assert send(resident, on_duty, "听说疫苗致死率很高").status == MessageStatus.PUBLISHED
    # A category switched off holds nothing, the built-in claim shapes of that category included.
    services.rulelist_save(actor=social_worker, organisation=world.org, category="panic", terms="", is_active=False)
    assert send(resident, on_duty, "赶紧囤米，明天就买不到了").status == MessageStatus.PUBLISHED


def test_the_moderation_model_holds_what_the_rules_miss_and_names_itself(world, on_duty, resident, social_worker):
    text = "用淘米水洗鼻子，病毒就进不去"  # no word list, claim shape or rumour entry knows this wording
    held = send(resident, on_duty, text)
    assert held.status == MessageStatus.HELD and held.held_categories == ["rumour"]
    assert "统计模型判断（把握 0." in held.held_reason
    assert send(social_worker, on_duty, text).status == MessageStatus.PUBLISHED  # staff are never moderated
    services.rulelist_save(actor=social_worker, organisation=world.org, category="rumour", terms="", is_active=False)
    assert send(resident, on_duty, text + "。").status == MessageStatus.PUBLISHED


# ---------------------------------------------------------------------------------------------- messages

def test_mentions_replies_and_a_resend_that_does_not_double(on_duty, resident, secretary):
    question = send(resident, on_duty, "请问什么时候送药？")
    answer = send(secretary, on_duty, "@张先生 下午三点", reply_to_id=question.pk)
    assert list(answer.mentions.all()) == [resident] and answer.reply_to == question
    first = services.message_send(actor=resident, group=on_duty, body="收到", client_id="abc-1")
    again = services.message_send(actor=resident, group=on_duty, body="收到", client_id="abc-1")
    assert first.created and not again.created and again.message.pk == first.message.pk
    assert [m.body for m in Message.objects.all()].count("收到") == 1
    with pytest.raises(ValidationError, match="空消息"):
        send(resident, on_duty, "   ")
    with pytest.raises(ValidationError, match="最多 2000 字"):
        send(resident, on_duty, "长" * 2001)


def test_catch_up_returns_every_event_after_a_seq_exactly_once(on_duty, resident, social_worker):
    sent = [send(resident, on_duty, f"消息{i}") for i in range(5)]
    services.message_delete(actor=social_worker, message=sent[1], reason="重复")
    services.announcement_set(actor=social_worker, group=on_duty, text="今晚8点服务")
    seqs = [e.seq for e in selectors.stream_events_after(group=on_duty, thread=None, after_seq=0)]
    assert seqs == sorted(set(seqs)) and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    after = selectors.stream_events_after(group=on_duty, thread=None, after_seq=sent[2].seq)
    from sanshe.groups.events import event_payload

    kinds = [event_payload(e, group=Group.objects.get(pk=on_duty.pk))["kind"] for e in after]
    assert kinds == ["message", "message", "message_removed", "announcement"]


def test_unread_counts_follow_what_was_read(on_duty, resident, secretary):
    for i in range(3):
        send(secretary, on_duty, f"通知{i}")
    row = next(g for g in selectors.group_list(actor=resident) if g.pk == on_duty.pk)
    assert row.unread == 3
    group = Group.objects.get(pk=on_duty.pk)
    services.read_mark(actor=resident, group=group, seq=group.last_seq)
    row = next(g for g in selectors.group_list(actor=resident) if g.pk == on_duty.pk)
    assert row.unread == 0


def test_images_are_checked_and_their_metadata_removed(on_duty, resident):
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (30, 35, 0), 4: (114, 18, 0)}  # GPS position of the phone
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG", exif=exif)
    image = services.image_upload(actor=resident, group=on_duty, data=buffer.getvalue())
    assert (image.content_type, image.width, image.height) == ("image/jpeg", 64, 48)
    with Image.open(image.file.open("rb")) as stored:
        assert not stored.getexif()
    message = send(resident, on_duty, "", image_id=image.pk)
    assert message.kind == "image" and message.status == MessageStatus.PUBLISHED
    with pytest.raises(ValidationError, match="不是有效的图片"):
        services.image_upload(actor=resident, group=on_duty, data=b"%PDF-1.4 not an image")
    with pytest.raises(ValidationError, match="不能超过 5 MB"):
        services.image_upload(actor=resident, group=on_duty, data=b"0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="已失效"):
        send(resident, on_duty, "再发一次", image_id=image.pk)


def test_a_picture_declaring_50000_by_50000_pixels_is_refused_as_too_large(on_duty, resident):
    """A few hundred bytes that would decode to 7.5 GB: refused from its header, in the parser's child process,
    with the message that says what to do (the original code called it "not a valid picture")."""
    from tests.core.crafted_files import png_declaring

    with pytest.raises(ValidationError, match="图片尺寸过大"):
        services.image_upload(actor=resident, group=on_duty, data=png_declaring(50_000, 50_000))
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        services.image_upload(actor=resident, group=on_duty, data=png_declaring(8_000, 6_000))  # 48 MP > 40 MP


# ---------------------------------------------------------------------------------------------- alerts

def test_risk_alerts_reach_the_on_duty_counsellor_and_the_admin(on_duty, resident, counsellor, social_worker,
                                                                  medic):
    message = send(resident, on_duty, "我真的不想活了")
    alert = RiskAlert.objects.get(message=message)
    assert message.status == MessageStatus.PUBLISHED  # risk never hides a message
    assert alert.level >= 6 and alert.level < 9 and alert.subject == resident
    assert set(alert.recipients.values_list("pk", flat=True)) == {counsellor.pk, social_worker.pk}
    medical = RiskAlert.objects.get(message=send(resident, on_duty, "我爸喘不上气，嘴唇发紫"))
    assert medical.level >= 9 and medic.pk in set(medical.recipients.values_list("pk", flat=True))
    assert timedelta(minutes=4) < medical.ack_deadline - medical.created_at <= timedelta(minutes=5)
    assert RiskAlert.objects.for_actor(resident).count() == 0


def test_hyperbole_raises_no_alert(on_duty, resident):
    send(resident, on_duty, "今天排队做核酸，累死了，热死了，笑死了")
    assert RiskAlert.objects.count() == 0


def test_an_alert_not_acknowledged_in_time_escalates_and_acknowledgement_is_timed(world, on_duty, resident,
                                                                                  social_worker, counsellor):
    other_sw = UserFactory(username="sw2")
    grant(other_sw, world.org, Role.SOCIAL_WORKER, communities=[world.home])
    admin = UserFactory(username="orgadmin2")
    grant(admin, world.org, Role.ORG_ADMIN)
    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我不想活了，这是我的遗言"))
    before = set(alert.recipients.values_list("pk", flat=True))
    assert services.alerts_escalate_overdue(now=alert.created_at + timedelta(minutes=1)) == 0
    later = alert.ack_deadline + timedelta(seconds=1)
    assert services.alerts_escalate_overdue(now=later) == 1
    alert.refresh_from_db()
    after = set(alert.recipients.values_list("pk", flat=True))
    assert alert.escalation_step >= 1 and after > before
    assert AuditEvent.objects.filter(action="groups.risk_alert.escalate", object_id=str(alert.pk)).exists()
    acked = services.alert_acknowledge(actor=counsellor, alert=alert, note="已私聊",
                                       now=alert.created_at + timedelta(seconds=95))
    assert acked.status == RiskAlertStatus.ACKNOWLEDGED and acked.ack_seconds == 95
    assert services.alerts_escalate_overdue(now=later + timedelta(hours=1)) == 0


def test_the_alert_can_move_the_client_into_a_key_group(world, on_duty, resident, social_worker):
    key = services.group_create(actor=social_worker, tier=GroupTier.KEY, community=world.home, name="重点陪助群")
    member = GroupMember.objects.get(group=on_duty, user=resident)
    moved = services.member_move(actor=social_worker, member=member, to_group=key)
    assert moved.group == key and moved.status == MemberStatus.ACTIVE
    assert GroupMember.objects.get(pk=member.pk).status == MemberStatus.LEFT


# ---------------------------------------------------------------------------------------------- secretary

def test_record_this_keeps_the_quote_for_a_consultation_record(on_duty, resident, secretary, counsellor):
    question = send(resident, on_duty, "孩子发烧38.5度怎么办？")
    answer = send(counsellor, on_duty, "先物理降温，多喝水")
    record = services.record_request_create(actor=secretary, group=on_duty, message_ids=[question.pk, answer.pk],
                                            consult_kind="medical", note="需跟进")
    assert record.client == resident and "张先生：孩子发烧38.5度怎么办？" in record.quoted_text
    assert "先物理降温" in record.quoted_text and RecordRequest.objects.count() == 1
    with pytest.raises(ActionForbidden):
        services.record_request_create(actor=resident, group=on_duty, message_ids=[question.pk])


def test_nickname_check_and_reminder(world, resident_group, community_worker, resident):
    invite = services.invite_create(actor=community_worker, group=resident_group)
    member = services.invite_accept(actor=resident, token=invite.token, title="张先生")
    services.member_rename(actor=resident, member=member, nickname="老张")
    problems = dict((m.user, why) for m, why in services.nickname_problems(group=resident_group))
    assert "楼栋-房号-称呼" in problems[resident]
    result = services.nickname_remind(actor=community_worker, group=resident_group)
    assert "楼栋-房号-称呼" in result.message.body and resident in result.message.mentions.all()


def test_templates_name_the_on_duty_volunteers(on_duty):
    text = services.template_render(group=on_duty, key="introduce")
    assert "医务志愿者医务-测试用户" in text and "心理咨询志愿者" in text
    assert "感谢" in services.template_render(group=on_duty, key="close")


# ---------------------------------------------------------------------------------------------- scope

def test_outsiders_and_non_members_do_not_see_a_group(world, focus, outsider):
    stranger = UserFactory(username="not_a_member")
    for user in (outsider, stranger):
        with pytest.raises(ObjectNotFound):
            selectors.access_group(actor=user, group_id=focus.pk)
        assert not Message.objects.for_actor(user).exists()
    with pytest.raises(ObjectNotFound):
        services.thread_open(actor=stranger, group=focus, kind=DutyKind.MEDICAL)


def test_managers_of_the_community_see_groups_they_are_not_in(world, focus, org_admin, community_worker,
                                                              resident_group):
    assert selectors.access_group(actor=org_admin, group_id=focus.pk, action="manage") == focus
    # Community workers run resident groups, not consultation groups.
    assert selectors.access_group(actor=community_worker, group_id=resident_group.pk, action="manage")
    with pytest.raises(ObjectNotFound):
        selectors.access_group(actor=community_worker, group_id=focus.pk)


def test_an_alert_starts_a_crisis_case_in_the_referral_inbox(world, on_duty, resident, counsellor, social_worker):
    from sanshe.cases.models import Referral, ReferralSource, ReferralUrgency

    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我攒了一瓶安眠药，今晚就吃"))
    referral = services.alert_refer(actor=social_worker, alert=alert, note="已电话联系家属")
    assert referral.person == world.head and referral.source_kind == ReferralSource.CHAT
    assert referral.urgency == ReferralUrgency.IMMEDIATE and "风险预警" in referral.reason
    # Once is enough: asking again returns the open referral.
    assert services.alert_refer(actor=social_worker, alert=alert).pk == referral.pk
    assert Referral.objects.count() == 1
    # A counsellor without communities cannot refer (the cases feature's rule), and an outsider sees nothing.
    with pytest.raises(ActionForbidden):
        services.alert_refer(actor=counsellor, alert=alert)


def test_triage_keeps_the_case_immediate_while_the_imminent_chat_alert_is_open(world, on_duty, resident,
                                                                                social_worker):
    """Issue 12's journey: an imminent chat alert → referral → take next → scales that look mild → triage
    proposes a lower urgency → accepting it leaves the case 立即处理 while the alert is not closed."""
    from sanshe.assessments.services import triage_decide, triage_run
    from sanshe.cases.services import referral_take_next
    from tests.assessments.conftest import give, likert

    alert = RiskAlert.objects.get(message=send(resident, on_duty, "我攒了一瓶安眠药，今晚就吃"))
    assert alert.level >= 9
    services.alert_refer(actor=social_worker, alert=alert, note="电话未接通")
    case = referral_take_next(actor=social_worker)
    assert case.urgency == "immediate"
    give(social_worker, case, "gad7", likert([2, 2, 2, 2, 1, 1, 1]))
    proposal = triage_run(actor=social_worker, case_id=case.pk)
    assert proposal.engine_urgency == "immediate"  # triage reads the open alert (issue 12 item 1)
    triage_decide(actor=social_worker, decision_id=proposal.pk, accept=False, tier=2, urgency="routine",
                  reason="量表结果轻微")
    case.refresh_from_db()
    assert case.urgency == "immediate"
