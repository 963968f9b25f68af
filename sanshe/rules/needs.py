"""The needs-assessment vocabulary of the guide's tool 4 (社会工作者服务记录表 三、需求评估), as plain data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# domain → need code → Chinese label, in the order of the paper form.
NEED_DOMAINS = {
    "medical": (_("医疗"), {
        "diagnosis": _("医疗诊断"),
        "health_consultation": _("健康咨询"),
        "treatment_advice": _("治疗建议"),
        "hospital_admission": _("住院对接"),
        "medical_other": _("其他医疗需求"),
    }),
    "care": (_("照护"), {
        "quarantine_guidance": _("隔离指导"),
        "daily_living_care": _("生活照料"),
        "online_accompaniment": _("线上陪护"),
        "care_other": _("其他照护需求"),
    }),
    "support": (_("支持"), {
        "medical_supplies": _("医疗物资"),
        "living_supplies": _("生活物资"),
        "emotional_support": _("情绪支持"),
        "support_other": _("其他支持需求"),
    }),
}

NEEDS = {code: label for _domain_label, needs in NEED_DOMAINS.values() for code, label in needs.items()}


def need_labels(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Chinese labels for need codes, in form order."""
    return [str(label) for code, label in NEEDS.items() if code in codes]
