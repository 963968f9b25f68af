"""Screening scales as pure functions over plain data: PHQ-9, GAD-7, PHQ-4, ISI and the C-SSRS screener.

The PHQ-9, GAD-7 and PHQ-4 wording is the Simplified Chinese version in common use in China. The ISI and
C-SSRS screener wording follows the published Chinese translations as closely as we could reconstruct them;
check both against the version the organisation is licensed to use before clinical use.

Scoring and bands:
- PHQ-9: Kroenke, Spitzer & Williams 2001 — total 0–27; bands at 5/10/15/20; item 9 ≥ 1 needs a suicide
  risk screen whatever the total.
- GAD-7: Spitzer et al. 2006 — total 0–21; bands at 5/10/15; ≥ 10 is the referral cut-off.
- PHQ-4: Kroenke et al. 2009 — anxiety subscale (items 1–2, the GAD-2) and depression subscale (items
  3–4, the PHQ-2), each positive at ≥ 3; total bands 3/6/9.
- ISI: Morin et al. 2011 — total 0–28; bands at 8/15/22.
- C-SSRS screener (Columbia Lighthouse Project, screen version, past month): Q1 wish to be dead, Q2
  suicidal thoughts; Q3–Q5 only if Q2 is yes; Q6 behaviour (lifetime, then "in the past 3 months").
  Risk: yes to Q1/Q2 low; yes to Q3, or behaviour longer than 3 months ago, moderate; yes to Q4 or Q5, or
  behaviour in the past 3 months, high.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ScaleError(ValueError):
    """A missing, out-of-range or forbidden answer; the message is Chinese and names the scale and item."""

    def __init__(self, message: str, *, scale: str, item: int | None = None) -> None:
        super().__init__(message)
        self.scale = scale
        self.item = item


@dataclass(frozen=True)
class Choice:
    value: int
    label: Any  # lazy Chinese label


@dataclass(frozen=True)
class Item:
    number: int
    text: Any  # lazy Chinese wording
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    code: str
    label: Any  # lazy Chinese label


@dataclass(frozen=True)
class Scale:
    """A summed Likert scale: items, answer choices and severity bands."""

    code: str
    name: str
    title: Any
    instruction: Any
    items: tuple[Item, ...]
    bands: tuple[Band, ...]

    @property
    def max_total(self) -> int:
        return sum(max(choice.value for choice in item.choices) for item in self.items)

    def band(self, total: int) -> Band:
        """The band a total falls in."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ScaleError(_("%(scale)s 总分%(total)s超出范围") % {"scale": self.name, "total": total}, scale=self.code)

    def as_dict(self) -> dict[str, Any]:
        """The scale's wording as plain data, for forms and the API."""
        return {
            "code": self.code,
            "name": self.name,
            "title": str(self.title),
            "instruction": str(self.instruction),
            "items": [
                {"number": item.number, "text": str(item.text),
                 "choices": [{"value": c.value, "label": str(c.label)} for c in item.choices]}
                for item in self.items
            ],
            "bands": [{"low": b.low, "high": b.high, "code": b.code, "label": str(b.label)} for b in self.bands],
        }


FREQUENCY = (
    Choice(0, gettext_lazy("完全不会")),
    Choice(1, gettext_lazy("好几天")),
    Choice(2, gettext_lazy("一半以上的天数")),
    Choice(3, gettext_lazy("几乎每天")),
)


def _items(texts: Sequence[Any], choices: tuple[Choice, ...] = FREQUENCY) -> tuple[Item, ...]:
    return tuple(Item(number, text, choices) for number, text in enumerate(texts, start=1))


