"""The secretary's tools: record requests (记录咨询), nickname reminders, message templates."""

from __future__ import annotations

import re
from datetime import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden

from .. import events
from ..chat.services import message_send
from ..duty import on_duty_user_ids
from ..membership.selectors import access_group, can_manage, group_settings
from ..models import (
    Group,
    GroupMember,
    MemberRole,
    MemberStatus,
    Message,
    MessageStatus,
    MessageTemplate,
    RecordRequest,
)
from ..nicknames import nickname_problem
from ..service_base import (
    SendResult,
    _now,
)


@transaction.atomic
def record_request_create(*, actor, group: Group, message_ids: list[int], note: str = "",
                          consult_kind: str = "") -> RecordRequest:
    """"Record this": keep the quoted messages for a consultation record (tool 3, made by sanshe.records).

    The consultation records themselves belong to the cases feature; until it is installed the request
    waits here, with its quote, for that feature to turn into a record.
    """
    group = access_group(actor=actor, group_id=group.pk)
    me = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if not can_manage(actor=actor, group=group) and (me is None or not me.is_staff_role):
        raise ActionForbidden(_("只有群内工作人员可以记录咨询。"))
    if not message_ids:
        raise ValidationError(_("请先选择要记录的消息。"))
    if consult_kind and consult_kind not in ("medical", "psychological", "other"):
        raise ValidationError({"consult_kind": _("请选择咨询类别。")})
    messages = list(Message.objects.for_actor(actor, "view").filter(
        group=group, pk__in=message_ids[:50], status=MessageStatus.PUBLISHED).select_related("sender", "image")
        .order_by("seq", "pk"))
    if not messages:
        raise ValidationError(_("所选消息已不存在。"))
    from ..chat.selectors import stream_names

    nicknames, _roles = stream_names(group=group, user_ids={m.sender_id for m in messages})
    lines = []
    for message in messages:
        at = timezone.localtime(message.published_at or message.created_at)
        text = message.body + (" [图片]" if message.image_id else "")
        lines.append(f"{at:%m-%d %H:%M} {events.sender_name(message, nicknames)}：{text}")
    staff_ids = set(GroupMember.objects.filter(group=group).exclude(
        role__in=[MemberRole.CLIENT, MemberRole.RESIDENT]).values_list("user_id", flat=True))
    client_id = next((m.sender_id for m in messages if m.sender_id and m.sender_id not in staff_ids), None)
    record = RecordRequest(group=group, requested_by=actor, client_id=client_id, quoted_text="\n".join(lines),
                           consult_kind=consult_kind, note=note.strip()[:2000])
    record.full_clean(exclude=["group", "requested_by", "client"])
    record.save()
    record.messages.set(messages)
    audit_record(actor=actor, action="groups.record_request.create", obj=record,
                 detail={"group": group.pk, "messages": len(messages), "cases_installed":
                         apps.is_installed("sanshe.cases")},
                 community_id=group.community_id, organisation_id=group.organisation_id)
    return record


def nickname_problems(*, group: Group) -> list[tuple[GroupMember, str]]:
    """Active members whose nickname does not follow the group's convention, with why."""
    settings = group_settings(group)
    found = []
    for member in GroupMember.objects.filter(group=group, status=MemberStatus.ACTIVE).select_related("user"):
        convention = settings.nickname_staff if member.is_staff_role else settings.nickname_member
        problem = nickname_problem(member.nickname, convention, role=member.role)
        if problem:
            found.append((member, problem))
    return found


@transaction.atomic
def nickname_remind(*, actor, group: Group) -> SendResult | None:
    """The secretary reminds, in the group, everyone whose nickname breaks the convention (@-mentioned)."""
    group = access_group(actor=actor, group_id=group.pk)
    problems = nickname_problems(group=group)
    if not problems:
        return None
    settings = group_settings(group)
    names = " ".join(f"@{m.nickname or m.user}" for m, _p in problems[:30])
    body = _("温馨提示：请以下成员按群规范修改群昵称（居民：%(member)s；工作人员：%(staff)s），方便大家称呼与服务。"
             "谢谢配合！%(names)s") % {"member": settings.nickname_member or _("不限"),
                                  "staff": settings.nickname_staff or _("不限"), "names": names}
    result = message_send(actor=actor, group=group, body=body, mention_ids=[m.user_id for m, _p in problems])
    GroupMember.objects.filter(pk__in=[m.pk for m, _p in problems]).update(nickname_reminded_at=timezone.now())
    return result


DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "introduce": ("介绍值班志愿者", "大家好！今天（{date}）在群里值班的是：{on_duty}。身体不适请@医务志愿者，"
                              "心里难受请@心理咨询志愿者；涉及个人隐私的问题请点“私聊值班员”。"),
    "open": ("服务开始提醒", "各位群友好，{group}今天的线上服务现在开始（{time}）。请按顺序提问，一次说清一个问题，"
                         "值班志愿者会逐一解答。"),
    "order": ("有序提问提醒", "为了让每个问题都得到解答，请大家先简单说明情况（年龄、症状、持续时间），再提出问题，"
                          "一次一个问题，谢谢配合！"),
    "close": ("服务结束致谢", "今天的线上服务到此结束。衷心感谢{on_duty}的辛勤付出，也感谢大家的信任与配合！"
                          "如遇紧急情况请拨打 120，或私聊群管理员。明天见！"),
}


def template_render(*, group: Group, key: str, now: datetime | None = None) -> str:
    """A secretary's message template filled in for this group now (the organisation's wording if it has one)."""
    now = _now(now)
    custom = MessageTemplate.objects.filter(organisation_id=group.organisation_id, key=key).first()
    if custom is None and key not in DEFAULT_TEMPLATES:
        raise ValidationError({"key": _("没有这个模板。")})
    body = custom.body if custom else DEFAULT_TEMPLATES[key][1]
    on_duty = on_duty_user_ids(group=group, at=now)
    helpers = (GroupMember.objects.filter(group=group, user_id__in=on_duty, status=MemberStatus.ACTIVE)
               .select_related("user").order_by("role"))
    names = "、".join(f"{m.get_role_display()}{m.nickname or m.user}" for m in helpers) or _("各位值班志愿者")
    local = timezone.localtime(now)
    values = {"date": f"{local:%m月%d日}", "time": f"{local:%H:%M}", "group": group.name, "on_duty": names}
    return re.sub(r"\{(date|time|group|on_duty)\}", lambda m: values[m.group(1)], body)
