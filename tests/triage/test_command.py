"""`python manage.py triage`: assessment JSON on stdin, result JSON on stdout, exit 2 on bad input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CONTRACT_KEYS = {"tier", "urgency", "crisis", "scores", "reasons", "actions"}


def run(payload: str, *args: str) -> dict:
    out = io.StringIO()
    call_command("triage", *args, stdin=io.StringIO(payload), stdout=out)
    return json.loads(out.getvalue())


def test_crisis_vignette_through_the_command():
    result = run(json.dumps({"cssrs": {"q1": True, "q2": True, "q3": True, "q4": True, "q5": False,
                                       "q6": False}}))
    assert CONTRACT_KEYS <= set(result)
    assert (result["tier"], result["urgency"], result["crisis"]) == (3, "immediate", True)
    assert result["reasons"][0]["rule_id"] == "cssrs_intent"
    assert result["actions"][0]["code"] == "crisis_protocol"
    assert result["scores"]["cssrs"]["risk"] == "high"


def test_output_is_readable_chinese_not_escapes():
    out = io.StringIO()
    call_command("triage", "--compact", stdin=io.StringIO('{"gad7": {"total": 10}}'), stdout=out)
    text = out.getvalue()
    assert "中度焦虑" in text and "\\u" not in text
    assert text.count("\n") == 1  # --compact: one line


def test_fever_threshold_option_is_the_epidemic_profile():
    payload = json.dumps({"observation": {"temperature_c": 37.4}})
    assert run(payload)["reasons"][0]["rule_id"] == "medical_notice"
    assert run(payload, "--fever-threshold", "37.5")["reasons"][0]["rule_id"] == "no_rule_fired"


@pytest.mark.parametrize(("payload", "message"), [
    ("", "没有收到评估数据"),
    ("not json", "不是有效的 JSON"),
    ('{"gad7": [0, 0, 0]}', "GAD-7 共7题，收到3个答案"),
    ('{"cssrs": {"q1": true, "q2": false, "q5": true, "q6": false}}', "第5题不应作答"),
])
def test_bad_input_exits_2_with_a_chinese_message(payload, message):
    with pytest.raises(CommandError) as exc:
        run(payload)
    assert exc.value.returncode == 2
    assert message in str(exc.value)


def _manage(payload: bytes, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanshe.settings.test"}
    return subprocess.run([sys.executable, "manage.py", "triage", *args], input=payload, capture_output=True,
                          cwd=BASE_DIR, env=env, timeout=120, check=False)


def test_real_process_reads_stdin_and_writes_stdout():
    done = _manage(json.dumps({"phq9": {"answers": [0, 0, 0, 0, 0, 1, 1, 0, 1]}}).encode())
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout.decode("utf-8"))
    assert (result["tier"], result["urgency"], result["crisis"]) == (3, "within_24h", False)
    assert [a["code"] for a in result["actions"]][0] == "suicide_screen"
    assert "立即使用C-SSRS筛查版进行自杀风险筛查" in done.stdout.decode("utf-8")


def test_real_process_exits_2_and_explains_on_stderr():
    done = _manage(b'{"observation": {"spo2": 120}}')
    assert done.returncode == 2
    assert done.stdout == b""
    assert "血氧饱和度应在50%–100%之间" in done.stderr.decode("utf-8")
