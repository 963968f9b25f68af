"""The referrals side of health monitoring (see sanshe.monitoring.handoff), registered in CasesConfig.ready.

A red (emergency) alert becomes an immediate referral; the monitoring pages show the open referrals of the
person and of the alert, and link the referral form.
"""

from __future__ import annotations

from .models import Referral


class MonitoringReferralDesk:
    def refer_emergency_alert(self, *, alert_id: int) -> None:
        from .services import referral_from_alert_on_commit

        referral_from_alert_on_commit(source="monitoring", alert_id=alert_id)

    def open_referrals_for_person(self, *, actor, person_id: int) -> list[Referral]:
        from .selectors import referrals_for_person

        return referrals_for_person(actor=actor, person_id=person_id)

    def open_referral_for_alert(self, *, actor, alert_id: int) -> Referral | None:
        from .selectors import referrals_from

        return referrals_from(actor=actor, source_kind="alert", source_ids=[alert_id]).get(alert_id)

    def referral_form_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:referral_create")


def register() -> None:
    """Take monitoring's red alerts into the referral inbox and show referrals on its pages (when installed)."""
    from django.apps import apps

    if apps.is_installed("sanshe.monitoring"):
        from sanshe.monitoring import handoff

        handoff.register(MonitoringReferralDesk())
