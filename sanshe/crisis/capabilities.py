"""Crisis's part of the one scope (sanshe.core.gate)."""

from sanshe.core.gate import ScopePart

from .policies import build_crisis_scope

SCOPE_PARTS = [
    ScopePart(
        "crisis", build=build_crisis_scope, namespaces=("crisis",),
        checks={
            # The crisis pages at all (which crises each sees: CrisisQuerySet).
            "crisis.pages": lambda user, scope: scope.allowed,
            "crisis.open": lambda user, scope: scope.can_open,
        },
        denials={"crisis.pages": "crisis"},
    ),
]
