"""Roles and what each role may do. Pure data: no database access."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("机构管理员")
    SOCIAL_WORKER = "social_worker", _("社会工作者")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GENERAL_VOLUNTEER = "general_volunteer", _("一般志愿者（群秘书）")
    MEDICAL_VOLUNTEER = "medical_volunteer", _("医务志愿者")
    COUNSELLOR = "counsellor", _("心理咨询志愿者")
    RESIDENT = "resident", _("居民")


class WorkerKind(models.TextChoices):
    """Sub-kinds of community worker named by the guide (六(一))."""

    COMMUNITY_STAFF = "community_staff", _("社区工作者")
    GROUP_LEADER = "group_leader", _("居民小组长")
    BUILDING_STEWARD = "building_steward", _("楼门栋长")
    PROPERTY_STAFF = "property_staff", _("物业服务企业人员")


class OrganisationKind(models.TextChoices):
    SOCIAL_WORK = "social_work", _("社会工作服务机构")
    VOLUNTEER = "volunteer", _("志愿服务组织")
    COMMUNITY_COMMITTEE = "community_committee", _("社区居民委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")


# Capabilities per role. A capability applies within the communities (and stewarded buildings)
# that the membership holding the role covers; organisation admins cover their organisation's.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ORG_ADMIN: frozenset({
        "places.view", "places.change", "people.view", "people.change", "people.reveal",
        "people.export", "people.export_unmasked", "people.import", "users.manage", "audit.view",
    }),
    Role.SOCIAL_WORKER: frozenset({"places.view", "people.view", "people.change", "people.reveal", "people.export"}),
    Role.COMMUNITY_WORKER: frozenset({
        "places.view", "places.change", "people.view", "people.change", "people.reveal",
        "people.export", "people.import",
    }),
    # Volunteers see no one's personal data until later features give them clients.
    Role.GENERAL_VOLUNTEER: frozenset(),
    Role.MEDICAL_VOLUNTEER: frozenset(),
    Role.COUNSELLOR: frozenset(),
    # Residents see themselves and their household, through `Scope.household_id`.
    Role.RESIDENT: frozenset(),
}

STAFF_ROLES = frozenset({Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER,
                         Role.GENERAL_VOLUNTEER, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR})

# Which home page (工作台) a user lands on when holding several roles: the first one held in this order.
HOME_ORDER = [Role.ORG_ADMIN, Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER, Role.GENERAL_VOLUNTEER,
              Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR, Role.RESIDENT]
