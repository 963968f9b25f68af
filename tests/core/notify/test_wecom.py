"""WeCom (企业微信): the group-robot webhook and the app-message API, against a real local HTTP server that
checks what it is sent."""

from __future__ import annotations

import pytest

from sanshe.core.notify import wecom
from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from sanshe.core.notify.services import notify_robot, notify_send
from sanshe.core.notify.wecom import WeComApp, WeComError, WeComRobot
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_tokens():
    wecom.tokens_forget()
    yield
    wecom.tokens_forget()


def test_robot_posts_text_and_markdown_to_its_webhook_key(http_server):
    base, server = http_server
    robot = WeComRobot(key="robot-key-1", base_url=base)
    robot.send("【三社】红色预警：1栋 张*", mentioned_mobiles=["13900000001"])
    robot.send("**危机个案** 请立即确认", markdown=True)
    first, second = server.requests
    assert (first["method"], first["path"], first["query"]) == ("POST", "/cgi-bin/webhook/send", {"key": "robot-key-1"})
    assert first["body"] == {"msgtype": "text", "text": {"content": "【三社】红色预警：1栋 张*",
                                                          "mentioned_mobile_list": ["13900000001"]}}
    assert first["headers"]["Content-Type"].startswith("application/json")
    assert second["body"] == {"msgtype": "markdown", "markdown": {"content": "**危机个案** 请立即确认"}}


def test_robot_raises_on_a_non_zero_errcode(http_server):
    base, server = http_server
    server.answer = lambda request: (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    with pytest.raises(WeComError) as error:
        WeComRobot(key="wrong", base_url=base).send("x")
    assert error.value.errcode == 93000


def _app_server(server, *, expire_first: bool = False):
    """gettoken hands out token-1, token-2, …; message/send accepts the newest token only (42001 otherwise)."""
    issued: list[str] = []

    def answer(request):
        if request["path"] == "/cgi-bin/gettoken":
            if request["query"] != {"corpid": "ww-corp", "corpsecret": "app-secret"}:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            issued.append(f"token-{len(issued) + 1}")
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": issued[-1], "expires_in": 7200}
        if request["path"] == "/cgi-bin/message/send":
            if expire_first and request["query"]["access_token"] == "token-1":
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            if request["query"]["access_token"] != issued[-1]:
                return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
            return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": ""}
        return 404, {}

    server.answer = answer
    return issued


def test_app_message_fetches_a_token_once_and_reuses_it(http_server):
    base, server = http_server
    _app_server(server)
    app = WeComApp(corpid="ww-corp", secret="app-secret", agentid=1000002, base_url=base)
    app.send(["zhangsan", "lisi"], "【三社】危机个案，请立即确认")
    app.send(["zhangsan"], "第二条")
    paths = [r["path"] for r in server.requests]
    assert paths == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]  # token cached
    sent = server.requests[1]
    assert sent["query"] == {"access_token": "token-1"}
    assert sent["body"] == {"touser": "zhangsan|lisi", "agentid": 1000002, "msgtype": "text",
                            "text": {"content": "【三社】危机个案，请立即确认"}}


def test_an_expired_token_is_refreshed_and_the_message_sent_again(http_server):
    base, server = http_server
    issued = _app_server(server, expire_first=True)
    app = WeComApp(corpid="ww-corp", secret="app-secret", agentid=7, base_url=base)
    app.send(["zhangsan"], "**红色预警**", markdown=True)
    assert issued == ["token-1", "token-2"]
    assert [(r["path"], r["query"].get("access_token")) for r in server.requests] == [
        ("/cgi-bin/gettoken", None), ("/cgi-bin/message/send", "token-1"),
        ("/cgi-bin/gettoken", None), ("/cgi-bin/message/send", "token-2")]
    assert server.requests[-1]["body"]["markdown"] == {"content": "**红色预警**"}


def test_wrong_credentials_raise(http_server):
    base, server = http_server
    _app_server(server)
    with pytest.raises(WeComError) as error:
        WeComApp(corpid="ww-corp", secret="wrong", agentid=7, base_url=base).send(["a"], "x")
    assert error.value.errcode == 40001


@pytest.mark.django_db
def test_the_outbox_delivers_to_a_persons_wecom_and_to_a_robot(http_server, settings, sms,
                                                               django_capture_on_commit_callbacks):
    base, server = http_server
    _app_server(server)
    settings.WECOM_API_BASE = base
    settings.WECOM_CORP_ID, settings.WECOM_APP_SECRET, settings.WECOM_AGENT_ID = "ww-corp", "app-secret", "1000002"
    settings.SITE_URL = "https://sanshe.example.org"
    medic = UserFactory(username="medic1")
    NotificationPreference.objects.create(user=medic, wecom_userid="wang.medic")
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify_send(recipients=[medic], kind="crisis.alert", title="危机个案需要立即处置",
                             url="/crisis/5/", sms_text="【三社】危机个案（急症）：民族社区 张*",
                             channels=(Channel.INAPP, Channel.SMS, Channel.WECOM), critical=True)
    delivery = Delivery.objects.get(notification=note, channel=Channel.WECOM)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    sent = server.requests[-1]
    assert sent["body"]["touser"] == "wang.medic" and sent["body"]["agentid"] == 1000002
    assert sent["body"]["text"]["content"] == "【三社】危机个案（急症）：民族社区 张* https://sanshe.example.org/crisis/5/"

    server.answer = lambda request: (200, {"errcode": 0, "errmsg": "ok"})
    with django_capture_on_commit_callbacks(execute=True):
        robot_note = notify_robot(key="robot-key-9", text="今日值班：王医生", kind="rosters.duty")
    assert server.requests[-1]["query"] == {"key": "robot-key-9"}
    assert server.requests[-1]["body"] == {"msgtype": "text", "text": {"content": "今日值班：王医生"}}
    robot_delivery = Delivery.objects.get(notification=robot_note)
    assert robot_delivery.status == DeliveryStatus.SENT and robot_delivery.address_display == "…ey-9"
