"""Chat risk alerts into the social workers' referral inbox (the cases feature).

The cases feature is built on groups, so groups never imports it: cases registers its handler here in its
AppConfig.ready (`sanshe/cases/from_chat.py`), and registers `chat_alert_source` as the "chat" referral source.
Without a handler (cases not installed) an alert cannot be referred by hand (`alert_refer` says so) and an
imminent alert is not put in an inbox — it still reaches everyone responsible and escalates until acknowledged.
"""

from __future__ import annotations

from typing import Protocol

from sanshe.core.errors import ObjectNotFound
from sanshe.people.models import Person

from ..models import RiskAlert


class AlertReferral(Protocol):
    """What the cases feature does with a chat risk alert."""

    def refer(self, *, actor, alert: RiskAlert, person_id: int, reason: str, imminent: bool):
        """Refer the alert's subject (`person_id`) on the actor's behalf; returns the referral. Checks the actor's
        right to refer and raises ValidationError / ObjectNotFound / ActionForbidden like any service."""

    def refer_on_commit(self, *, alert_id: int) -> None:
        """After the alert's transaction commits, refer an imminent alert's subject at once (system referral)."""


_HANDLER: list[AlertReferral] = []


def register(handler: AlertReferral) -> None:
    """Called by the cases feature's AppConfig.ready; registering again replaces the handler."""
    _HANDLER[:] = [handler]


def handler() -> AlertReferral | None:
    """The registered referral handler, or None (cases not installed)."""
    return _HANDLER[0] if _HANDLER else None


def chat_alert_source(actor, person_id: int, source_id: int | None) -> Person:
    """The person a chat risk alert is about, if the actor may see the alert and the person is its subject
    (the "chat" referral source checker of sanshe.cases.sources)."""
    alert = RiskAlert.objects.for_actor(actor, "view").filter(pk=source_id).first()
    if alert is None or alert.subject_id is None:
        raise ObjectNotFound()
    person = Person.objects.filter(pk=person_id, user_id=alert.subject_id).first()
    if person is None:
        raise ObjectNotFound()
    return person
