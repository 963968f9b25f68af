"""One error body for the whole API: `{"detail": "…"}` or `{"detail": [{"field": …, "message": …}]}`.

401 unauthenticated, 403 the role cannot do this at all, 404 missing or out of scope (the same body,
so existence is never revealed), 422 invalid input with a Chinese message per field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sanshe.core.audit import audit_record
from sanshe.core.models import AuditOutcome

# Model/service field names that the API spells differently.
FIELD_ALIASES = {"household": "household_id"}


class FieldError(Exception):
    """Invalid input found by the API layer itself (e.g. a bad cursor), reported like any 422."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def not_found_message() -> str:
    return _("未找到该记录，或您无权查看")


def _pydantic_message(error: dict[str, Any]) -> str:
    """A Chinese message for one pydantic error (the input value is never echoed back)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("必填项")
    if kind in {"string_type", "string_unicode"}:
        return _("应为文本")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("应为整数")
    if kind in {"float_parsing", "float_type"}:
        return _("应为数字")
    if kind in {"bool_parsing", "bool_type"}:
        return _("应为 true 或 false")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("日期格式应为 YYYY-MM-DD，且须是存在的日期")
    if kind == "string_too_long":
        return _("不能超过%(n)s个字符") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("不能为空")
        return _("至少%(n)s个字符") % {"n": ctx.get("min_length")}
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace("' or '", "', '").replace("', '", "'、'")
        return _("取值无效，可选值：%(expected)s") % {"expected": expected}
    if kind in {"less_than_equal", "less_than"}:
        return _("不能大于%(n)s") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("不能小于%(n)s") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind == "json_invalid":
        return _("请求内容不是有效的 JSON")
    if kind == "extra_forbidden":
        return _("不支持该字段")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("请求内容应为 JSON 对象")
    return _("格式不正确")


def _pydantic_field(loc: list[Any] | tuple[Any, ...]) -> str | None:
    """("body", "payload", "phone") → "phone"; ("query", "limit") → "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source, parts = parts[0], parts[1:]
        if source == "body" and len(parts) > 1:
            parts = parts[1:]  # drop the operation's parameter name ("payload")
        elif source == "body":
            return None
    return ".".join(parts) or None


def validation_details(exc: DjangoValidationError) -> list[dict[str, str | None]]:
    """A Django ValidationError (from full_clean or a service) as a list of field errors."""
    details: list[dict[str, str | None]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = None if field == NON_FIELD_ERRORS else FIELD_ALIASES.get(field, field)
            details.extend({"field": name, "message": str(message)} for message in errors)
    else:
        details.extend({"field": None, "message": str(message)} for message in exc.messages)
    return details


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers that give every error its consistent body."""

    def respond(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        response = api.create_response(request, {"detail": detail}, status=status)
        response["Cache-Control"] = "no-store"
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, _("请先登录，或在 Authorization 头中提供有效的接口令牌"), 401)
        response["WWW-Authenticate"] = 'Bearer realm="sanshe"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        # Permission denials are audited (等保2.0); the path holds ids only, never personal data.
        actor = getattr(request, "auth", None)
        audit_record(actor=actor, action="api.denied", outcome=AuditOutcome.DENIED,
                     detail={"method": request.method, "path": request.path, "capability": str(exc)[:64]})
        return respond(request, _("您的角色无权进行此操作"), 403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, not_found_message(), 404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("请求内容无法解析，请发送 JSON（Content-Type: application/json）")
        return respond(request, message, exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, validation_details(exc), 422)

    @api.exception_handler(FieldError)
    def invalid_field(request: HttpRequest, exc: FieldError) -> HttpResponse:
        return respond(request, [{"field": exc.field, "message": exc.message}], 422)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        details = [{"field": _pydantic_field(e.get("loc", ())), "message": _pydantic_message(e)}
                   for e in exc.errors]
        return respond(request, details, 422)
