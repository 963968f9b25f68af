"""WeCom (企业微信) sending: the group-robot webhook and the app-message API.

Group robot: POST JSON {"msgtype": "text"|"markdown", ...} to https://qyapi.weixin.qq.com/cgi-bin/webhook/send
?key=KEY; the answer is {"errcode": 0, "errmsg": "ok"} or another errcode.
App message: GET /cgi-bin/gettoken?corpid=…&corpsecret=… → {"errcode": 0, "access_token": …, "expires_in": 7200};
the token is cached until shortly before it expires; POST /cgi-bin/message/send?access_token=… with
{"touser": "a|b", "agentid": N, "msgtype": "text", "text": {"content": …}}. errcode 42001 (token expired) or
40014 (token invalid) → a fresh token and one more try. Any other non-zero errcode raises WeComError.

Status: WeCom gives no delivery or read receipt for app messages (nor for robot posts), so a WeCom delivery is
marked "sent" when WeCom answers errcode 0 and stays "sent"; only in-app pushes (acknowledged by the page) and
texts (the SMS gateway's status report) can become "delivered".

The base URL is a setting (WECOM_API_BASE) so an intranet relay, or the test's local server, can stand in.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

DEFAULT_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {42001, 40014}
# Refresh a token this many seconds before WeCom says it expires (clock skew, the request's own time).
TOKEN_MARGIN = 300


class WeComError(RuntimeError):
    """WeCom refused the message (errcode ≠ 0) or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


def _request(url: str, *, body: dict | None = None, timeout: float = 10) -> dict:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read().decode() or "{}")
    except urllib.error.HTTPError as exc:
        raise WeComError(f"WeCom answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise WeComError(f"WeCom unreachable: {exc.__class__.__name__}") from None
    if not isinstance(answer, dict):
        raise WeComError("WeCom answered something that is not a JSON object")
    return answer


def _check(answer: dict) -> dict:
    errcode = int(answer.get("errcode", 0) or 0)
    if errcode:
        raise WeComError(f"WeCom errcode {errcode}: {str(answer.get('errmsg', ''))[:120]}", errcode)
    return answer


def robot_payload(content: str, *, markdown: bool = False, mentioned_mobiles: list[str] | None = None) -> dict:
    """The group robot's JSON for a text (optionally @-mentioning phones) or a markdown message."""
    if markdown:
        return {"msgtype": "markdown", "markdown": {"content": content}}
    text: dict = {"content": content}
    if mentioned_mobiles:
        text["mentioned_mobile_list"] = mentioned_mobiles
    return {"msgtype": "text", "text": text}


@dataclass
class WeComRobot:
    """One group robot, addressed by its webhook key."""

    key: str
    base_url: str = DEFAULT_BASE
    timeout: float = 10

    def send(self, content: str, *, markdown: bool = False, mentioned_mobiles: list[str] | None = None) -> dict:
        url = f"{self.base_url.rstrip('/')}/cgi-bin/webhook/send?{urllib.parse.urlencode({'key': self.key})}"
        return _check(_request(url, body=robot_payload(content, markdown=markdown,
                                                       mentioned_mobiles=mentioned_mobiles), timeout=self.timeout))


# (base, corpid, secret) → (token, expires at monotonic seconds). Shared by the process's threads.
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


@dataclass
class WeComApp:
    """A self-built WeCom application sending app messages to members by their WeCom user id."""

    corpid: str
    secret: str
    agentid: int
    base_url: str = DEFAULT_BASE
    timeout: float = 10

    @property
    def _cache_key(self) -> tuple[str, str, str]:
        return (self.base_url, self.corpid, self.secret)

    def token(self, *, refresh: bool = False) -> str:
        """The cached access token, fetched again when missing, near its expiry, or `refresh`."""
        with _tokens_lock:
            cached = _tokens.get(self._cache_key)
            if cached and not refresh and cached[1] > time.monotonic():
                return cached[0]
            query = urllib.parse.urlencode({"corpid": self.corpid, "corpsecret": self.secret})
            answer = _check(_request(f"{self.base_url.rstrip('/')}/cgi-bin/gettoken?{query}", timeout=self.timeout))
            token = str(answer.get("access_token") or "")
            if not token:
                raise WeComError("WeCom gave no access_token")
            expires_in = int(answer.get("expires_in") or 7200)
            _tokens[self._cache_key] = (token, time.monotonic() + max(expires_in - TOKEN_MARGIN, 60))
            return token

    def message_payload(self, touser: list[str], content: str, *, markdown: bool = False) -> dict:
        kind = "markdown" if markdown else "text"
        return {"touser": "|".join(touser), "agentid": self.agentid, "msgtype": kind, kind: {"content": content}}

    def send(self, touser: list[str], content: str, *, markdown: bool = False) -> dict:
        """Send one app message; a stale token is refreshed once and the message sent again."""
        payload = self.message_payload(touser, content, markdown=markdown)
        for attempt in (1, 2):
            query = urllib.parse.urlencode({"access_token": self.token(refresh=attempt == 2)})
            answer = _request(f"{self.base_url.rstrip('/')}/cgi-bin/message/send?{query}", body=payload,
                              timeout=self.timeout)
            if int(answer.get("errcode", 0) or 0) in TOKEN_ERRORS and attempt == 1:
                continue
            return _check(answer)
        raise AssertionError("unreachable")  # pragma: no cover


def tokens_forget() -> None:
    """Drop every cached token (tests; a changed secret)."""
    with _tokens_lock:
        _tokens.clear()


def app_from_settings() -> WeComApp | None:
    """The deployment's WeCom application (WECOM_CORP_ID, WECOM_APP_SECRET, WECOM_AGENT_ID), if configured."""
    from django.conf import settings

    corpid, secret = getattr(settings, "WECOM_CORP_ID", ""), getattr(settings, "WECOM_APP_SECRET", "")
    agentid = getattr(settings, "WECOM_AGENT_ID", "")
    if not (corpid and secret and agentid):
        return None
    return WeComApp(corpid=corpid, secret=secret, agentid=int(agentid),
                    base_url=getattr(settings, "WECOM_API_BASE", "") or DEFAULT_BASE)


def robot_from_key(key: str) -> WeComRobot:
    from django.conf import settings

    return WeComRobot(key=key, base_url=getattr(settings, "WECOM_API_BASE", "") or DEFAULT_BASE)
