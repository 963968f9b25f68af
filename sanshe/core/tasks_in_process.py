"""The task queue's consumer inside the web process, for the single-process setup (no REDIS_URL).

With the in-memory channel layer, a push made in another process never reaches a browser, so escalations
and reminders sent by periodic tasks would show only as SMS. `manage.py serve` in single mode therefore runs
huey's workers and scheduler as threads of the uvicorn process (SANSHE_TASKS_IN_PROCESS=1), started and
stopped by the ASGI lifespan; their pushes go through the server's loop (sanshe.core.realtime). With Redis,
the consumer is its own process (`manage.py run_huey`) as before.
"""

from __future__ import annotations

import logging
import os

from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer

logger = logging.getLogger(__name__)
ENV = "SANSHE_TASKS_IN_PROCESS"


class InProcessConsumer(Consumer):
    """huey's consumer without its signal handlers: the ASGI server owns the process's signals."""

    def _set_signal_handlers(self) -> None:
        return None


_consumer: InProcessConsumer | None = None


def wanted() -> bool:
    return os.environ.get(ENV) == "1"


def start() -> InProcessConsumer | None:
    """Start the scheduler and worker threads once (idempotent); None when tasks run inline (tests)."""
    global _consumer
    from huey.contrib.djhuey import HUEY

    if _consumer is not None or HUEY.immediate:
        return _consumer
    # What `manage.py run_huey` does first: register every app's tasks (periodic ones included).
    autodiscover_modules("tasks")
    _consumer = InProcessConsumer(HUEY, workers=int(os.environ.get("TASK_WORKERS", "2")), worker_type="thread",
                                  periodic=True)
    _consumer.start()
    logger.info("task consumer started in-process")
    return _consumer


def stop() -> None:
    """Let running tasks finish (up to huey's shutdown timeout), then stop the threads."""
    global _consumer
    if _consumer is not None:
        _consumer.stop(graceful=True)
        _consumer = None