PHQ9 = Scale(
    code="phq9",
    name="PHQ-9",
    title=gettext_lazy("患者健康问卷抑郁量表（PHQ-9）"),
    instruction=gettext_lazy("在过去两个星期，有多少时候您受到以下任何问题所困扰？"),
    items=_items((
        gettext_lazy("做事时提不起劲或没有兴趣"),
        gettext_lazy("感到心情低落、沮丧或绝望"),
        gettext_lazy("入睡困难、睡不安稳或睡眠过多"),
        gettext_lazy("感觉疲倦或没有活力"),
        gettext_lazy("食欲不振或吃太多"),
        gettext_lazy("觉得自己很糟，或觉得自己很失败，或让自己或家人失望"),
        gettext_lazy("对事物专注有困难，例如阅读报纸或看电视时"),
        gettext_lazy("动作或说话速度缓慢到别人已经觉察？或正好相反——烦躁或坐立不安、动来动去的情况更胜于平常"),
        gettext_lazy("有不如死掉或用某种方式伤害自己的念头"),
    )),
    bands=(
        Band(0, 4, "minimal", gettext_lazy("无或极轻微抑郁")),
        Band(5, 9, "mild", gettext_lazy("轻度抑郁")),
        Band(10, 14, "moderate", gettext_lazy("中度抑郁")),
        Band(15, 19, "moderately_severe", gettext_lazy("中重度抑郁")),
        Band(20, 27, "severe", gettext_lazy("重度抑郁")),
    ),
)

GAD7 = Scale(
    code="gad7",
    name="GAD-7",
    title=gettext_lazy("广泛性焦虑量表（GAD-7）"),
    instruction=gettext_lazy("在过去两个星期，有多少时候您受到以下任何问题所困扰？"),
    items=_items((
        gettext_lazy("感觉紧张，焦虑或急切"),
        gettext_lazy("不能够停止或控制担忧"),
        gettext_lazy("对各种各样的事情担忧过多"),
        gettext_lazy("很难放松下来"),
        gettext_lazy("由于不安而无法静坐"),
        gettext_lazy("变得容易烦恼或急躁"),
        gettext_lazy("感到似乎将有可怕的事情发生而害怕"),
    )),
    bands=(
        Band(0, 4, "minimal", gettext_lazy("无或极轻微焦虑")),
        Band(5, 9, "mild", gettext_lazy("轻度焦虑")),
        Band(10, 14, "moderate", gettext_lazy("中度焦虑")),
        Band(15, 21, "severe", gettext_lazy("重度焦虑")),
    ),
)

PHQ4 = Scale(
    code="phq4",
    name="PHQ-4",
    title=gettext_lazy("患者健康问卷-4（PHQ-4）"),
    instruction=gettext_lazy("在过去两个星期，有多少时候您受到以下任何问题所困扰？"),
    items=_items((
        gettext_lazy("感觉紧张，焦虑或急切"),
        gettext_lazy("不能够停止或控制担忧"),
        gettext_lazy("做事时提不起劲或没有兴趣"),
        gettext_lazy("感到心情低落、沮丧或绝望"),
    )),
    bands=(
        Band(0, 2, "normal", gettext_lazy("正常")),
        Band(3, 5, "mild", gettext_lazy("轻度心理困扰")),
        Band(6, 8, "moderate", gettext_lazy("中度心理困扰")),
        Band(9, 12, "severe", gettext_lazy("重度心理困扰")),
    ),
)
PHQ4_ANXIETY_ITEMS = (1, 2)
PHQ4_DEPRESSION_ITEMS = (3, 4)
PHQ4_SUBSCALE_POSITIVE = 3
PHQ4_SUBSCALE_MAX = 6

_SEVERITY = (
    Choice(0, gettext_lazy("无")),
    Choice(1, gettext_lazy("轻度")),
    Choice(2, gettext_lazy("中度")),
    Choice(3, gettext_lazy("重度")),
    Choice(4, gettext_lazy("极重度")),
)
_SATISFACTION = (
    Choice(0, gettext_lazy("很满意")),
    Choice(1, gettext_lazy("满意")),
    Choice(2, gettext_lazy("一般")),
    Choice(3, gettext_lazy("不满意")),
    Choice(4, gettext_lazy("很不满意")),
)
_EXTENT = (
    Choice(0, gettext_lazy("一点也不")),
    Choice(1, gettext_lazy("有一点")),
    Choice(2, gettext_lazy("有些")),
    Choice(3, gettext_lazy("较多")),
    Choice(4, gettext_lazy("非常多")),
)

