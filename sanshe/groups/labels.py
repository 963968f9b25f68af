"""How a group is named to the people it serves: clients never see which tier of care their group is.

Staff name consultation groups by tier ("民族社区重点陪助群"); a client reading that on their home page or in
the chat header learns, and shows anyone looking at their phone, that they were judged high-risk. Clients and
residents see the name with the tier words replaced by a neutral one, and no tier tag; staff see both.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import GroupTier, MemberRole

# Words that reveal why someone is in a group. A name still holding one after the tier labels are replaced
# falls back to the community's neutral name.
REVEALING_WORDS = ("重点", "陪助", "聚焦", "高危", "危机", "风险", "心理", "抑郁", "焦虑", "自杀", "确诊", "阳性")
CLIENT_ROLES = (MemberRole.CLIENT, MemberRole.RESIDENT)


def neutral_word() -> str:
    return _("线上交流群")


def client_group_name(group) -> str:
    """The group's name as a client sees it: a consultation group's tier words become "线上交流群"."""
    if group.tier == GroupTier.RESIDENT:
        return group.name
    name = group.name
    for tier in (GroupTier.FOCUS, GroupTier.KEY):
        name = name.replace(str(tier.label), neutral_word())
    if any(word in name for word in REVEALING_WORDS):
        name = f"{group.community.name}{neutral_word()}"
    return name


def sees_tiers(role: str | None) -> bool:
    """Whether a member in `role` (None: a manager who is not a member) sees tiers and staff names of groups."""
    return role not in CLIENT_ROLES


def label_for(group, role: str | None) -> tuple[str, bool]:
    """(the name to show, whether to show the tier tag) for a viewer holding `role` in the group."""
    if sees_tiers(role):
        return group.name, True
    return client_group_name(group), False
