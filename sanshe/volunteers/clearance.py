"""The duty gate other features ask: is this user approved, trained and signed for this role?

Until a volunteer is cleared they see no client and take no shift (issue 3). Social workers are staff of
their organisation: an active social-worker role is their clearance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from sanshe.accounts.responsible import role_organisations
from sanshe.accounts.roles import Role

from .models import (
    AgreementSignature,
    AgreementVersion,
    ApplicationStatus,
    TrainingCompletion,
    TrainingModule,
    VolunteerApplication,
)
from .rules import Clearance, clearance_for

VOLUNTEER_ROLE_VALUES = (Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR, Role.GENERAL_VOLUNTEER)


def current_agreements(organisation_ids: Iterable[int]) -> dict[int, AgreementVersion | None]:
    """The agreement version in force per organisation: its own latest version, else the latest global one."""
    organisation_ids = set(organisation_ids)
    versions = AgreementVersion.objects.filter(Q(organisation_id__in=organisation_ids) | Q(organisation__isnull=True))
    own: dict[int, AgreementVersion] = {}
    global_latest: AgreementVersion | None = None
    for version in versions:
        if version.organisation_id is None:
            if global_latest is None or version.version > global_latest.version:
                global_latest = version
        elif version.organisation_id not in own or version.version > own[version.organisation_id].version:
            own[version.organisation_id] = version
    return {org_id: own.get(org_id, global_latest) for org_id in organisation_ids}


def required_modules(organisation_ids: Iterable[int], role: str) -> dict[int, dict[int, int]]:
    """organisation id → {module id: current version} of the active training required for the role."""
    organisation_ids = set(organisation_ids)
    modules = TrainingModule.objects.filter(
        Q(organisation_id__in=organisation_ids) | Q(organisation__isnull=True), role=role, is_active=True,
    ).values_list("pk", "version", "organisation_id")
    result: dict[int, dict[int, int]] = {org_id: {} for org_id in organisation_ids}
    for pk, version, org_id in modules:
        for target in ([org_id] if org_id is not None else organisation_ids):
            if target in result:
                result[target][pk] = version
    return result


def clearances(user_ids: Iterable[int], role: str) -> dict[int, list[Clearance]]:
    """Every user's clearance per organisation where they hold the role, in a fixed number of queries."""
    user_ids = set(user_ids)
    memberships = role_organisations(user_ids, role)
    result: dict[int, list[Clearance]] = defaultdict(list)
    if not memberships:
        return result
    if role not in VOLUNTEER_ROLE_VALUES:
        for user_id, org_id in memberships:
            result[user_id].append(Clearance(role=role, approved=True, agreement_signed=True, organisation_id=org_id))
        return result
    org_ids = {org_id for _user, org_id in memberships}
    approved: set[tuple[int, int]] = set()
    for user_id, org_id, roles in VolunteerApplication.objects.filter(
            user_id__in=user_ids, organisation_id__in=org_ids, status=ApplicationStatus.APPROVED,
    ).values_list("user_id", "organisation_id", "approved_roles"):
        if role in (roles or []):
            approved.add((user_id, org_id))
    modules = required_modules(org_ids, role)
    all_module_ids = {pk for per_org in modules.values() for pk in per_org}
    completed: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for user_id, module_id, version in TrainingCompletion.objects.filter(
            user_id__in=user_ids, module_id__in=all_module_ids).values_list("user_id", "module_id", "version"):
        completed[user_id].add((module_id, version))
    agreements = current_agreements(org_ids)
    signed: dict[tuple[int, int], set[int]] = defaultdict(set)
    for user_id, org_id, agreement_id in AgreementSignature.objects.filter(
            user_id__in=user_ids, organisation_id__in=org_ids).values_list("user_id", "organisation_id", "agreement_id"):
        signed[(user_id, org_id)].add(agreement_id)
    for user_id, org_id in sorted(memberships):
        current = agreements.get(org_id)
        result[user_id].append(clearance_for(
            role=role, approved=(user_id, org_id) in approved, required_modules=modules.get(org_id, {}),
            completed=completed[user_id], current_agreement_id=current.pk if current else None,
            signed_agreement_ids=signed[(user_id, org_id)], organisation_id=org_id,
        ))
    return result


def cleared_user_ids(user_ids: Iterable[int], role: str) -> set[int]:
    """The users among `user_ids` cleared for `role` in at least one organisation."""
    return {uid for uid, items in clearances(user_ids, role).items() if any(c.cleared for c in items)}


def volunteer_clearance(user, role: str) -> Clearance:
    """The user's best clearance for the role (cleared if any organisation clears them)."""
    items = clearances([user.pk], role).get(user.pk, [])
    if not items:
        return Clearance(role=role, approved=False)
    return sorted(items, key=lambda c: (not c.cleared, not c.approved, len(c.missing_training_ids),
                                        not c.agreement_signed))[0]


def volunteer_is_cleared(user, role: str) -> bool:
    """Approved for the role, every required training done in its current version, the current agreement signed."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return volunteer_clearance(user, role).cleared
