"""The directory's part of the one scope (sanshe.core.gate): roles, organisations and places per capability."""

from sanshe.core.gate import ScopePart

from .policies import build_role_scope
from .roles import Role

SCOPE_PARTS = [
    ScopePart(
        "accounts", build=build_role_scope,
        # accounts.roles.CAPABILITIES: places.*, people.*, users.manage, audit.view
        namespaces=("accounts", "places", "people", "users", "audit"),
        checks={
            # Holds any staff role (volunteers included): the staff-only pages, the API tokens page.
            "accounts.staff": lambda user, scope: scope.is_staff_member,
            # Anyone with an account and a role or a resident record.
            "accounts.any_role": lambda user, scope: bool(scope.roles),
            # An organisation admin somewhere (the kernel's admin site is theirs).
            "accounts.org_admin": lambda user, scope: Role.ORG_ADMIN in scope.roles,
            # Has a resident record (the kernel's session rule: residents without a staff role stay logged in).
            "accounts.resident": lambda user, scope: Role.RESIDENT in scope.roles,
        },
    ),
]
