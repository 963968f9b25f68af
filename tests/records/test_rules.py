"""Validation of every tool as pure rules (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from sanshe.records.rules import check_record
from sanshe.records.summary import build_rows
from sanshe.records.visibility import may_read, record_domain

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=timezone.get_current_timezone())
START = NOW - timedelta(hours=1)


def test_client_name_required_for_every_tool():
    for kind in ("consultation", "social_work", "medical", "psychological"):
        assert "client_name" in check_record(kind, {"client_name": "  "})


def test_formats_checked_on_every_save():
    errors = check_record("medical", {"client_name": "张", "client_age": 140, "client_phone": "abc",
                                      "emergency_contact_phone": "13800000000",
                                      "service_start": START, "service_end": START - timedelta(minutes=1)})
    assert set(errors) == {"client_age", "client_phone", "emergency_contact_name", "service_end"}
    assert "晚于开始时间" in errors["service_end"][0]


def test_service_cannot_start_in_the_future_nor_last_a_day():
    errors = check_record("medical", {"client_name": "张", "service_start": NOW + timedelta(hours=1),
                                      "service_end": NOW + timedelta(hours=26)}, now=NOW)
    assert "service_start" in errors and "service_end" in errors


def test_consultation_submit_needs_answers_and_chat_record():
    base = {"client_name": "张", "consult_kind": "medical", "service_staff": "李医生"}
    errors = check_record("consultation", {**base, "consultation_points": [{"q": "要去医院吗", "a": ""}]},
                          submitting=True)
    assert "consultation_points" in errors and "chat_record" in errors
    ok = check_record("consultation", {**base, "consultation_points": [{"q": "要去医院吗", "a": "先观察"}],
                                       "chat_record": "", "has_images": True}, submitting=True)
    assert ok == {}
    assert "consult_kind" in check_record("consultation", {**base, "consult_kind": "magic"})
    assert "consultation_points" in check_record("consultation", {**base, "consultation_points": [{"q": "", "a": "答"}]})


def test_draft_may_be_incomplete():
    assert check_record("consultation", {"client_name": "张"}) == {}
    assert check_record("social_work", {"client_name": "张"}) == {}


def test_social_work_submit_needs_demand_points_time_result():
    errors = check_record("social_work", {"client_name": "张"}, submitting=True)
    assert {"demand_emotion", "service_points", "service_start", "service_end", "result"} <= set(errors)
    assert "needs" in check_record("social_work", {"client_name": "张", "needs": ["bogus"]})
    assert "needs_other" in check_record("social_work", {"client_name": "张", "needs": ["care_other"]})


def test_medical_submit_needs_service_advice_result():
    errors = check_record("medical", {"client_name": "张", "service_start": START, "service_end": NOW},
                          submitting=True)
    assert set(errors) == {"online_service", "professional_advice", "result"}


def test_psychological_next_appointment_yes_needs_a_later_time():
    base = {"client_name": "张", "service_start": START, "service_end": NOW, "observation": "o",
            "counselling_process": "p", "goal_plan": "g"}
    assert "next_appointment" in check_record("psychological", base, submitting=True)
    assert "next_appointment_at" in check_record("psychological", {**base, "next_appointment": True})
    assert "next_appointment_at" in check_record("psychological", {**base, "next_appointment": True,
                                                                   "next_appointment_at": START})
    assert "next_appointment_at" in check_record("psychological", {**base, "next_appointment": False,
                                                                   "next_appointment_at": NOW + timedelta(days=1)})
    assert check_record("psychological", {**base, "next_appointment": True,
                                          "next_appointment_at": NOW + timedelta(days=2)}, submitting=True) == {}
    assert "consult_count" in check_record("psychological", {**base, "consult_count": 0})


def test_domains_and_need_to_know_rule():
    assert record_domain("consultation", "medical") == "medical"
    assert record_domain("consultation", "other") == "general"
    assert record_domain("psychological") == "psychological"
    assert record_domain("social_work") == "social_work"
    assert may_read(domain="medical", author_id=1, viewer_id=2, viewer_group_roles={"medical"},
                    viewer_is_community_social_worker=False)
    assert not may_read(domain="medical", author_id=1, viewer_id=2, viewer_group_roles={"secretary"},
                        viewer_is_community_social_worker=False)
    assert not may_read(domain="psychological", author_id=1, viewer_id=2, viewer_group_roles={"medical"},
                        viewer_is_community_social_worker=False)
    assert may_read(domain="medical", author_id=2, viewer_id=2, viewer_group_roles={"secretary"},
                    viewer_is_community_social_worker=False)
    assert may_read(domain="social_work", author_id=1, viewer_id=2, viewer_group_roles=set(),
                    viewer_is_community_social_worker=True)


def test_build_rows_one_per_client_with_guide_columns():
    common = {"demand_emotion": "", "demand_medical": "", "demand_psychological": "", "demand_other": "",
              "result": "", "follow_up": "", "physical_condition": "", "other_history": "", "past_illness": "",
              "online_service": "", "professional_advice": "", "observation": "", "counselling_process": "",
              "goal_plan": "", "next_appointment": None, "next_appointment_at": "", "service_points": [],
              "points": [], "consult_kind": "", "client_age": None}
    records = [
        {**common, "id": 1, "kind": "consultation", "person_id": 7, "client_name": "张伟", "author_name": "mishu",
         "consult_kind": "medical", "points": [{"q": "要去医院吗", "a": "先观察"}], "client_age": 40, "sex_label": "男"},
        {**common, "id": 2, "kind": "medical", "person_id": 7, "client_name": "张伟", "author_name": "yiwu",
         "online_service": "测温指导", "professional_advice": "多喝水", "physical_condition": "低热"},
        {**common, "id": 3, "kind": "psychological", "person_id": None, "client_name": "李娜", "author_name": "xinli",
         "observation": "焦虑", "next_appointment": True, "next_appointment_at": "12-08 10:00"},
    ]
    rows = build_rows(records, day=NOW.date())
    assert [r["client_name"] for r in rows] == ["张伟", "李娜"]
    first = rows[0]
    assert first["record_ids"] == [1, 2] and first["recorder"] == "mishu"
    assert first["request_content"] == "要去医院吗"
    assert "先观察" in first["medical_content"] and "测温指导" in first["medical_content"]
    assert first["basic_info"].startswith("男，40岁") and "低热" in first["basic_info"]
    assert "12-08 10:00" in rows[1]["follow_up"] and "焦虑" in rows[1]["psychological_content"]
