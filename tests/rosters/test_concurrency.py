"""The last free place under concurrency: many real threads claim it at once against the real database.

On SQLite the shared in-memory test database cannot take concurrent writers the way a deployment can, so the
committed test data is copied into a real SQLite file (WAL, busy timeout, IMMEDIATE transactions, exactly the
production settings) and the claiming threads connect to that file. On PostgreSQL (DATABASE_URL, as in CI)
the threads use the test database itself.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sanshe.accounts.roles import Role
from sanshe.groups.models import MemberRole
from sanshe.groups.services import member_add
from sanshe.rosters import services
from sanshe.rosters.models import Assignment, ShiftNeed
from tests.rosters.conftest import NOW, at, make_shift, need
from tests.volunteers.helpers import cleared_volunteer

CLAIMANTS = 8


@contextmanager
def real_database(tmp_path):
    """Yield a function reading (filled, active assignments) from the database the threads write to."""
    if connection.vendor != "sqlite":
        def read(need_id: int) -> tuple[int, int]:
            filled = ShiftNeed.objects.get(pk=need_id).filled
            return filled, Assignment.objects.filter(need_id=need_id, status="active").count()
        yield read
        return
    path = tmp_path / "claims.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)

    def read(need_id: int) -> tuple[int, int]:
        with sqlite3.connect(path) as db:
            filled = db.execute("SELECT filled FROM rosters_shiftneed WHERE id = ?", [need_id]).fetchone()[0]
            taken = db.execute("SELECT COUNT(*) FROM rosters_assignment WHERE need_id = ? AND status = 'active'",
                               [need_id]).fetchone()[0]
        return filled, taken
    try:
        yield read
    finally:
        settings_dict["NAME"] = original


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_concurrent_claims_gets_the_last_place(roster, tmp_path):
    medics = list(roster.medics)
    for n in range(CLAIMANTS - len(medics)):
        user = cleared_volunteer(roster.social_worker, roster.recruitment, Role.MEDICAL_VOLUNTEER, name=f"医生{n}")
        member_add(actor=roster.social_worker, group=roster.group, user=user, role=MemberRole.MEDICAL)
        medics.append(user)
    shift = make_shift(roster.group, at(1, 8), at(1, 12), medical=2)
    # One of the two places is already taken: the race is for the last one.
    services.shift_claim(actor=medics.pop(), need_id=need(shift).pk, now=NOW)
    place = need(shift)
    barrier = threading.Barrier(len(medics))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def claim(user):
        try:
            barrier.wait(timeout=30)
            services.shift_claim(actor=user, need_id=place.pk, now=NOW)
            outcome = ("won", "")
        except ValidationError as error:
            outcome = ("lost", " ".join(error.messages))
        except Exception as error:  # noqa: BLE001 — any other failure is reported by the assertion below
            outcome = ("error", repr(error))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    with real_database(tmp_path) as read:
        threads = [threading.Thread(target=claim, args=(user,)) for user in medics]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        filled, taken = read(place.pk)

    assert [r for r in results if r[0] == "error"] == []
    assert len(results) == len(medics)
    assert sum(1 for r in results if r[0] == "won") == 1
    assert all("名额" in message for kind, message in results if kind == "lost")
    assert (filled, taken) == (2, 2)
