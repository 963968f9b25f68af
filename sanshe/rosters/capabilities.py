"""Rosters' part of the one scope (sanshe.core.gate): which roles use which roster pages at all."""

from sanshe.accounts.policies import scope_for
from sanshe.core.gate import ScopePart

from .policies import ROSTER_CAPABILITY_ROLES


def _holds(roles):
    return lambda user, scope: bool(scope.roles & roles)


SCOPE_PARTS = [
    ScopePart("rosters", build=scope_for, namespaces=("rosters",),
              checks={capability: _holds(roles) for capability, roles in ROSTER_CAPABILITY_ROLES.items()}),
]
