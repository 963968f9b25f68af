"""Who sees which volunteer records: reviewers (social workers, organisation admins) and the volunteers themselves."""

from __future__ import annotations

from django.db.models import Q

from sanshe.core.querysets import ScopedQuerySet

from .policies import reviewable_organisations_q


class RecruitmentQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        return reviewable_organisations_q(scope)


class ApplicationQuerySet(ScopedQuerySet):
    """Reviewers see the applications to organisations serving their communities; applicants their own."""

    def scope_filter(self, scope, action):
        condition = reviewable_organisations_q(scope)
        if action == "view":
            condition |= Q(user_id=scope.user_id)
        return condition


class CertificateQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        condition = reviewable_organisations_q(scope, field="application__organisation_id")
        if action == "view":
            condition |= Q(application__user_id=scope.user_id)
        return condition


class TrainingModuleQuerySet(ScopedQuerySet):
    """Everyone logged in may read training; reviewers change their organisations' own modules."""

    def scope_filter(self, scope, action):
        if action == "view":
            return Q(organisation__isnull=True) | Q(organisation_id__in=scope.organisation_ids) | \
                reviewable_organisations_q(scope)
        return reviewable_organisations_q(scope) & Q(organisation__isnull=False)


class AgreementVersionQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        if action == "view":
            return Q(organisation__isnull=True) | Q(organisation_id__in=scope.organisation_ids) | \
                reviewable_organisations_q(scope)
        return Q(organisation_id__in=scope.organisation_ids_for("users.manage"))


class AgreementSignatureQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        condition = reviewable_organisations_q(scope)
        if action == "view":
            condition |= Q(user_id=scope.user_id)
        return condition
