"""The library's part of the one scope (sanshe.core.gate): staff of any role use the library."""

from django.utils.translation import gettext_lazy as _

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import STAFF_ROLES
from sanshe.core.gate import ScopePart

SCOPE_PARTS = [
    ScopePart(
        "knowledge", build=scope_for, namespaces=("knowledge",),
        checks={"knowledge.library": lambda user, scope: bool(scope.roles & STAFF_ROLES)},
        denials={"knowledge.library": _("资源库只对工作人员开放；居民请查看常见问题页面。")},
    ),
]
