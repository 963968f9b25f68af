"""A one-time code is queued the same way whether or not the phone is a registered person's (no timing oracle)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanshe.accounts import services
from sanshe.accounts.models import OneTimeCode

UNKNOWN = "13700001111"


def _writes(queries) -> list[str]:
    """The write statements, by kind and table, in order."""
    found = []
    for query in queries:
        match = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', query["sql"], re.IGNORECASE)
        if match:
            found.append(f"{match.group(1).upper()} {match.group(2)}")
    return found


def _request(phone: str, django_capture_on_commit_callbacks):
    """What otp_request does in the request, and what its queued work does afterwards."""
    with CaptureQueriesContext(connection) as in_request:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.otp_request(phone=phone, ip="10.0.0.1")
    with CaptureQueriesContext(connection) as queued:
        for callback in callbacks:
            callback()
    return callbacks, _writes(in_request.captured_queries), _writes(queued.captured_queries)


def test_registered_and_unknown_phones_queue_the_same_task_and_write_the_same_rows(
        world, sms, django_capture_on_commit_callbacks):
    registered = _request(world.head.phone, django_capture_on_commit_callbacks)
    unknown = _request(UNKNOWN, django_capture_on_commit_callbacks)

    (reg_callbacks, reg_request_writes, reg_task_writes) = registered
    (unk_callbacks, unk_request_writes, unk_task_writes) = unknown
    # One queued task each, and nothing texted inside the request.
    assert len(reg_callbacks) == len(unk_callbacks) == 1
    assert [c.__code__.co_names for c in reg_callbacks] == [c.__code__.co_names for c in unk_callbacks]
    assert reg_request_writes == unk_request_writes
    assert reg_task_writes == unk_task_writes == ["UPDATE accounts_onetimecode"]
    # Only the registered phone got a text, and its code is the one now stored.
    assert [phone for phone, _ in sms] == [world.head.phone]
    code = re.search(r"\d{6}", sms[0][1]).group()
    user = services.otp_verify(phone=world.head.phone, code=code, ip="10.0.0.1")
    assert user.display_name == world.head.name
    assert OneTimeCode.objects.count() == 2


def test_nothing_is_sent_before_the_transaction_commits(world, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.otp_request(phone=world.head.phone, ip="10.0.0.1")
    assert sms == []