ISI = Scale(
    code="isi",
    name="ISI",
    title=gettext_lazy("失眠严重程度指数（ISI）"),
    instruction=gettext_lazy("请根据您最近两周的睡眠情况，选择最符合的答案。"),
    items=(
        Item(1, gettext_lazy("入睡困难"), _SEVERITY),
        Item(2, gettext_lazy("维持睡眠困难（夜间易醒）"), _SEVERITY),
        Item(3, gettext_lazy("早醒"), _SEVERITY),
        Item(4, gettext_lazy("您对目前的睡眠状况满意吗？"), _SATISFACTION),
        Item(5, gettext_lazy("您认为别人在多大程度上能注意到您的睡眠问题影响了您的生活质量？"), _EXTENT),
        Item(6, gettext_lazy("您对目前的睡眠问题有多担心或苦恼？"), _EXTENT),
        Item(7, gettext_lazy("您认为目前的睡眠问题在多大程度上干扰了您的日间功能（如日间疲劳、情绪、处理工作和日常事务的能力、注意力、记忆力等）？"), _EXTENT),
    ),
    bands=(
        Band(0, 7, "none", gettext_lazy("无临床意义的失眠")),
        Band(8, 14, "subthreshold", gettext_lazy("亚临床失眠")),
        Band(15, 21, "moderate", gettext_lazy("临床失眠（中度）")),
        Band(22, 28, "severe", gettext_lazy("临床失眠（重度）")),
    ),
)

SCALES: dict[str, Scale] = {scale.code: scale for scale in (PHQ9, GAD7, PHQ4, ISI)}

PHQ9_SUICIDE_ITEM = 9
GAD7_REFER_AT = 10


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _item_label(scale: Scale, number: int) -> str:
    return _("%(scale)s 第%(n)s题（%(text)s）") % {
        "scale": scale.name, "n": number, "text": scale.items[number - 1].text}


def validate_answers(scale: Scale, answers: Sequence[Any]) -> tuple[int, ...]:
    """Every item answered with one of its choices; ScaleError naming the first bad item otherwise."""
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise ScaleError(_("%(scale)s 的逐题答案应为%(count)s个数字组成的列表") % {
            "scale": scale.name, "count": len(scale.items)}, scale=scale.code)
    if len(answers) != len(scale.items):
        raise ScaleError(_("%(scale)s 共%(count)s题，收到%(got)s个答案") % {
            "scale": scale.name, "count": len(scale.items), "got": len(answers)}, scale=scale.code)
    values: list[int] = []
    for item, answer in zip(scale.items, answers, strict=True):
        if answer is None or answer == "":
            raise ScaleError(_("%(item)s未作答") % {"item": _item_label(scale, item.number)},
                             scale=scale.code, item=item.number)
        allowed = [choice.value for choice in item.choices]
        if not _is_int(answer) or int(answer) not in allowed:
            raise ScaleError(_("%(item)s的答案应为%(low)s–%(high)s之间的整数，收到“%(got)s”") % {
                "item": _item_label(scale, item.number), "low": min(allowed), "high": max(allowed), "got": answer},
                scale=scale.code, item=item.number)
        values.append(int(answer))
    return tuple(values)


def _validate_total(scale: Scale, total: Any, *, what: Any = None, high: int | None = None) -> int:
    high = scale.max_total if high is None else high
    what = what or _("总分")
    if not _is_int(total) or not 0 <= int(total) <= high:
        raise ScaleError(_("%(scale)s %(what)s应为0–%(high)s之间的整数，收到“%(got)s”") % {
            "scale": scale.name, "what": what, "high": high, "got": total}, scale=scale.code)
    return int(total)


def _total(scale: Scale, answers: Sequence[Any] | None, total: Any) -> tuple[int, tuple[int, ...] | None]:
    if answers is None and total is None:
        raise ScaleError(_("%(scale)s 未提供逐题答案或总分") % {"scale": scale.name}, scale=scale.code)
    values = validate_answers(scale, answers) if answers is not None else None
    if total is not None:
        total = _validate_total(scale, total)
        if values is not None and sum(values) != total:
            raise ScaleError(_("%(scale)s 总分%(total)s与逐题答案之和%(sum)s不一致") % {
                "scale": scale.name, "total": total, "sum": sum(values)}, scale=scale.code)
        return total, values
    return sum(values), values  # type: ignore[arg-type]


