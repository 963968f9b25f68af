"""Reads of volunteer records, always scoped."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from sanshe.accounts.models import Organisation
from sanshe.accounts.responsible import memberships_of
from sanshe.accounts.roles import Role
from sanshe.core.errors import ObjectNotFound

from .clearance import current_agreements, volunteer_clearance, volunteer_is_cleared  # noqa: F401 (re-exported)
from .models import (
    VOLUNTEER_ROLES,
    AgreementSignature,
    AgreementVersion,
    ApplicationStatus,
    Certificate,
    CertificateCheck,
    Recruitment,
    TrainingCompletion,
    TrainingModule,
    VolunteerApplication,
)
from .rules import Clearance


def application_list(*, actor, status: str = "") -> QuerySet[VolunteerApplication]:
    """Applications the actor reviews, newest first, with certificate tallies (no N+1)."""
    rows = (VolunteerApplication.objects.for_actor(actor, "review").select_related("organisation", "reviewed_by")
            .annotate(cert_total=Count("certificates"),
                      cert_pending=Count("certificates", filter=Q(certificates__check_status=CertificateCheck.PENDING))))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def application_counts(*, actor) -> dict[str, int]:
    rows = (VolunteerApplication.objects.for_actor(actor, "review").order_by().values("status")
            .annotate(n=Count("pk")))
    counts = {status: 0 for status in ApplicationStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def access_application(*, actor, id: int, action: str = "review") -> VolunteerApplication:
    application = (VolunteerApplication.objects.for_actor(actor, action)
                   .select_related("organisation", "reviewed_by", "user", "recruitment").filter(pk=id).first())
    if application is None:
        raise ObjectNotFound()
    return application


def approval_communities(*, actor, application: VolunteerApplication) -> list:
    """The communities a reviewer may grant the application's roles in: their own in its organisation."""
    from sanshe.accounts.policies import scope_for
    from sanshe.places.models import Community

    from .policies import reviewer_community_ids

    allowed = reviewer_community_ids(scope_for(actor), application.organisation_id)
    return list(Community.objects.filter(pk__in=allowed, organisations=application.organisation_id).order_by("name"))


def access_certificate(*, actor, id: int) -> Certificate:
    """A certificate file the actor may open: reviewers of its organisation, or its own volunteer."""
    certificate = (Certificate.objects.for_actor(actor, "view").select_related("application").filter(pk=id).first())
    if certificate is None:
        raise ObjectNotFound()
    return certificate


def recruitment_list(*, actor) -> QuerySet[Recruitment]:
    return (Recruitment.objects.for_actor(actor, "review").select_related("organisation")
            .annotate(n_applications=Count("applications")).order_by("-created_at"))


def recruitment_open(token: str) -> Recruitment:
    """A public sign-up link (open or closed); 404 for an unknown token."""
    recruitment = Recruitment.objects.select_related("organisation").filter(token=token).first()
    if recruitment is None:
        raise ObjectNotFound()
    return recruitment


@dataclass
class RoleProgress:
    """One role a volunteer holds in one organisation: what is done and what is left before duty."""

    role: str
    organisation: Organisation
    clearance: Clearance
    modules: list[tuple[TrainingModule, bool]] = field(default_factory=list)
    agreement: AgreementVersion | None = None
    signature: AgreementSignature | None = None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def volunteer_progress(*, user) -> list[RoleProgress]:
    """Every volunteer role the user holds, with its training, agreement and clearance."""
    memberships = list(memberships_of(user, roles=VOLUNTEER_ROLES)
                       .select_related("organisation").order_by("organisation__name", "role"))
    if not memberships:
        return []
    org_ids = {m.organisation_id for m in memberships}
    agreements = current_agreements(org_ids)
    modules = list(TrainingModule.objects.filter(Q(organisation_id__in=org_ids) | Q(organisation__isnull=True),
                                                 is_active=True).order_by("role", "position", "id"))
    done = set(TrainingCompletion.objects.filter(user=user).values_list("module_id", "version"))
    signatures = {(s.organisation_id, s.agreement_id): s
                  for s in AgreementSignature.objects.filter(user=user).select_related("agreement")}
    result = []
    for membership in memberships:
        clearance = volunteer_clearance_in(user, membership.role, membership.organisation_id)
        agreement = agreements.get(membership.organisation_id)
        result.append(RoleProgress(
            role=membership.role, organisation=membership.organisation, clearance=clearance,
            modules=[(m, (m.pk, m.version) in done) for m in modules
                     if m.role == membership.role and m.organisation_id in (None, membership.organisation_id)],
            agreement=agreement,
            signature=signatures.get((membership.organisation_id, agreement.pk)) if agreement else None,
        ))
    return result


def volunteer_clearance_in(user, role: str, organisation_id: int) -> Clearance:
    from .clearance import clearances

    for clearance in clearances([user.pk], role).get(user.pk, []):
        if clearance.organisation_id == organisation_id:
            return clearance
    return Clearance(role=role, approved=False, organisation_id=organisation_id)


def own_applications(*, user) -> QuerySet[VolunteerApplication]:
    return VolunteerApplication.objects.filter(user=user).select_related("organisation").order_by("-created_at")


def access_training(*, actor, id: int) -> TrainingModule:
    module = TrainingModule.objects.for_actor(actor, "view").filter(pk=id, is_active=True).first()
    if module is None:
        raise ObjectNotFound()
    return module


def training_list(*, actor) -> QuerySet[TrainingModule]:
    """Modules the actor manages (their organisations' own) and the global defaults, for the management page."""
    return (TrainingModule.objects.for_actor(actor, "view").select_related("organisation")
            .annotate(n_done=Count("completions")).order_by("organisation_id", "role", "position", "id"))


def signature_list(*, actor, organisation_id: int | None = None) -> QuerySet[AgreementSignature]:
    rows = (AgreementSignature.objects.for_actor(actor, "review")
            .select_related("user", "organisation", "agreement").defer("signature_png"))
    if organisation_id:
        rows = rows.filter(organisation_id=organisation_id)
    return rows
