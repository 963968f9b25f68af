"""Logging out ends the session's WebSockets too (a page request would no longer be logged in).

Only the close message is sent here; which sockets close is decided by the consumers (sanshe.core.consumers).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from sanshe.core.realtime import sockets_recheck


@receiver(user_logged_out, dispatch_uid="sanshe.accounts.close_session_sockets")
def _close_session_sockets(sender, request, user, **kwargs) -> None:
    # Sent before the session is flushed, so its key is still known (explicit logout and idle timeout alike).
    session = getattr(request, "session", None)
    if user is not None and session is not None and session.session_key:
        sockets_recheck(user.pk, session_key=session.session_key)
