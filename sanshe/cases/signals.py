"""Nothing at risk is missed: an imminent chat risk alert or a red monitoring alert becomes an immediate referral.

Registered on the other features' models from CasesConfig.ready (no edit in groups or monitoring). The
referral is written after the alert's own transaction commits, in its own transaction, so a failure here
can never undo the alert; the alerts keep escalating in their own features until a human acknowledges them.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

logger = logging.getLogger(__name__)


def _safely(function, **kwargs) -> None:
    try:
        function(**kwargs)
    except Exception:  # logged with its traceback; the alert itself stands
        logger.exception("automatic referral from an alert failed")


def _risk_alert_saved(sender, instance, created, **kwargs) -> None:
    from sanshe.groups.risk import IMMINENT_LEVEL

    if created and instance.level >= IMMINENT_LEVEL and instance.subject_id:
        from .services import referral_from_chat_alert

        alert_id = instance.pk
        transaction.on_commit(lambda: _safely(referral_from_chat_alert, alert_id=alert_id))


def _monitoring_alert_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    from sanshe.monitoring.redflags import Level

    if instance.level < Level.EMERGENCY or instance.status not in {"open", "taken"}:
        return
    if not created and update_fields is not None and "level" not in update_fields:
        return
    from .services import referral_from_monitoring_alert

    alert_id = instance.pk
    transaction.on_commit(lambda: _safely(referral_from_monitoring_alert, alert_id=alert_id))


def connect() -> None:
    if apps.is_installed("sanshe.groups"):
        post_save.connect(_risk_alert_saved, sender="groups.RiskAlert", dispatch_uid="cases.risk_alert_referral")
    if apps.is_installed("sanshe.monitoring"):
        post_save.connect(_monitoring_alert_saved, sender="monitoring.Alert",
                          dispatch_uid="cases.monitoring_alert_referral")
