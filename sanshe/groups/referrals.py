"""Risk alerts as a referral source for the cases feature ("start a crisis case" from an alert)."""

from __future__ import annotations

from sanshe.core.errors import ObjectNotFound


def chat_alert_source(actor, person_id: int, source_id: int | None):
    """The person a chat risk alert is about, if the actor may see the alert and the person is its subject."""
    from sanshe.people.models import Person

    from .models import RiskAlert

    alert = RiskAlert.objects.for_actor(actor, "view").filter(pk=source_id).first()
    if alert is None or alert.subject_id is None:
        raise ObjectNotFound()
    person = Person.objects.filter(pk=person_id, user_id=alert.subject_id).first()
    if person is None:
        raise ObjectNotFound()
    return person


def register() -> None:
    """Tell the cases feature (when installed) that chat alerts may be referred."""
    from django.apps import apps

    if apps.is_installed("sanshe.cases"):
        from sanshe.cases.sources import register_source

        register_source("chat", chat_alert_source)
