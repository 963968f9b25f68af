"""Where the ASGI server's event loop is, so any thread of the process can push to WebSockets through it.

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
