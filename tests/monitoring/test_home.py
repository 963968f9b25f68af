"""Home-page panels: what each role's 工作台 shows of monitoring and referrals (rendered as the partials)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from sanshe.cases.home import home_social_worker
from sanshe.monitoring.home import AUDIT_ACTION_LABELS, home_medical_volunteer, home_resident, home_staff

pytestmark = pytest.mark.django_db


def test_staff_panel_counts_todays_follow_ups(community_worker, world):
    from .test_views import _under_follow_up

    _under_follow_up(community_worker, world.head)
    context = home_staff(actor=community_worker)
    html = render_to_string("monitoring/_home_staff.html", context)
    assert context["monitoring"]["people"] == 1 and context["monitoring"]["due"] == 2
    assert "今日随访" in html and "1/2" not in html and "0/2" in html


def test_roles_without_monitoring_get_no_panel(secretary, resident, medic):
    assert home_staff(actor=secretary) == {"monitoring": None}
    assert home_resident(actor=resident) == {"monitoring": None}
    assert home_medical_volunteer(actor=medic) == {"monitoring": None}
    assert render_to_string("monitoring/_home_staff.html", {"monitoring": None}).strip() == ""


def test_resident_panel_links_to_the_check_in(period, resident):
    html = render_to_string("monitoring/_home_resident.html", home_resident(actor=resident))
    assert "/monitoring/me/" in html and "观察至" in html


def test_social_worker_panel_counts_referrals(social_worker, community_worker):
    assert home_social_worker(actor=social_worker) == {"referrals": {"new": 0, "mine": 0}}
    assert home_social_worker(actor=community_worker) == {"referrals": None}


def test_every_audit_action_written_has_a_label():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "sanshe"
    written = set()
    for path in [*root.joinpath("monitoring").glob("*.py"), *root.joinpath("cases").glob("*.py")]:
        written |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    written |= {f"quarantine.{s}" for s in ("cancelled", "hospital", "lost")}  # action=f"quarantine.{status}"
    from sanshe.core.features import audit_action_labels

    assert written <= set(AUDIT_ACTION_LABELS) | set(audit_action_labels())
