"""Reads for moderation: the held queue, the moderation log, warnings, the policy and the compiled rule lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from .. import rules
from ..chat.selectors import _messages_base
from ..models import (
    Group,
    Message,
    MessageStatus,
    ModerationAction,
    ModerationPolicy,
    RuleCategory,
    RuleList,
)


def held_messages(*, group: Group) -> list[Message]:
    return list(_messages_base().filter(group=group, status=MessageStatus.HELD).order_by("id"))


def moderation_log(*, group: Group, limit: int = 100) -> list[ModerationAction]:
    return list(ModerationAction.objects.filter(group=group).select_related("actor", "target")
                .order_by("-created_at", "-id")[:limit])


def warnings_for(*, group: Group, user) -> list[ModerationAction]:
    """What a member has been told (warnings, mutes, removals) in this group."""
    return list(ModerationAction.objects.filter(group=group, target=user, kind__in=["warn", "mute", "remove"])
                .order_by("-created_at")[:5])


_RULEBOOKS: dict[int, tuple[tuple, rules.RuleBook]] = {}


def moderation_policy(*, organisation_id: int) -> ModerationPolicy:
    """The organisation's saved policy, or the defaults (unsaved) when it has none."""
    return (ModerationPolicy.objects.filter(organisation_id=organisation_id).first()
            or ModerationPolicy(organisation_id=organisation_id))


def rulebook_for(*, organisation_id: int) -> rules.RuleBook:
    """The organisation's compiled rule lists (cached per process until a list or the policy changes)."""
    lists = list(RuleList.objects.filter(organisation_id=organisation_id).values_list("category", "terms",
                                                                                      "is_active", "updated_at"))
    policy = moderation_policy(organisation_id=organisation_id)
    version = (tuple(sorted((c, str(u), a) for c, _t, a, u in lists)), str(policy.updated_at))
    cached = _RULEBOOKS.get(organisation_id)
    if cached and cached[0] == version:
        return cached[1]
    terms: dict[str, list[str]] = {c: list(t) for c, t in rules.DEFAULT_TERMS.items()}
    for category, text, active, _updated in lists:
        terms[category] = rules.parse_terms(text) if active else []
    domains = list(rules.DEFAULT_APPROVED_DOMAINS) + rules.parse_domains(policy.approved_domains or "")
    disabled = [category for category, _text, active, _updated in lists if not active]
    book = rules.RuleBook(terms=terms, approved_domains=domains, disabled=disabled)
    _RULEBOOKS[organisation_id] = (version, book)
    return book


# What each category holds besides its word list (sanshe.groups.claims); switching the category off stops both.
_BUILTIN_READERS = {
    "rumour": gettext_lazy("另外自动识别：与资源库“辟谣”条目说法相近的消息（换了说法也能识别，审核时可一键发送辟谣）；"
                "某物能预防、治好、杀死病毒的说法；疫苗、5G、病毒来源的阴谋论；“内部消息”、瞒报等说法。"),
    "panic": gettext_lazy("另外自动识别：“赶紧囤”“快去抢”“明天就买不到了”等抢购囤积的号召（劝大家不要囤货的不算）。"),
    "incitement": gettext_lazy("另外自动识别：号召大家不做核酸、不配合、冲卡、砸门拆围挡等。"),
    "violence": gettext_lazy("另外自动识别：扬言伤害大白、志愿者、保安等工作人员。"),
    "superstition": gettext_lazy("另外自动识别：付费法事、祈福消灾、转发保平安等。"),
    "unapproved_news": gettext_lazy("另外自动识别：【重磅】、速转、紧急扩散、转给所有人等未经核实的转发。"),
    "private_data": gettext_lazy("自动识别：身份证号（校验位正确）、手机号、点名道姓或门牌号的病情与检测结果。"
                      "被拦下的成员会被提示改用私聊发给值班员。工作人员发布的服务电话不受影响。"),
}


def rule_lists(*, organisation_id: int) -> list[dict]:
    """Every category with its current terms (saved or default) for the editing page."""
    saved = {r.category: r for r in RuleList.objects.filter(organisation_id=organisation_id)}
    rows = []
    for category in RuleCategory:
        row = saved.get(category.value)
        rows.append({
            "category": category.value, "label": category.label,
            "terms": row.terms if row else "\n".join(rules.DEFAULT_TERMS[category.value]),
            "is_active": row.is_active if row else True, "is_default": row is None,
            "updated_at": row.updated_at if row else None, "builtin": _BUILTIN_READERS.get(category.value, ""),
        })
    return rows
