"""The directory's part of the one scope (sanshe.core.gate): roles, organisations and places per capability."""

from sanshe.core.gate import ScopePart

from .policies import build_role_scope

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
        },
    ),
]
