"""The one real-time fan-out: one channel-name scheme, one way to push (from any thread), pushes after commit.

Every WebSocket group name in Sanshe is made by `channel_name(kind, key)`: "<kind>.<key>" with one of the
kinds below, so two features can never collide on a name and a grep for a kind finds every sender and
listener. The sending itself is `sanshe.core.realtime.layer_send` (it knows the ASGI server's loop), used by
chat, alerts, notices, toasts and the per-user control channel alike.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from sanshe.core.realtime import KINDS, channel_name, layer_send

__all__ = ["KINDS", "USER_PUSH", "channel_name", "layer_send", "push", "push_after_commit", "user_channel"]

# The event type the user channel's consumer (sanshe.core.notify.consumers.NotificationConsumer) forwards as a push.
USER_PUSH = "groups.push"


def user_channel(user_id: int) -> str:
    return channel_name("user", user_id)


def push(channel_group: str, payload: dict[str, Any]) -> None:
    """Send now (the caller has committed already, or nothing is to be committed); never raises."""
    layer_send(channel_group, payload)


def push_after_commit(channel_group: str, payload: dict[str, Any]) -> None:
    """Send `payload` (a channel-layer message with its "type") once the current transaction commits."""
    transaction.on_commit(lambda: layer_send(channel_group, payload))
