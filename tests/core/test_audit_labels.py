"""Every audit action the code writes has a Chinese label on the audit log page."""

from __future__ import annotations

import re
from pathlib import Path

from sanshe.core.features import audit_action_labels
from sanshe.core.selectors import ACTION_LABELS, action_label

ROOT = Path(__file__).resolve().parents[2] / "sanshe"
# Actions whose last part is a variable: the values it takes, by prefix.
VARIABLE = {
    "quarantine.": ("cancelled", "hospital", "lost"),
    "records.referral_out.": ("confirmed", "done", "declined"),
    "records.": ("record.export", "summary.export"),
}
# `action="a.b"` keyword arguments, and the literal first action of a helper such as knowledge's
# `_audit(actor, "knowledge.entry.publish" if … else "knowledge.entry.edit", …)`.
KEYWORD = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')
HELPER = re.compile(r'_audit\(\s*\w+,\s*([^\n]*)')
LITERAL = re.compile(r'"([a-z_]+\.[a-z_.]+)"')


def written_actions() -> set[str]:
    written: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        written |= set(KEYWORD.findall(text))
        for args in HELPER.findall(text):
            written |= set(LITERAL.findall(args))
    for prefix, values in VARIABLE.items():
        written |= {prefix + value for value in values}
    return written


def test_the_scan_finds_actions_of_every_kind():
    written = written_actions()
    assert {"groups.thread.arrange", "rosters.rest_override", "alert.call", "crisis.call",
            "knowledge.entry.edit", "knowledge.entry.publish", "audit.purge"} <= written


def test_every_audit_action_written_has_a_label():
    known = set(ACTION_LABELS) | set(audit_action_labels())
    assert sorted(a for a in written_actions() if a not in known) == []


def test_admin_site_actions_are_labelled_by_the_model():
    assert action_label("admin.user.change") == "后台修改用户"
    assert action_label("admin.organisation.create").startswith("后台新增")
    assert action_label("admin.nosuchmodel.change") == "admin.nosuchmodel.change"
