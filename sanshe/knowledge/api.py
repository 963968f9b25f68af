"""The library over the JSON API (mounted on the project's NinjaAPI as `router`, prefix /knowledge):
staff search, and suggestions for a client's message. Read-only; the same selectors as the pages."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from . import selectors
from .policies import is_staff

router = Router(tags=["knowledge 资源库"])


class HitOut(Schema):
    id: int
    question: str
    answer: str
    category: str | None
    status: str
    valid_until: date | None
    expired: bool
    question_html: str = Field(..., description="问题，匹配词用 <mark> 标出（已转义）/ question with <mark>")


class SearchOut(Schema):
    mode: str = Field(..., description="all：全部词匹配；any：部分匹配 / every word matched, or some")
    hits: list[HitOut]


class SuggestIn(Schema):
    text: str = Field(..., max_length=2000, description="服务对象的消息原文 / the client's message")


class ErrorOut(Schema):
    detail: str


def _staff(request) -> AbstractBaseUser:
    user = getattr(request, "auth", None)
    if not isinstance(user, AbstractBaseUser):
        user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise HttpError(401, _("请先登录"))
    if not is_staff(user):
        raise HttpError(403, _("资源库只对工作人员开放"))
    return user


def _hit(hit) -> dict:
    entry = hit.entry
    return {"id": entry.pk, "question": entry.question, "answer": entry.answer,
            "category": entry.category.name if entry.category_id else None, "status": entry.status,
            "valid_until": entry.valid_until, "expired": hit.expired, "question_html": str(hit.question_html)}


@router.get("/search", response={200: SearchOut, 401: ErrorOut, 403: ErrorOut},
            summary="Search the library (segmented Chinese, synonyms, pinyin initials)")
def search(request, q: str, status: str = "", limit: int = 20):
    """What the staff search page shows: published entries and the drafts the caller may see."""
    user = _staff(request)
    page = selectors.entry_search(actor=user, text=q[:100], status=status, limit=max(1, min(limit, 100)))
    return {"mode": page.mode, "hits": [_hit(h) for h in page.hits]}


@router.post("/suggest", response={200: list[HitOut], 401: ErrorOut, 403: ErrorOut},
             summary="Top three published, still-valid answers for a client's message")
def suggest(request, payload: SuggestIn):
    """Never sends anything: the helper reads an answer and sends it themselves."""
    _staff(request)
    return [_hit(h) for h in selectors.suggest_answers(text=payload.text)]
