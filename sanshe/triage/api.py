"""Triage over the JSON API: `POST /api/v1/triage` (mounted on the project's NinjaAPI as `router`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.rules.triage import AssessmentError, triage
from sanshe.rules.triage_schema import ASSESSMENT_SCHEMA, assessment_from_text

# Staff who assess and triage clients (issue 6): social workers, organisation admins, and the on-duty medical
# and psychological volunteers. Community workers refer people; they do not triage them.
TRIAGE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN, Role.MEDICAL_VOLUNTEER, Role.COUNSELLOR})

router = Router(tags=["triage"])


class ReasonOut(Schema):
    rule_id: str
    tier: int
    text: str
    source: str


class ActionOut(Schema):
    code: str
    text: str


class TriageOut(Schema):
    tier: int
    tier_label: str
    urgency: str
    urgency_label: str
    crisis: bool
    scores: dict[str, Any]
    reasons: list[ReasonOut]
    actions: list[ActionOut]
    rules_version: str


class ErrorOut(Schema):
    detail: str
    errors: list[str] = []


def _acting_user(request) -> AbstractBaseUser:
    """The authenticated user: from the API's authenticator (token) when it set one, else the session."""
    user = getattr(request, "auth", None)
    if not isinstance(user, AbstractBaseUser):
        user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise HttpError(401, _("请先登录"))
    return user


_REQUEST_SCHEMA = {key: value for key, value in ASSESSMENT_SCHEMA.items() if not key.startswith("$")}


@router.post(
    "/triage",
    response={200: TriageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Triage an assessment into the three tiers",
    description=(
        "Scores the scales given (PHQ-9, GAD-7, PHQ-4, ISI, C-SSRS screener), raises the medical red flags of "
        "an observation, and returns tier (1 resident group, 2 focus group, 3 key accompaniment group), urgency "
        "(immediate, within_24h, routine), crisis, scores, every rule that fired (reasons, with rule id and "
        "source) and recommended actions. Nothing is stored. Bad input: 400 with Chinese messages. "
        "Allowed to social workers, organisation admins, medical volunteers and counsellors."
    ),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _REQUEST_SCHEMA}}}},
)
def triage_assessment(request):
    """Run the triage engine on the assessment in the request body."""
    user = _acting_user(request)
    if not scope_for(user).roles & TRIAGE_ROLES:
        raise HttpError(403, _("只有社会工作者、机构管理员、医务志愿者和心理咨询志愿者可以进行分流评估"))
    try:
        result = triage(assessment_from_text(request.body))
    except AssessmentError as exc:
        return Status(400, {"detail": "；".join(exc.errors), "errors": exc.errors})
    return Status(200, result.as_dict())
