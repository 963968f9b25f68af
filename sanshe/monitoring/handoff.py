"""What monitoring hands over to the social workers' referrals (sanshe.cases), without importing that feature.

The cases feature is built on monitoring (its referrals come from screening entries, check-ins and alerts), so
monitoring never imports it: cases registers a `ReferralDesk` here in CasesConfig.ready. Monitoring then
  - tells the desk when an alert is raised (or raised again) at the emergency level: a red alert lands in the
    social workers' inbox at once as an immediate referral (after the alert's transaction commits; a failure
    there never undoes the alert, which keeps escalating on its own);
  - asks the desk for the open referrals its pages show (on a person's quarantine period, on an alert), and for
    the form its "转介社工" links open (with the record as `?source=&id=&person=&next=`).
Without cases installed no desk is registered: nothing is referred, the pages show no referrals and no links.
"""

from __future__ import annotations

from typing import Any, Protocol


class ReferralDesk(Protocol):
    def refer_emergency_alert(self, *, alert_id: int) -> None:
        """Make the emergency alert an immediate referral once the caller's transaction commits."""

    def open_referrals_for_person(self, *, actor, person_id: int) -> list[Any]:
        """The person's open referrals the actor may see, newest first."""

    def open_referral_for_alert(self, *, actor, alert_id: int) -> Any | None:
        """The open referral made from this alert, if the actor may see it."""

    def referral_form_url(self) -> str:
        """The page where a worker refers a person from a record (screening entry, check-in, alert)."""


_desk: ReferralDesk | None = None


def register(desk: ReferralDesk | None) -> None:
    global _desk
    _desk = desk


def desk() -> ReferralDesk | None:
    return _desk


def emergency_alert_refer(*, alert_id: int) -> None:
    """A red alert also goes to the social workers (issue 6), when the referrals feature is installed."""
    if _desk is not None:
        _desk.refer_emergency_alert(alert_id=alert_id)


def referrals_for_person(*, actor, person_id: int) -> list[Any]:
    return _desk.open_referrals_for_person(actor=actor, person_id=person_id) if _desk is not None else []


def referral_for_alert(*, actor, alert_id: int) -> Any | None:
    return _desk.open_referral_for_alert(actor=actor, alert_id=alert_id) if _desk is not None else None


def referral_form_url() -> str:
    """Where the pages' "转介社工" links lead, or "" (no link) without the referrals feature."""
    return _desk.referral_form_url() if _desk is not None else ""
