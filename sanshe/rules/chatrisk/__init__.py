"""Risk signals in a chat message: suicide / self-harm risk and medical emergency, level 0–10. Pure.

The detector is a concept model (the modules of this package), not a phrase list:

- `lexicon`: concepts, each a vocabulary of many surface forms — intent and the wish to die (with its
  euphemisms: 解脱, 一睡不起, 去另一个世界, 下辈子 …), burden and hopelessness, the method or means (heights and
  places, water, gas and charcoal, rope, blades, medicines by name and class, pesticides and household poisons,
  traffic), the state (planning, means in hand, in place, already done, injured now), time, farewell and
  affairs put in order, seeking lethal means or information, past attempts; and the counter-evidence
  (hyperbole with 死, negation, questions to others, hearsay, news and fiction, prevention talk, everyday
  purposes);
- `normalise`: full-width forms, dodge spaces and marks (我 想 死, 想.死), repeated characters, traditional key
  characters, homophones and pinyin initials (紫砂, zs), every way of writing a number (30, 三十, 卅, 叁拾);
- `combine`: the level comes from combinations (method + in place + farewell = imminent; already done + injury
  = imminent; means in hand + intent = imminent; seeking lethality = high; intent alone = alert; hopelessness
  alone = distress), explained by the concepts found (signal codes `concept:matched text`);
- `detect`: `assess(text)` for one message, `assess_context(texts)` for the last of the same person's recent
  messages read together (a later "我在楼顶" after "不想活了" is imminent).

Why concepts: Crisis Text Line's analysis of millions of conversations found that words about methods,
means and timing predict imminent risk better than the word "suicide" itself, and Chinese speech is full of
hyperbole built on 死 (笑死了, 累死了, 手机死机了) that is not risk at all.

Medical emergencies use the thresholds of `sanshe.rules.redflags` (SpO2 ≤ 93 % urgent, < 90 %
emergency; breathing difficulty; blue lips, unconsciousness; stroke signs; pregnancy and child warning signs).

Levels: ≥ 6 alerts the on-duty counsellor and the group's social worker; ≥ 9 is imminent.
Risk never blocks or hides a message: this module only reports.
"""

from __future__ import annotations

from django.utils.translation import gettext

from .combine import ALERT_LEVEL, IMMINENT_LEVEL, MAX_LEVEL
from .detect import RiskResult, Signal, assess, assess_context, mentions_risk
from .lexicon import LABELS, MEDICAL_KINDS
from .normalise import normalise

__all__ = ["ALERT_LEVEL", "IMMINENT_LEVEL", "LABELS", "MAX_LEVEL", "MEDICAL_KINDS", "RiskResult", "Signal", "assess",
           "assess_context", "label", "mentions_risk", "normalise"]


def label(code: str) -> str:
    """The label of a signal code in the user's language ("method:安眠药" → "方式与工具：安眠药")."""
    kind, _, text = code.partition(":")
    name = gettext(LABELS[kind]) if kind in LABELS else kind
    return f"{name}：{text}" if text else name
