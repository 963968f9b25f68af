"""The unified inbox and "take next": most urgent first, then longest waiting; never the same referral twice."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from sanshe.cases.models import Case, Referral, ReferralStatus
from sanshe.cases.selectors import referral_inbox, waited_too_long
from sanshe.cases.services import referral_take_into_case, referral_take_next
from sanshe.core.errors import ActionForbidden
from sanshe.core.models import AuditEvent
from tests.factories import Role, UserFactory, grant

from .conftest import NOW, make_person, make_referral, minutes

pytestmark = pytest.mark.django_db


def test_inbox_orders_by_urgency_then_waiting_time(world, social_worker):
    routine_old = make_referral(make_person(world, "甲"), urgency="routine", created_at=NOW - minutes(600))
    urgent_new = make_referral(make_person(world, "乙"), urgency="immediate", created_at=NOW - minutes(1))
    urgent_old = make_referral(make_person(world, "丙"), urgency="immediate", created_at=NOW - minutes(30))
    day = make_referral(make_person(world, "丁"), urgency="within_24h", created_at=NOW - minutes(60))
    make_referral(world.stranger, urgency="immediate")  # another community: not in this inbox
    assert referral_inbox(actor=social_worker, now=NOW) == [urgent_old, urgent_new, day, routine_old]


def test_waiting_too_long_depends_on_urgency(world):
    immediate = make_referral(make_person(world), urgency="immediate", created_at=NOW - minutes(16))
    routine = make_referral(make_person(world, "乙"), urgency="routine", created_at=NOW - minutes(16))
    assert waited_too_long(immediate, NOW) and not waited_too_long(routine, NOW)


def test_take_next_opens_the_most_urgent_longest_waiting(world, social_worker):
    make_referral(make_person(world, "甲"), urgency="routine", created_at=NOW - minutes(600))
    first = make_referral(make_person(world, "乙"), urgency="immediate", created_at=NOW - minutes(30))
    make_referral(make_person(world, "丙"), urgency="immediate", created_at=NOW - minutes(5))
    case = referral_take_next(actor=social_worker, now=NOW)
    assert case.referral_id == first.pk and case.person_id == first.person_id
    assert case.owner == social_worker and case.intake_by == social_worker and case.urgency == "immediate"
    first.refresh_from_db()
    assert first.status == ReferralStatus.TAKEN and first.taken_by == social_worker and first.taken_at == NOW
    assert AuditEvent.objects.filter(action="referral.take", object_id=str(first.pk), detail={"next": True}).exists()
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()


def test_take_next_takes_the_persons_other_waiting_referrals_with_it(world, social_worker):
    person = make_person(world)
    first = make_referral(person, urgency="immediate", source_kind="chat", created_at=NOW - minutes(10))
    second = make_referral(person, urgency="routine", source_kind="self_help", created_at=NOW - minutes(5))
    case = referral_take_next(actor=social_worker, now=NOW)
    assert case.referral_id == first.pk
    second.refresh_from_db()
    assert second.status == ReferralStatus.TAKEN and second.taken_by == social_worker
    assert referral_take_next(actor=social_worker, now=NOW) is None


def test_take_next_with_nothing_waiting(world, social_worker):
    assert referral_take_next(actor=social_worker, now=NOW) is None


def test_take_next_is_for_social_workers(world, community_worker):
    make_referral(make_person(world))
    with pytest.raises(ActionForbidden):
        referral_take_next(actor=community_worker, now=NOW)


def test_taking_a_referral_someone_else_took_is_refused(world, social_worker, social_worker2):
    referral = make_referral(make_person(world))
    referral_take_into_case(actor=social_worker, referral_id=referral.pk, now=NOW)
    with pytest.raises(ValidationError):
        referral_take_into_case(actor=social_worker2, referral_id=referral.pk, now=NOW)
    # The one who took it may come back to its intake.
    assert referral_take_into_case(actor=social_worker, referral_id=referral.pk, now=NOW).referral_id == referral.pk


@contextmanager
def real_database(tmp_path):
    """The threads write to a real database: PostgreSQL as it is, or a SQLite file copy of the test database
    (WAL, busy timeout, IMMEDIATE transactions: the production settings), as in tests/rosters."""
    if connection.vendor != "sqlite":
        def read() -> list[tuple[int, str, int | None]]:
            return list(Referral.objects.values_list("pk", "status", "taken_by_id").order_by("pk"))
        yield read
        return
    path = tmp_path / "take_next.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connections.settings["default"]
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)

    def read() -> list[tuple[int, str, int | None]]:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT id, status, taken_by_id FROM cases_referral ORDER BY id").fetchall()
    try:
        yield read
    finally:
        settings_dict["NAME"] = original


WORKERS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_take_next_never_gives_the_same_referral_twice(world, tmp_path):
    workers = []
    for n in range(WORKERS):
        user = UserFactory(username=f"sw{n}")
        grant(user, world.org, Role.SOCIAL_WORKER, communities=[world.home])
        workers.append(user)
    waiting = [make_referral(make_person(world, f"案主{n}"), urgency="immediate" if n < 2 else "routine",
                             created_at=NOW - minutes(100 - n)) for n in range(WORKERS - 2)]
    barrier = threading.Barrier(WORKERS)
    results: list[tuple[str, int | None]] = []
    lock = threading.Lock()

    def take(user):
        try:
            barrier.wait(timeout=30)
            case = referral_take_next(actor=user, now=NOW)
            outcome = ("won", case.referral_id) if case is not None else ("empty", None)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            outcome = ("error", repr(error))
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    with real_database(tmp_path) as read:
        threads = [threading.Thread(target=take, args=(user,)) for user in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        rows = read()

    assert [r for r in results if r[0] == "error"] == []
    won = [referral_id for kind, referral_id in results if kind == "won"]
    assert sorted(won) == sorted(r.pk for r in waiting)  # every referral taken exactly once
    assert sum(1 for kind, _ in results if kind == "empty") == WORKERS - len(waiting)
    assert all(status == "taken" and taken_by is not None for _pk, status, taken_by in rows)
    assert len({taken_by for _pk, _status, taken_by in rows}) == len(waiting)  # by different workers


def test_take_next_skips_a_referral_taken_between_read_and_write(world, social_worker, social_worker2,
                                                                  monkeypatch):
    """Simulate the lost race deterministically: the candidate is taken by someone else just before the update."""
    first = make_referral(make_person(world, "甲"), urgency="immediate", created_at=NOW - minutes(30))
    second = make_referral(make_person(world, "乙"), urgency="routine", created_at=NOW - minutes(30))
    from django.db.models import QuerySet

    original_update = QuerySet.update
    sneaked = []

    def update(self, **kwargs):
        if self.model is Referral and not sneaked and kwargs.get("taken_by") == social_worker:
            sneaked.append(True)
            original_update(Referral.objects.filter(pk=first.pk), status="taken", taken_by=social_worker2)
        return original_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update)
    case = referral_take_next(actor=social_worker, now=NOW)
    assert case.referral_id == second.pk
    assert Case.objects.filter(referral=first).count() == 0
