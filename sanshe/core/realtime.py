"""The one real-time fan-out: the channel-name scheme, and sending from any thread of the process.

`sanshe.core.notify.fanout` re-exports it with the push helpers the notify layer uses.

Channels' in-memory layer lives in the server process's event loop. Sync code that runs for a view or a
consumer knows that loop through asgiref; other threads of the same process (the task consumer that the
single-process setup runs in-process, see `tasks_in_process`) find it through `register_server_loop`, which
the ASGI lifespan startup calls.
"""

from __future__ import annotations

import asyncio
import logging
import os

from asgiref.sync import SyncToAsync

logger = logging.getLogger(__name__)
_registered: tuple[int, asyncio.AbstractEventLoop] | None = None


def register_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the ASGI server's running loop for threads that are not the server's own."""
    global _registered
    _registered = (os.getpid(), loop)


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's event loop of this process if it runs (and this is not a forked child), else None."""
    threadlocal = SyncToAsync.threadlocal
    loop = getattr(threadlocal, "main_event_loop", None)
    if loop is not None and getattr(threadlocal, "main_event_loop_pid", None) == os.getpid() and loop.is_running():
        return loop
    if _registered is not None:
        pid, loop = _registered
        if pid == os.getpid() and loop.is_running() and not loop.is_closed():
            return loop
    return None


# ------------------------------------------------------------------------------------------ channel-name scheme

# kind → what one group of that kind holds
KINDS = {
    "user": "every open page of one user (notices, toasts, risk alerts, crisis alerts)",
    "access": "the control channel of one user's sockets (access re-checks, sanshe.core.realtime)",
    "group": "the main chat stream of one online group",
    "thread": "one private thread",
    "alerts-community": "the monitoring alerts of one community",
    "alerts-building": "the monitoring alerts of one building",
}


def channel_name(kind: str, key: int | str) -> str:
    """The channel-layer group name for `kind` (one of KINDS) and its key (an id)."""
    if kind not in KINDS:
        raise ValueError(f"unknown channel kind {kind!r}")
    return f"{kind}.{key}"


def _logged(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("fan-out failed", exc_info=future.exception())


def layer_send(channel_group: str, payload: dict) -> None:
    """Send one message to a channel-layer group from any thread of the process; never raises.

    On an event loop's own thread the send is scheduled (never blocking the loop); on another thread of the
    ASGI server it is handed to the server's loop (which holds the in-memory layer); elsewhere (a WSGI worker,
    a separate task consumer with Redis) it is sent synchronously.
    """
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    loop = server_loop()
    try:
        if running is not None:
            running.create_task(layer.group_send(channel_group, payload)).add_done_callback(_logged)
        elif loop is not None:
            # Pushes start in the order they are handed over; a client that still sees a gap catches up.
            asyncio.run_coroutine_threadsafe(layer.group_send(channel_group, payload), loop).add_done_callback(_logged)
        else:
            async_to_sync(layer.group_send)(channel_group, payload)
    except Exception:  # the data is committed; clients catch up (and sockets re-check on their own)
        logger.exception("fan-out to %s failed", channel_group)


# ------------------------------------------------------------------------------------- per-user control channel

ACCESS_CHECK = "access.check"


def control_group(user_id: int) -> str:
    """The channel-layer group every socket of one user joins (see sanshe.core.consumers.GuardedConsumer)."""
    return channel_name("access", user_id)


def sockets_recheck(user_id: int, *, session_key: str | None = None) -> None:
    """Once the current transaction commits, make every open socket of the user re-check its access now.

    Sockets that lost their access (deactivated account, revoked role, removed membership, lapsed clearance)
    close at once. With `session_key` (a logout), the sockets opened with that session close unconditionally:
    the session is being flushed.
    """
    from django.db import transaction

    payload: dict = {"type": ACCESS_CHECK}
    if session_key:
        payload["session_key"] = session_key
    transaction.on_commit(lambda: layer_send(control_group(user_id), payload))
