"""Validation of the record tools as pure functions over plain data: {field: [Chinese message, ...]}.

`check_record(kind, data, submitting=...)` checks formats on every save (a draft may be incomplete) and,
when the record is submitted, that the guide's fields for that tool are filled in.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from sanshe.rules.needs import NEEDS

PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
MAX_AGE = 130
MAX_POINTS = 30

# The fields each tool must have filled in before it is submitted (besides the client's name).
REQUIRED_ON_SUBMIT: dict[str, tuple[str, ...]] = {
    "consultation": ("consult_kind", "service_staff"),
    "social_work": ("service_start", "service_end", "result"),
    "medical": ("service_start", "service_end", "online_service", "professional_advice", "result"),
    "psychological": ("service_start", "service_end", "observation", "counselling_process", "goal_plan"),
}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def check_record(kind: str, data: dict, *, submitting: bool = False, now: datetime | None = None
                 ) -> dict[str, list[str]]:
    """Problems with one record's data; an empty dict means it may be saved (or submitted)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if _blank(data.get("client_name")):
        add("client_name", _("请填写服务对象姓名。"))
    age = data.get("client_age")
    if age is not None and not (0 <= age <= MAX_AGE):
        add("client_age", _("年龄应在0到130岁之间。"))
    for field in ("client_phone", "emergency_contact_phone"):
        value = (data.get(field) or "").strip()
        if value and not PHONE.match(value):
            add(field, _("请填写正确的电话号码。"))
    if data.get("emergency_contact_phone") and _blank(data.get("emergency_contact_name")):
        add("emergency_contact_name", _("请填写紧急联系人姓名。"))
    start, end = data.get("service_start"), data.get("service_end")
    if start and end and end <= start:
        add("service_end", _("服务结束时间应晚于开始时间。"))
    if start and end and end - start > timedelta(hours=24):
        add("service_end", _("一次服务不应超过24小时，请分开记录。"))
    if now is not None and start and start > now + timedelta(minutes=10):
        add("service_start", _("服务开始时间不能晚于现在。"))

    if kind == "consultation":
        if data.get("consult_kind") and data["consult_kind"] not in ("medical", "psychological", "other"):
            add("consult_kind", _("请选择咨询类别。"))
        points = data.get("consultation_points") or []
        if len(points) > MAX_POINTS:
            add("consultation_points", _("咨询内容最多记录30条。"))
        for point in points:
            if _blank(point.get("q")) and not _blank(point.get("a")):
                add("consultation_points", _("每条解答前请写明服务对象的疑问。"))
                break
        if submitting:
            if not points:
                add("consultation_points", _("请至少记录一条咨询内容（疑问和解答）。"))
            elif any(_blank(p.get("a")) for p in points):
                add("consultation_points", _("每条疑问都要记录服务人员的解答。"))
            if _blank(data.get("chat_record")) and not data.get("has_images"):
                add("chat_record", _("请附上微信群服务记录（截图或文字描述）。"))
    if kind == "social_work":
        unknown = [code for code in data.get("needs") or [] if code not in NEEDS]
        if unknown:
            add("needs", _("需求评估中有无法识别的选项。"))
        other_needs = {"medical_other", "care_other", "support_other"} & set(data.get("needs") or [])
        if other_needs and _blank(data.get("needs_other")):
            add("needs_other", _("选择了“其他”需求，请写明具体内容。"))
        points = data.get("service_points") or []
        if len(points) > MAX_POINTS:
            add("service_points", _("服务内容最多记录30条。"))
        if submitting:
            demands = ("demand_emotion", "demand_medical", "demand_psychological", "demand_other")
            if all(_blank(data.get(f)) for f in demands) and not data.get("needs"):
                add("demand_emotion", _("请至少填写一项诉求或勾选一项需求评估。"))
            if not points:
                add("service_points", _("请至少记录一条服务内容。"))
    if kind == "psychological":
        count = data.get("consult_count")
        if count is not None and not (1 <= count <= 999):
            add("consult_count", _("咨询次数应为1到999之间的整数。"))
        booked, when = data.get("next_appointment"), data.get("next_appointment_at")
        if booked is True and not when:
            add("next_appointment_at", _("已预约下次咨询，请填写预约时间。"))
        if booked is not True and when:
            add("next_appointment_at", _("未预约下次咨询时不需要填写预约时间。"))
        if booked is True and when and (end or start) and when <= (end or start):
            add("next_appointment_at", _("下次咨询时间应晚于本次服务。"))
        if submitting and booked is None:
            add("next_appointment", _("请选择是否预约下次咨询时间。"))
    if submitting:
        for field in REQUIRED_ON_SUBMIT[kind]:
            if _blank(data.get(field)) and field not in errors:
                add(field, _("提交前请填写此项。"))
    return errors
