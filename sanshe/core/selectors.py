"""Reads for the audit log: action labels, and the audit log page scoped to the actor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanshe.core.features import AuditObjectName, audit_object_names, audit_staff_actor_ids
from sanshe.core.models import AuditEvent, AuditOutcome
from sanshe.core.pii import mask_name
from sanshe.core.querysets import ScopedQuerySet

# Human names for the audit actions the services write; unknown actions are shown as their code.
ACTION_LABELS: dict[str, Any] = {
    "login.success": _("登录成功"),
    "login.failure": _("登录失败"),
    "login.lockout": _("账号锁定"),
    "login.throttled": _("登录过频被拒绝（按地址）"),
    "logout": _("退出登录"),
    "otp.request": _("申请验证码"),
    "otp.verify": _("验证码登录"),
    "access.denied": _("越权访问被拒绝"),
    "api.denied": _("接口访问被拒绝"),
    "person.create": _("登记人员"),
    "person.update": _("修改人员信息"),
    "person.reveal": _("查看完整证件号/手机号/地址/出生日期"),
    "community.create": _("新增社区"),
    "community.update": _("修改社区"),
    "compound.create": _("新增小区"),
    "compound.update": _("修改小区"),
    "building.create": _("新增楼栋"),
    "building.update": _("修改楼栋"),
    "unit.create": _("新增单元"),
    "unit.update": _("修改单元"),
    "household.create": _("新增住户"),
    "household.update": _("修改住户"),
    "household_sheet.upload": _("上传名册"),
    "household_sheet.validate": _("检查名册"),
    "household_sheet.import": _("导入名册"),
    "household_sheet.cancel": _("取消导入"),
    "household_sheet.export": _("导出名册"),
    "user.create": _("新增用户"),
    "user.create_resident": _("开通居民账号"),
    "user.update": _("修改用户"),
    "user.activate": _("启用账号"),
    "user.deactivate": _("停用账号"),
    "user.unlock": _("解除锁定"),
    "user.password_reset": _("重置密码"),
    "user.password_change": _("修改密码"),
    "membership.grant": _("分配角色"),
    "membership.revoke": _("撤销角色"),
    "api_token.create": _("创建接口令牌"),
    "api_token.revoke": _("吊销接口令牌"),
    "demo.load": _("载入演示数据"),
    "audit.purge": _("到期删除审计日志"),
    "fields.reencrypt": _("更换加密密钥，重新加密数据"),
}

# Admin-site writes are audited as admin.<model>.<create|change>: labelled by the model's Chinese name.
ADMIN_VERBS: dict[str, Any] = {"create": _("后台新增"), "change": _("后台修改")}

# The action filter: a value ending in "." matches every action with that prefix.
ACTION_FILTERS: list[tuple[str, Any]] = [
    ("", _("全部操作")),
    ("person.reveal", _("查看完整证件号/手机号/地址/出生日期")),
    ("access.denied", _("越权访问被拒绝")),
    ("login.", _("登录与退出（全部）")),
    ("login.failure", _("登录失败")),
    ("login.lockout", _("账号锁定")),
    ("person.", _("人员信息（全部）")),
    ("household_sheet.", _("名册导入导出（全部）")),
    ("household_sheet.export", _("导出名册")),
    ("user.", _("用户管理（全部）")),
    ("membership.", _("角色分配（全部）")),
    ("admin.", _("后台管理（全部）")),
    ("community.", _("社区（全部）")),
    ("compound.", _("小区（全部）")),
    ("building.", _("楼栋（全部）")),
    ("household.", _("住户（全部）")),
]


def action_label(action: str) -> str:
    from sanshe.core.features import audit_action_labels

    label = ACTION_LABELS.get(action) or audit_action_labels().get(action)
    if label is None and action.startswith("admin."):
        _admin, _dot, rest = action.partition(".")
        model_name, _dot, verb = rest.rpartition(".")
        model = next((m for m in apps.get_models() if m._meta.model_name == model_name), None)
        if model is not None and verb in ADMIN_VERBS:
            label = f"{ADMIN_VERBS[verb]}{model._meta.verbose_name}"
    return str(label or action)


def field_labels(event: AuditEvent) -> str:
    """The changed or revealed fields of an event, by their Chinese names (names, never values)."""
    names = event.detail.get("fields") if isinstance(event.detail, dict) else None
    if not isinstance(names, list):
        single = event.detail.get("field") if isinstance(event.detail, dict) else None
        names = [single] if isinstance(single, str) else []
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name) if model else str(name))
        except FieldDoesNotExist:
            labels.append(str(name))
    return "、".join(labels)


# ---------------------------------------------------------------------------------------------- audit page

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    show_system: bool = False  # bulk system events (SYSTEM_ACTOR_LABEL rows) are hidden unless asked for


@dataclass
class AuditPage:
    events: list[tuple[AuditEvent, str]]
    older: int | None = None
    newer: int | None = None
    filters: AuditFilters = field(default_factory=AuditFilters)


# The label scheduled jobs and automatic reactions write (audit_record(actor=None, actor_label="system")):
# escalation reminders, purges, automatic check-outs and closures, automatic alerts and referrals. These are
# the bulk system events the page hides by default. Everything a person did stays: logins (also failed and
# anonymous ones), one-time codes, self-submissions through links, manage.py commands, imports.
SYSTEM_ACTOR_LABEL = "system"

# How the audit log names the foundation's objects; features add theirs in <app>/audit_labels.py.
CORE_OBJECT_NAMES: dict[str, AuditObjectName] = {
    "people.person": AuditObjectName(lambda person: mask_name(person.name)),
    "places.community": AuditObjectName(lambda place: place.name),
    "places.compound": AuditObjectName(lambda place: place.name),
    "places.building": AuditObjectName(lambda place: place.name),
    "accounts.user": AuditObjectName(lambda user: user.username),
}


def system_event_q() -> Q:
    """The bulk system events: written by the software itself, with no person behind them."""
    return Q(actor__isnull=True, actor_label=SYSTEM_ACTOR_LABEL)


def _actor_names(events: list[AuditEvent]) -> None:
    """Set `actor_name` on each event: a staff member's name; a resident's masked; the system's in Chinese.

    One query for the whole page: which of its actors hold a staff role (residents' display names are
    their real names, so they are masked like any resident's name on staff lists).
    """
    user_ids = {event.actor_id for event in events if event.actor_id}
    staff = audit_staff_actor_ids(user_ids)
    for event in events:
        if event.actor is not None:
            name = event.actor.display_name
            event.actor_name = (name if event.actor_id in staff else mask_name(name)) or event.actor.username
        elif event.actor_label == SYSTEM_ACTOR_LABEL:
            event.actor_name = str(_("系统自动"))
        elif event.actor_label == "anonymous":
            event.actor_name = str(_("（未登录）"))
        else:
            event.actor_name = event.actor_label


def _object_names(actor, events: list[AuditEvent]) -> None:
    """Set `object_name` on each event: a readable name of its object, only if the viewer may see it.

    One query per kind of object on the page (bounded by the registry, not by the number of events), each
    through the model's `for_actor` scope: an object the viewer cannot see keeps its generic 「类型 #编号」.
    """
    namers = {**CORE_OBJECT_NAMES, **audit_object_names()}
    wanted: dict[str, set[str]] = {}
    for event in events:
        event.object_name = ""
        if event.object_type in namers and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    names: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        namer = namers[label]
        objects = model._default_manager.all()
        if namer.scoped:
            if not isinstance(objects, ScopedQuerySet):
                continue  # unscoped: the viewer's right to see it cannot be checked here, so no name
            objects = objects.for_actor(actor, "view")
        pks = [pk for pk in ids if pk.isdigit()]
        if namer.related:
            objects = objects.select_related(*namer.related)
        for obj in objects.filter(pk__in=pks):
            names[(label, str(obj.pk))] = namer.name(obj)
    for event in events:
        name = names.get((event.object_type, event.object_id))
        if name:
            event.object_name = f"{apps.get_model(event.object_type)._meta.verbose_name} {name}"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_list(*, actor, filters: AuditFilters, before: int | None = None, after: int | None = None,
               limit: int = AUDIT_PAGE_SIZE) -> AuditPage:
    """Audit events the actor may read, newest first, paged by keyset (never by OFFSET or COUNT)."""
    visible = AuditEvent.objects.for_actor(actor, "view")
    events = visible
    if filters.actor:
        who = filters.actor.strip()
        events = events.filter(Q(actor_label=who) | Q(actor__display_name=who))
    if filters.action.endswith("."):
        events = events.filter(action__startswith=filters.action)
    elif filters.action:
        events = events.filter(action=filters.action)
    if filters.outcome in AuditOutcome.values:
        events = events.filter(outcome=filters.outcome)
    if not filters.show_system:
        events = events.exclude(system_event_q())
    if filters.date_from:
        events = events.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    forward = after is None  # forward = towards older events
    cursor_pk = before if forward else after
    cursor = visible.filter(pk=cursor_pk).values_list("created_at", "pk").first() if cursor_pk else None
    if cursor is not None:
        at, pk = cursor
        if forward:
            events = events.filter(Q(created_at__lte=at) & (Q(created_at__lt=at) | Q(pk__lt=pk)))
        else:
            events = events.filter(Q(created_at__gte=at) & (Q(created_at__gt=at) | Q(pk__gt=pk)))
    order = ("-created_at", "-pk") if forward else ("created_at", "pk")
    rows = list(events.select_related("actor", "organisation", "community").order_by(*order)[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()
    for event in rows:
        event.field_labels = field_labels(event)
    _actor_names(rows)
    _object_names(actor, rows)
    page = AuditPage(events=[(event, action_label(event.action)) for event in rows], filters=filters)
    if forward:
        page.older = rows[-1].pk if more and rows else None
        page.newer = rows[0].pk if cursor is not None and rows else None
    else:
        page.newer = rows[0].pk if more and rows else None
        page.older = rows[-1].pk if rows else None
    return page

