"""The audit log page speaks Chinese: action labels, people's names, object names; system events fold away."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanshe.cases import services as cases
from sanshe.core.audit import audit_record
from sanshe.core.models import AuditOutcome
from sanshe.groups import services as groups
from sanshe.groups.models import GroupTier

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"


def events(response):
    return [event for event, _label in response.context["page"].events]


def test_recent_feature_actions_show_their_chinese_labels(client, world, org_admin, social_worker):
    for action in ("groups.thread.arrange", "rosters.rest_override", "alert.call", "crisis.call",
                   "knowledge.entry.publish"):
        audit_record(actor=social_worker, action=action)
    client.force_login(org_admin)
    page = client.get(AUDIT).content.decode()
    for label in ("安排值班咨询师私聊", "破例排班（越过休息规则，附理由）", "健康预警中拨打电话（显示号码）",
                  "危机处置中拨打电话（显示号码）", "发布知识库条目"):
        assert label in page
    assert "<strong>groups.thread.arrange</strong>" not in page and "<strong>rosters.rest_override" not in page


def test_a_feature_action_can_be_picked_in_the_action_filter(client, world, org_admin, social_worker):
    audit_record(actor=social_worker, action="rosters.rest_override")
    audit_record(actor=social_worker, action="person.update", obj=world.head)
    client.force_login(org_admin)
    response = client.get(AUDIT, {"action": "rosters.rest_override"})
    assert [e.action for e in events(response)] == ["rosters.rest_override"]
    assert '<option value="rosters.rest_override" selected>' in response.content.decode()


def test_staff_are_shown_by_name_and_residents_masked(client, world, org_admin, social_worker, resident):
    social_worker.display_name = "陈晓梅"
    social_worker.save(update_fields=["display_name"])
    resident.display_name = "张伟"
    resident.save(update_fields=["display_name"])
    audit_record(actor=social_worker, action="person.update", obj=world.head)
    audit_record(actor=resident, action="person.update", obj=world.head, organisation_id=world.org.pk)
    client.force_login(org_admin)
    response = client.get(AUDIT)
    page = response.content.decode()
    assert "操作人：陈晓梅" in page and "（social_worker）" in page
    names = {e.actor_label: e.actor_name for e in events(response)}
    assert names["resident"] == "张*"
    assert "张伟" not in page
    # The filter finds a staff member by name as well as by account.
    assert {e.actor_label for e in events(client.get(AUDIT, {"actor": "陈晓梅"}))} == {"social_worker"}


def test_objects_are_named_masked_and_only_when_the_viewer_may_see_them(client, world, org_admin, social_worker):
    groups.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="阳光聚焦服务群")
    case = cases.case_open(actor=social_worker, person_id=world.neighbour.pk)
    audit_record(actor=social_worker, action="person.update", obj=world.head)
    # An event the admin may read about a person outside the admin's communities: no name for it.
    audit_record(actor=social_worker, action="person.reveal", obj=world.stranger, reason="核对")
    client.force_login(org_admin)
    response = client.get(AUDIT, {"system": "on"})
    page = response.content.decode()
    assert "对象：群 阳光聚焦服务群" in page
    # A case number is a bare reference: shown even though the admin cannot open the case.
    assert f"对象：个案 {case.number}" in page
    assert "对象：人员 张*" in page and "张伟" not in page
    reveal = next(e for e in events(response) if e.action == "person.reveal")
    assert reveal.object_name == "" and f"对象：人员 #{world.stranger.pk}" in page and "刘" not in page


def test_bulk_system_events_are_hidden_unless_asked_for(client, world, org_admin, social_worker):
    audit_record(actor=None, actor_label="system", action="crisis.escalate", organisation_id=world.org.pk)
    audit_record(actor=None, actor_label="system", action="case.followup_remind", organisation_id=world.org.pk)
    audit_record(actor=None, actor_label="someone", action="login.failure", outcome=AuditOutcome.FAILURE,
                 organisation_id=world.org.pk)
    audit_record(actor=social_worker, action="person.update", obj=world.head)
    client.force_login(org_admin)
    default = client.get(AUDIT)
    shown = {e.action for e in events(default)}
    assert "login.failure" in shown and "person.update" in shown
    assert not shown & {"crisis.escalate", "case.followup_remind"}
    page = default.content.decode()
    assert "系统自动产生的事件（到期提醒、升级通知、定时清理、自动签退等）已隐藏。" in page
    everything = client.get(default.context["show_system_url"])
    assert {"crisis.escalate", "case.followup_remind", "login.failure"} <= {e.action for e in events(everything)}
    assert "操作人：系统自动" in everything.content.decode()
    # The choice is kept while paging and filtering.
    assert "system=on" in client.get(AUDIT, {"system": "on", "action": "crisis."}).context["show_system_url"]


def _mixed_events(world, social_worker, group, case, n: int) -> None:
    for _ in range(n):
        audit_record(actor=social_worker, action="person.update", obj=world.head)
        audit_record(actor=social_worker, action="groups.group.update", obj=group)
        audit_record(actor=social_worker, action="case.status", obj=case)
        audit_record(actor=social_worker, action="user.update", obj=social_worker)


def test_names_cost_the_same_queries_for_few_and_many_events(client, world, org_admin, social_worker):
    group = groups.group_create(actor=social_worker, tier=GroupTier.FOCUS, community=world.home, name="阳光聚焦服务群")
    case = cases.case_open(actor=social_worker, person_id=world.neighbour.pk)
    client.force_login(org_admin)
    _mixed_events(world, social_worker, group, case, 1)
    query = {"actor": "social_worker"}
    client.get(AUDIT, query)
    with CaptureQueriesContext(connection) as few:
        client.get(AUDIT, query)
    _mixed_events(world, social_worker, group, case, 15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(AUDIT, query)
    assert len(events(response)) == 50
    assert len(many) == len(few)
