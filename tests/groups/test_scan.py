"""scan_messages (lines and WeChat exports) and POST /api/v1/messages/scan."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _run(*args, stdin: str | None = None, monkeypatch=None) -> list[dict]:
    out = StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", StringIO(stdin))
    call_command("scan_messages", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_message_per_line_from_a_file(tmp_path):
    path = tmp_path / "messages.txt"
    path.write_text("笑死了\n\n我攒了一瓶安眠药，今晚就吃\n请问今天几点发菜？\n内部消息：明天封城\n", encoding="utf-8")
    rows = _run(str(path))
    assert [r["text"] for r in rows] == ["笑死了", "我攒了一瓶安眠药，今晚就吃", "请问今天几点发菜？", "内部消息：明天封城"]
    assert rows[0]["risk_level"] == 0 and rows[1]["risk_level"] >= 9 and "timing:今晚" in rows[1]["risk_signals"]
    assert rows[2]["is_question"] and rows[3]["moderation"] == ["rumour"]
    assert set(rows[0]) == {"text", "risk_level", "risk_signals", "moderation", "is_question"}


def test_a_wechat_export_from_stdin(monkeypatch):
    export = "2020-02-03 10:15:32 张三\n大家好\n请问核酸几点？\n\n李四 2020-02-03 10:16\n我不想活了\n"
    rows = _run("-", "--format", "wechat", stdin=export, monkeypatch=monkeypatch)
    assert [(r["sender"], r["risk_level"] >= 6) for r in rows] == [("张三", False), ("李四", True)]


def test_bad_input_is_explained_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("scan_messages", str(tmp_path / "missing.txt"))
    latin = tmp_path / "gbk.txt"
    latin.write_bytes("我不想活了".encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("scan_messages", str(latin), stdout=StringIO())
    with pytest.raises(CommandError, match="没有编号为"):
        call_command("scan_messages", str(latin), "--organisation", "999999")


def test_the_api_scans_for_staff_only(world, social_worker, resident):
    """The router the project's API mounts (POST /messages/scan), called through ninja's test client."""
    from ninja.testing import TestClient

    from sanshe.groups.api import router

    api = TestClient(router)
    body = {"texts": ["热死了", "血氧只有86%，喘不上气", "转发这条保平安"]}
    assert api.post("/messages/scan", json=body).status_code == 401
    assert api.post("/messages/scan", json=body, user=resident).status_code == 403
    response = api.post("/messages/scan", json=body, user=social_worker)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["risk_level"] >= 9 for r in rows] == [False, True, False]
    assert rows[2]["moderation"] == ["superstition"]
    too_long = api.post("/messages/scan", json={"texts": ["长" * 4001]}, user=social_worker)
    assert too_long.status_code == 422 and "4000" in too_long.json()["detail"]