@dataclass(frozen=True)
class ScaleScore:
    """A scored summed scale: total, band and (when given) the item answers."""

    scale: str
    total: int
    band: str
    band_label: str
    answers: tuple[int, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"total": self.total, "band": self.band, "band_label": self.band_label,
                "answers": list(self.answers) if self.answers is not None else None}


@dataclass(frozen=True)
class Phq9Score(ScaleScore):
    item9: int | None = None

    @property
    def suicide_screen(self) -> bool:
        """Item 9 ≥ 1: a suicide risk screen is needed whatever the total."""
        return self.item9 is not None and self.item9 >= 1

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "item9": self.item9, "suicide_screen": self.suicide_screen}


@dataclass(frozen=True)
class Gad7Score(ScaleScore):
    @property
    def refer(self) -> bool:
        """GAD-7 ≥ 10: refer for further assessment."""
        return self.total >= GAD7_REFER_AT

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "refer": self.refer}


@dataclass(frozen=True)
class Phq4Score(ScaleScore):
    anxiety: int = 0
    depression: int = 0

    @property
    def anxiety_positive(self) -> bool:
        return self.anxiety >= PHQ4_SUBSCALE_POSITIVE

    @property
    def depression_positive(self) -> bool:
        return self.depression >= PHQ4_SUBSCALE_POSITIVE

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "anxiety": self.anxiety, "depression": self.depression,
                "anxiety_positive": self.anxiety_positive, "depression_positive": self.depression_positive}


def _scored(cls: type, scale: Scale, total: int, answers: tuple[int, ...] | None, **extra: Any) -> Any:
    band = scale.band(total)
    return cls(scale=scale.code, total=total, band=band.code, band_label=str(band.label), answers=answers, **extra)


def score_phq9(answers: Sequence[Any] | None = None, *, total: Any = None, item9: Any = None) -> Phq9Score:
    """PHQ-9 from the nine answers, or from a total together with the item 9 score."""
    if answers is None and total is not None and item9 is None:
        # Item 9 alone decides whether a suicide screen is due; a bare total would hide it.
        raise ScaleError(_("PHQ-9 只提供总分时，必须同时提供第9题（有不如死掉或用某种方式伤害自己的念头）的得分"),
                         scale=PHQ9.code, item=PHQ9_SUICIDE_ITEM)
    total, values = _total(PHQ9, answers, total)
    if item9 is not None:
        item9 = _validate_total(PHQ9, item9, what=_("第9题得分"), high=3)
        if values is not None and values[PHQ9_SUICIDE_ITEM - 1] != item9:
            raise ScaleError(_("PHQ-9 第9题得分%(given)s与逐题答案中的%(answer)s不一致") % {
                "given": item9, "answer": values[PHQ9_SUICIDE_ITEM - 1]}, scale=PHQ9.code, item=PHQ9_SUICIDE_ITEM)
        if item9 > total:
            raise ScaleError(_("PHQ-9 第9题得分%(item9)s不能大于总分%(total)s") % {"item9": item9, "total": total},
                             scale=PHQ9.code, item=PHQ9_SUICIDE_ITEM)
    elif values is not None:
        item9 = values[PHQ9_SUICIDE_ITEM - 1]
    return _scored(Phq9Score, PHQ9, total, values, item9=item9)


def score_gad7(answers: Sequence[Any] | None = None, *, total: Any = None) -> Gad7Score:
    """GAD-7 from the seven answers or a total."""
    total, values = _total(GAD7, answers, total)
    return _scored(Gad7Score, GAD7, total, values)


def score_isi(answers: Sequence[Any] | None = None, *, total: Any = None) -> ScaleScore:
    """ISI from the seven answers or a total."""
    total, values = _total(ISI, answers, total)
    return _scored(ScaleScore, ISI, total, values)


