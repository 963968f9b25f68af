"""Background account work on huey: delivering one-time login codes."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=2, retry_delay=5)
def otp_deliver_task(code_id: int) -> bool:
    """Give an issued one-time code its digits and text it (only the code row's id is queued)."""
    from .services import otp_deliver

    return otp_deliver(code_id=code_id)
