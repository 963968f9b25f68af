"""Records' part of the one scope (sanshe.core.gate): need-to-know by record domain, group and community."""

from sanshe.core.gate import ScopePart

from .policies import build_records_scope

SCOPE_PARTS = [
    ScopePart(
        "records", build=build_records_scope, namespaces=("records",),
        # Works with service records somewhere now (social worker of a community, staff of a group).
        checks={"records.use": lambda user, scope: scope.is_records_user},
        denials={"records.use": "records"},
    ),
]
