"""Where volunteer management appears in the shared layout (collected by sanshe.core.features)."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.roles import Role
from sanshe.core.features import NavEntry

from .policies import is_reviewer

VOLUNTEER_ROLES = frozenset({Role.GENERAL_VOLUNTEER, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR})

NAV = [
    NavEntry(_("志愿者"), "volunteers:application_list", allowed=lambda user, scope: is_reviewer(user),
             primary={Role.ORG_ADMIN: 3}),
    NavEntry(_("我的志愿服务"), "volunteers:me", allowed=lambda user, scope: bool(scope.roles & VOLUNTEER_ROLES)),
]

AUDIT_ACTION_LABELS = {
    "volunteer.application_reveal": _("查看志愿者申请的完整证件号/电话/微信"),
}
AUDIT_ACTION_LABELS["volunteer.application_purge"] = _("到期删除未通过的志愿者申请")
