"""Groups over the JSON API: `POST /api/v1/messages/scan` (mounted on the project's NinjaAPI as `router`)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from sanshe.accounts.policies import scope_for

from .analysis import analyse
from .moderation.selectors import rulebook_for
from .rumour_base import rumour_index

router = Router(tags=["groups 线上群"])
MAX_TEXTS = 1000
MAX_TEXT_CHARS = 4000


class ScanIn(Schema):
    texts: list[str] = Field(..., description="要检查的消息，最多 1000 条 / up to 1000 messages",
                             max_length=MAX_TEXTS)


class ScanRow(Schema):
    text: str
    risk_level: int = Field(..., ge=0, le=10, description="0–10；≥6 预警，≥9 紧急 / ≥6 alert, ≥9 imminent")
    risk_signals: list[str] = Field(..., description="触发的风险信号，如 method:安眠药 / signals that fired")
    moderation: list[str] = Field(..., description="命中的群规类别 / rule categories matched")
    is_question: bool


class ScanOut(Schema):
    results: list[ScanRow]


class ErrorOut(Schema):
    detail: str


def _acting_user(request) -> AbstractBaseUser:
    user = getattr(request, "auth", None)
    if not isinstance(user, AbstractBaseUser):
        user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise HttpError(401, _("请先登录"))
    return user


@router.post(
    "/messages/scan",
    response={200: ScanOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Scan messages for risk, group rules and questions",
    description=(
        "For each text: risk level 0–10 (suicide/self-harm and medical emergency; hyperbole such as 笑死了 is "
        "not risk), the signals that fired, the group-rule categories matched (the caller's organisation's "
        "lists, or the defaults), and whether it is a question. Nothing is stored. Staff only."
    ),
)
def messages_scan(request, payload: ScanIn):
    """Score up to 1,000 messages, as the chat does for every message it receives."""
    user = _acting_user(request)
    scope = scope_for(user)
    if not scope.is_staff_member:
        raise HttpError(403, _("只有工作人员可以使用消息检查接口"))
    too_long = [i for i, text in enumerate(payload.texts) if len(text) > MAX_TEXT_CHARS]
    if too_long:
        raise HttpError(422, _("第 %(n)d 条消息超过 4000 字") % {"n": too_long[0] + 1})
    book = rulebook_for(organisation_id=min(scope.organisation_ids)) if scope.organisation_ids else None
    rumours = rumour_index()  # the library's published 辟谣 entries, as the chat checks them
    return {"results": [analyse(text, book, rumours) for text in payload.texts]}