def score_phq4(answers: Sequence[Any] | None = None, *, anxiety: Any = None, depression: Any = None) -> Phq4Score:
    """PHQ-4 from the four answers, or from the two subscale totals (anxiety items 1–2, depression 3–4)."""
    if answers is not None:
        if anxiety is not None or depression is not None:
            raise ScaleError(_("PHQ-4 请只提供逐题答案，或只提供焦虑、抑郁两个分量表得分"), scale=PHQ4.code)
        values = validate_answers(PHQ4, answers)
        anxiety = sum(values[n - 1] for n in PHQ4_ANXIETY_ITEMS)
        depression = sum(values[n - 1] for n in PHQ4_DEPRESSION_ITEMS)
        return _scored(Phq4Score, PHQ4, sum(values), values, anxiety=anxiety, depression=depression)
    if anxiety is None or depression is None:
        raise ScaleError(_("PHQ-4 需要逐题答案，或焦虑（第1–2题）和抑郁（第3–4题）两个分量表得分"), scale=PHQ4.code)
    anxiety = _validate_total(PHQ4, anxiety, what=_("焦虑分量表（第1–2题）得分"), high=PHQ4_SUBSCALE_MAX)
    depression = _validate_total(PHQ4, depression, what=_("抑郁分量表（第3–4题）得分"), high=PHQ4_SUBSCALE_MAX)
    return _scored(Phq4Score, PHQ4, anxiety + depression, None, anxiety=anxiety, depression=depression)


# --- C-SSRS screener -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CssrsQuestion:
    number: int
    field: str
    text: Any


CSSRS_TITLE = gettext_lazy("哥伦比亚自杀严重程度评定量表（C-SSRS）筛查版")
CSSRS_INSTRUCTION = gettext_lazy("以下问题询问过去一个月内的情况（第6题询问一生中的情况）。请如实回答“是”或“否”。")
CSSRS_QUESTIONS = (
    CssrsQuestion(1, "wish_dead", gettext_lazy("过去一个月内，您是否希望自己已经死了，或者希望自己睡着后再也不要醒来？")),
    CssrsQuestion(2, "suicidal_thoughts", gettext_lazy("过去一个月内，您是否真的有过想要自杀的念头？")),
    CssrsQuestion(3, "method", gettext_lazy("过去一个月内，您是否想过可能会怎样去做（自杀）？")),
    CssrsQuestion(4, "intent", gettext_lazy("过去一个月内，您是否有过这些想法，并且有一些要付诸行动的意图？")),
    CssrsQuestion(5, "plan", gettext_lazy("过去一个月内，您是否已经开始想出或已经想好如何自杀的具体细节？您是否打算执行这个计划？")),
    CssrsQuestion(6, "behaviour", gettext_lazy(
        "您是否曾经做过、开始做过或准备做过任何事情来结束自己的生命？（例如：收集药片、获取枪支或其他工具、"
        "送出贵重物品、写遗书；把药片拿出来但没有吞下、拿着刀具但改变了主意、割伤自己、试图上吊等）")),
)
CSSRS_BEHAVIOUR_RECENT = gettext_lazy("如果是：这是否发生在过去3个月内？")
CSSRS_SKIPPED_IF_NO_THOUGHTS = (3, 4, 5)  # "If NO to 2, go directly to question 6."

CSSRS_RISK_LABELS = {
    "none": gettext_lazy("未发现自杀风险"),
    "low": gettext_lazy("低风险"),
    "moderate": gettext_lazy("中风险"),
    "high": gettext_lazy("高风险"),
}


@dataclass(frozen=True)
class CssrsAnswers:
    """Answers to the C-SSRS screener; None means not asked (skip logic) or not answered."""

    wish_dead: bool | None = None  # Q1
    suicidal_thoughts: bool | None = None  # Q2
    method: bool | None = None  # Q3, only when Q2 is yes
    intent: bool | None = None  # Q4, only when Q2 is yes
    plan: bool | None = None  # Q5, only when Q2 is yes
    behaviour: bool | None = None  # Q6, lifetime
    behaviour_past_3_months: bool | None = None  # Q6 follow-up, only when Q6 is yes

    def answer(self, number: int) -> bool | None:
        return getattr(self, CSSRS_QUESTIONS[number - 1].field)


