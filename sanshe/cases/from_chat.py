"""Chat risk alerts (sanshe.groups) become referrals: this feature registers its handler and the "chat" referral
source with groups in CasesConfig.ready, so groups (built below cases) never imports cases."""

from __future__ import annotations

from sanshe.groups.alerts import referral as chat_referral

from .models import ReferralUrgency
from .services import referral_create, referral_from_alert_on_commit
from .sources import register_source


class ChatAlertReferral:
    """sanshe.groups.alerts.referral.AlertReferral: a chat risk alert into the social workers' inbox."""

    def refer(self, *, actor, alert, person_id: int, reason: str, imminent: bool):
        urgency = ReferralUrgency.IMMEDIATE if imminent else ReferralUrgency.WITHIN_24H
        referral, _created = referral_create(actor=actor, person_id=person_id, source_kind="chat",
                                             source_id=alert.pk, reason=reason, urgency=urgency)
        return referral

    def refer_on_commit(self, *, alert_id: int) -> None:
        referral_from_alert_on_commit(source="chat", alert_id=alert_id)


def register() -> None:
    register_source("chat", chat_referral.chat_alert_source)
    chat_referral.register(ChatAlertReferral())
