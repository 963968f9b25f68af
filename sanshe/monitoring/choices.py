"""Choice lists of screening and monitoring, named as the guide and the issue name them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMethod(models.TextChoices):
    """How a household was reached during screening (or that it was not)."""

    PHONE = "phone", _("电话联系")
    VISIT = "visit", _("上门走访")
    GROUP = "group", _("居民群内联系")
    UNREACHABLE = "unreachable", _("未联系上")


class Situation(models.TextChoices):
    """A household member's situation as found by screening (六(一)3)."""

    NORMAL = "normal", _("正常")
    HOME_QUARANTINE = "home_quarantine", _("居家隔离")
    CENTRAL_QUARANTINE = "central_quarantine", _("集中隔离")
    CLOSE_CONTACT = "close_contact", _("密切接触者")
    SUSPECTED = "suspected", _("疑似患者")
    CONFIRMED = "confirmed", _("确诊患者")
    FEVER = "fever", _("发热")
    SEVERE_ANXIETY = "severe_anxiety", _("严重焦虑")
    STRESSED_WORKER = "stressed_worker", _("压力较大的社区工作者")


# Situations that call for a quarantine or health-monitoring period.
NEEDS_FOLLOW_UP = frozenset({
    Situation.HOME_QUARANTINE, Situation.CENTRAL_QUARANTINE, Situation.CLOSE_CONTACT, Situation.SUSPECTED,
    Situation.FEVER,
})
# Situations that call for a social worker.
NEEDS_SOCIAL_WORKER = frozenset({Situation.SEVERE_ANXIETY, Situation.STRESSED_WORKER, Situation.CONFIRMED,
                                 Situation.SUSPECTED})
# The people app's client category a situation implies (screening classifies people, 六(一)3).
SITUATION_CATEGORY = {
    Situation.HOME_QUARANTINE: "home_quarantine",
    Situation.CENTRAL_QUARANTINE: "central_quarantine",
    Situation.SUSPECTED: "suspected",
    Situation.SEVERE_ANXIETY: "severe_anxiety",
    Situation.STRESSED_WORKER: "stressed_worker",
}

# Adult-only situations, never offered for nor accepted about a child. The rule: a situation tied to an
# occupation or to an adult life stage (pregnancy, old age, a job) is adult-only; being quarantined, a close
# contact, suspected, confirmed, feverish or severely anxious can happen at any age. Of the screening situations
# only 压力较大的社区工作者 is occupation-based (community workers are employed adults). A child is someone under
# ADULT_AGE on the day of screening (民法典 第十七条: 不满十八周岁的自然人为未成年人), computed from the birth date;
# someone flagged 14岁以下儿童 without a birth date is a child too.
ADULT_AGE = 18
ADULT_ONLY_SITUATIONS = frozenset({Situation.STRESSED_WORKER})
# Situations that are a standing status, carried from the person's latest earlier screening into a new one as a
# pre-fill; the others (fever, severe anxiety) are what is observed today and are asked afresh.
STATUS_SITUATIONS = frozenset({
    Situation.HOME_QUARANTINE, Situation.CENTRAL_QUARANTINE, Situation.CLOSE_CONTACT, Situation.SUSPECTED,
    Situation.CONFIRMED, Situation.STRESSED_WORKER,
})
QUARANTINE_SITUATIONS = frozenset({Situation.HOME_QUARANTINE, Situation.CENTRAL_QUARANTINE})
# The situation an open quarantine period stands for (a health-monitoring period has none of its own).
KIND_SITUATION = {"home": Situation.HOME_QUARANTINE, "centralised": Situation.CENTRAL_QUARANTINE}


class Exposure(models.TextChoices):
    NONE = "none", _("无")
    CLOSE_CONTACT = "close_contact", _("与确诊或疑似病例密切接触")
    RISK_AREA = "risk_area", _("近14天有中高风险地区旅居史")
    FEVER_CONTACT = "fever_contact", _("接触过发热或有呼吸道症状的人")
    OTHER = "other", _("其他（见备注）")


class Need(models.TextChoices):
    MEDICINE = "medicine", _("买药、就医")
    SUPPLIES = "supplies", _("食品和生活物资")
    CARE = "care", _("照料（老人、儿童、病人）")
    TALK = "talk", _("有人倾诉、情绪支持")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class QuarantineKind(models.TextChoices):
    HOME = "home", _("居家隔离")
    CENTRALISED = "centralised", _("集中隔离")
    HEALTH_MONITORING = "health_monitoring", _("居家健康监测")


class OrderedHow(models.TextChoices):
    """How the quarantine was ordered: the record SORMAS users missed."""

    VERBAL = "verbal", _("口头告知")
    WRITTEN = "written", _("书面通知")
    PHONE = "phone", _("电话通知")
    OTHER_AUTHORITY = "other_authority", _("其他部门（疾控、卫健、公安等）通知")


class QuarantineStatus(models.TextChoices):
    ACTIVE = "active", _("观察中")
    COMPLETED = "completed", _("已期满解除")
    CANCELLED = "cancelled", _("已取消")
    HOSPITAL = "hospital", _("已转医院")
    LOST = "lost", _("失访")


CLOSING_STATUSES = (QuarantineStatus.COMPLETED, QuarantineStatus.CANCELLED, QuarantineStatus.HOSPITAL)


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("未报告")
    SEEN_WELL = "seen_well", _("已报告·无异常")
    SEEN_SYMPTOMS = "seen_symptoms", _("已报告·有症状")
    MISSED = "missed", _("逾期未报告")
    UNREACHABLE = "unreachable", _("联系不上")


SEEN_STATUSES = (FollowUpStatus.SEEN_WELL, FollowUpStatus.SEEN_SYMPTOMS)


class CheckInSource(models.TextChoices):
    LINK = "link", _("本人（打卡链接）")
    LOGIN = "login", _("本人（登录）")
    PHONE_CALL = "phone_call", _("社区工作者电话询问")


class AlertKind(models.TextChoices):
    RED_FLAG = "red_flag", _("健康危险信号")
    LOST = "lost", _("失访")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    TAKEN = "taken", _("处理中")
    RESOLVED = "resolved", _("已处理")


class AlertOutcome(models.TextChoices):
    ADVISED = "advised", _("已电话指导，居家观察")
    MEDIC = "medic", _("已请医务志愿者评估")
    HOSPITAL = "hospital", _("已协助就医或转运（含120）")
    REMEASURED = "remeasured", _("复测正常，误报")
    CONTACTED = "contacted", _("已恢复联系")
    OTHER = "other", _("其他（见说明）")


# Self-reported symptoms on the check-in page. Difficulty breathing is asked separately (it is a red flag
# with levels), as are the child and pregnancy danger signs of sanshe.rules.redflags.
SYMPTOMS: list[tuple[str, object]] = [
    ("feverish", _("发热感、畏寒")),
    ("cough", _("咳嗽")),
    ("sore_throat", _("咽痛")),
    ("fatigue", _("乏力")),
    ("aches", _("肌肉酸痛")),
    ("taste_smell", _("嗅觉、味觉减退")),
    ("runny_nose", _("鼻塞、流涕")),
    ("diarrhoea", _("腹泻")),
    ("chest_tightness", _("胸闷")),
]
SYMPTOM_LABELS = dict(SYMPTOMS)
