"""The crisis side of a chat alert handed over to a crisis (see sanshe.groups.handover): one acknowledgement.

Registered with the groups feature in CrisisConfig.ready: groups asks here for the state of the crisis carrying
an alert (to show it on the alerts page and in the chat), and acknowledges the crisis when someone acknowledges
one of its alerts.
"""

from __future__ import annotations

from datetime import datetime

from sanshe.groups.handover import CrisisState


class CrisisAlertHandler:
    def acknowledge(self, *, actor, crisis_id: int, alert_id: int, now: datetime) -> None:
        from .services import crisis_acknowledge_for_alert

        crisis_acknowledge_for_alert(actor=actor, crisis_id=crisis_id, alert_id=alert_id, now=now)

    def states(self, *, actor, crisis_ids: set[int]) -> dict[int, CrisisState]:
        from .models import CrisisResponse
        from .services import crisis_url

        crises = list(CrisisResponse.objects.filter(pk__in=crisis_ids).select_related("acknowledged_by"))
        visible = set(CrisisResponse.objects.for_actor(actor, "view").filter(pk__in=crisis_ids)
                      .values_list("pk", flat=True))
        return {c.pk: CrisisState(crisis_id=c.pk, status=c.status, status_label=str(c.get_status_display()),
                                  escalation_step=c.escalation_step,
                                  acknowledged_by=str(c.acknowledged_by) if c.acknowledged_by_id else "",
                                  url=crisis_url(c.pk) if c.pk in visible else None)
                for c in crises}


def register() -> None:
    """Hand chat alerts over to crises when the groups feature is installed."""
    from django.apps import apps

    if apps.is_installed("sanshe.groups"):
        from sanshe.groups import handover

        handover.register(CrisisAlertHandler())