@dataclass(frozen=True)
class CssrsScore:
    risk: str  # none / low / moderate / high
    positive_items: tuple[int, ...]
    answers: CssrsAnswers

    @property
    def risk_label(self) -> str:
        return str(CSSRS_RISK_LABELS[self.risk])

    @property
    def recent_behaviour(self) -> bool:
        return bool(self.answers.behaviour and self.answers.behaviour_past_3_months)

    @property
    def imminent(self) -> bool:
        """Intent or plan in the past month, or suicidal behaviour in the past 3 months."""
        return bool(self.answers.intent or self.answers.plan or self.recent_behaviour)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {"risk": self.risk, "risk_label": self.risk_label, "positive_items": list(self.positive_items),
                "behaviour_past_3_months": self.answers.behaviour_past_3_months, "imminent": self.imminent}


def _cssrs_label(number: int) -> str:
    return _("C-SSRS 第%(n)s题（%(text)s）") % {"n": number, "text": CSSRS_QUESTIONS[number - 1].text}


def validate_cssrs(answers: CssrsAnswers) -> None:
    """Every asked question answered yes/no, and nothing answered that the skip logic skips."""
    def check_bool(number: int | None, value: Any) -> None:
        if value is not None and not isinstance(value, bool):
            label = _cssrs_label(number) if number else _("C-SSRS 第6题追问（是否发生在过去3个月内）")
            raise ScaleError(_("%(item)s的答案应为“是”或“否”（true/false），收到“%(got)s”") % {
                "item": label, "got": value}, scale="cssrs", item=number or 6)

    for question in CSSRS_QUESTIONS:
        check_bool(question.number, answers.answer(question.number))
    check_bool(None, answers.behaviour_past_3_months)

    for number in (1, 2, 6):
        if answers.answer(number) is None:
            raise ScaleError(_("%(item)s未作答") % {"item": _cssrs_label(number)}, scale="cssrs", item=number)
    for number in CSSRS_SKIPPED_IF_NO_THOUGHTS:
        value = answers.answer(number)
        if answers.suicidal_thoughts is False and value is not None:
            raise ScaleError(
                _("C-SSRS 第2题回答“否”时应直接跳到第6题，第%(n)s题不应作答") % {"n": number},
                scale="cssrs", item=number)
        if answers.suicidal_thoughts is True and value is None:
            raise ScaleError(_("C-SSRS 第2题回答“是”时，%(item)s必须作答") % {"item": _cssrs_label(number)},
                             scale="cssrs", item=number)
    if answers.behaviour is True and answers.behaviour_past_3_months is None:
        raise ScaleError(_("C-SSRS 第6题回答“是”时，必须回答“这是否发生在过去3个月内”"), scale="cssrs", item=6)
    if answers.behaviour is False and answers.behaviour_past_3_months is not None:
        raise ScaleError(_("C-SSRS 第6题回答“否”时，不应回答“这是否发生在过去3个月内”"), scale="cssrs", item=6)


def score_cssrs(answers: CssrsAnswers) -> CssrsScore:
    """Risk level of the C-SSRS screener after checking its skip logic."""
    validate_cssrs(answers)
    positive = tuple(q.number for q in CSSRS_QUESTIONS if answers.answer(q.number))
    if answers.intent or answers.plan or (answers.behaviour and answers.behaviour_past_3_months):
        risk = "high"
    elif answers.method or answers.behaviour:
        risk = "moderate"
    elif answers.wish_dead or answers.suicidal_thoughts:
        risk = "low"
    else:
        risk = "none"
    return CssrsScore(risk=risk, positive_items=positive, answers=answers)


def cssrs_as_dict() -> dict[str, Any]:
    """The C-SSRS screener's wording and skip logic as plain data, for forms and the API."""
    return {
        "code": "cssrs",
        "name": "C-SSRS",
        "title": str(CSSRS_TITLE),
        "instruction": str(CSSRS_INSTRUCTION),
        "items": [{"number": q.number, "key": f"q{q.number}", "field": q.field, "text": str(q.text)}
                  for q in CSSRS_QUESTIONS],
        "behaviour_recent": {"key": "q6_past_3_months", "text": str(CSSRS_BEHAVIOUR_RECENT)},
        "skip_if_q2_no": list(CSSRS_SKIPPED_IF_NO_THOUGHTS),
    }
