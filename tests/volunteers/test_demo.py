"""The demo: volunteers in every state and a month of shifts, on top of the core demo."""

from datetime import timedelta

from django.utils import timezone

from sanshe.accounts.models import User
from sanshe.accounts.roles import Role
from sanshe.people.demo_community import demo_load as core_demo_load
from sanshe.rosters.demo import demo_load as rosters_demo_load
from sanshe.rosters.models import Assignment, AssignmentStatus, HandoverNote, HoursRecord, Shift
from sanshe.volunteers.clearance import volunteer_is_cleared
from sanshe.volunteers.demo import demo_load as volunteers_demo_load
from sanshe.volunteers.models import ApplicationStatus, VolunteerApplication


def test_demo_volunteers_and_roster(db):
    today = timezone.localdate()
    core_demo_load(people=300)
    summary = volunteers_demo_load(today=today)
    assert summary.startswith("志愿者：") and "可上岗" in summary
    statuses = set(VolunteerApplication.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    assert volunteer_is_cleared(User.objects.get(username="yiwu"), Role.MEDICAL_VOLUNTEER)
    assert not volunteer_is_cleared(User.objects.get(username="yiwu2"), Role.MEDICAL_VOLUNTEER)
    assert volunteer_is_cleared(User.objects.get(username="mishu"), Role.GENERAL_VOLUNTEER)
    roster = rosters_demo_load(today=today)
    assert roster.startswith("排班：")
    shifts = Shift.objects.all()
    assert shifts.filter(starts_at__lt=timezone.now() - timedelta(days=13)).exists()
    assert shifts.filter(starts_at__gt=timezone.now() + timedelta(days=15)).exists()
    assert HoursRecord.objects.count() > 20
    assert Assignment.objects.filter(status=AssignmentStatus.NO_SHOW).count() == 1
    assert HandoverNote.objects.exists()
    # Idempotent.
    assert volunteers_demo_load(today=today) == "志愿者：演示数据已存在"
    assert rosters_demo_load(today=today) == "排班：演示数据已存在"
