"""Levels from combinations of concepts. Pure.

A concept alone says little ("楼顶", "今晚", "安眠药" are everyday words); what a person at risk says is a
combination, the way the Tree Hole rescue scale climbs: wish to die → method → plan and means → time → in place
or already done. So:

- intent alone 6–7, a euphemism alone 3–4, hopelessness or burden alone 3–5 (distress, no alert); a place, an
  object, a time alone: 0 (they only combine);
- intent + method or means 8; seeking lethal means or information 7 (8 with intent or despair);
- at the edge, past the railing, legs over, in the water, a sealed room with charcoal or gas: 9 alone;
- at a place (楼顶, 江边, 桥上) + intent, farewell, despair, a method or a soft cue: 9; + farewell and method: 10;
  with only a time: 6;
- means in hand (hoarded pills, rope tied, charcoal and tape) + intent, farewell or despair: 9; two
  preparations, or hoarded means + a time: 9; a large dose + intent or despair: 9;
- already done (pills swallowed, wrists cut, gas on, charcoal lit): 9; + injury, a large dose, poison, intent,
  farewell or despair: 10; an unsaid quantity swallowed ("药已经吃下去了") counts with intent or farewell;
- intent + a strong farewell 9; two farewells (final words, affairs put in order: passwords, savings, pets and
  children arranged) 6, two strong ones 9; a time (tonight, now, after they sleep) adds one to any alert;
  intent + means + time, plan or farewell is 10;
- a credible current state (at the edge, means in hand, already done or swallowed) with any wish or goodbye: 9;
  a final goodbye (a will, passwords, savings, dependants handed over, a note) with a time, a means or a place:
  9; several goodbyes with a time or a means and a wish: 9; bleeding now with a wish, an act or a second sign:
  9 (6 alone); swallowed and two signs of it acting: 9; cannot be reached and at a place or after a final
  goodbye: 9; what one sees from a height or water (下面的车好小, 水好急) with a place and a wish: 9; a
  euphemism for dying with its reason (a burden, nothing left): 6;
- medical: the sign's own weight; two danger signs at once, or chest pain with breathlessness, are raised.
"""

from __future__ import annotations

from dataclasses import dataclass

ALERT_LEVEL = 6
IMMINENT_LEVEL = 9
MAX_LEVEL = 10


@dataclass(frozen=True)
class Weights:
    """The strongest weight of each concept kind found, and how many distinct despair phrases."""

    by_kind: dict[str, int]
    hopeless_count: int = 0
    place_count: int = 0
    farewell_count: int = 0
    soft_farewell_count: int = 0
    gas: bool = False
    poison_done: bool = False
    hand_count: int = 0
    final_farewell: bool = False  # final words or affairs put in order (a will, passwords, savings, dependants)
    poison_named: bool = False
    injured_other: bool = False  # a symptom besides the bleeding itself (好冷, 头晕)
    injured_count: int = 0
    wound_count: int = 0

    def get(self, kind: str) -> int:
        return self.by_kind.get(kind, -1)

    def has(self, kind: str) -> bool:
        return kind in self.by_kind


def suicide_level(w: Weights) -> int:
    """The 0–10 level the concepts found make together."""
    intent = max(w.get("intent"), w.get("intent_soft"), 0)
    hopeless = max(w.get("hopeless"), w.get("hopeless_soft"), 0)
    if w.hopeless_count >= 2 and hopeless:
        hopeless = min(hopeless + 1, 5)
    farewell = max(w.get("farewell"), w.get("farewell_soft"), 0)
    act = w.get("method") >= 3
    means = w.has("method") or w.has("dose")
    place_strong = w.get("in_place") > 0
    place = place_strong or w.get("in_place_plain") > 0
    hand = max(w.get("in_hand"), w.get("in_hand_soft"), 0)
    plan_strong = w.get("plan") >= 6
    plan = w.has("plan")
    seek = max(w.get("seeking"), 0)
    past = max(w.get("past_attempt"), 0)
    self_harm = max(w.get("self_harm"), 0)
    dose = max(w.get("dose"), 0)
    done = w.get("done") >= 6
    injured = w.has("injured")
    timing = w.has("timing")

    wound = w.has("wound")
    injured = injured or wound
    if w.has("sealed") and w.gas:
        place_strong = place = True  # a sealed room with charcoal or gas
    # what one sees from the place (下面的车好小, 风好大, 脚下二十六层) makes a named place or a wish a place
    if w.has("view") and means and (intent >= 3 or farewell >= 3 or hopeless >= 4):
        place = True
    view_cue = w.has("view") and place and (hopeless >= 3 or intent >= 3 or farewell >= 2)
    weak_hand = w.has("in_hand_weak")
    level = max(intent, hopeless, max(w.get("farewell"), 0), seek, past, self_harm, 3 if act else 0, hand,
                7 if plan_strong else 0, w.get("in_place") if place_strong else 0, 3 if dose >= 7 else 0,
                max(w.get("done"), 0))
    wish = intent >= 4 or farewell >= 6 or hopeless >= 4 or past > 0 or self_harm > 0
    if means and intent >= 6:
        level = max(level, 8)
    elif means and intent >= 4:
        level = max(level, 6)
    if act and hopeless >= 4:
        level = max(level, 6)
    if place and (wish or act or farewell >= 3 or intent >= 3):
        level = max(level, 9)
        if farewell >= 3 and (act or intent >= 4):
            level = MAX_LEVEL
    if place_strong and (intent or farewell or hopeless or timing or act or injured or w.place_count >= 2):
        level = max(level, 9)
    if hand and (wish or farewell >= 3 or plan):
        level = max(level, 9)
    if hand >= 6 and (dose >= 7 or timing):
        level = max(level, 9)
    if dose >= 7 and (wish or hand or plan):
        level = max(level, 9)
    if dose and intent >= 6:
        level = max(level, 9)
    if w.get("done") > 0 and dose >= 7:
        level = MAX_LEVEL
    if done:
        if w.poison_done or dose >= 7 or injured or intent >= 4 or farewell >= 3 or hopeless >= 4:
            level = MAX_LEVEL
    if 0 < w.get("done") < 6 and (intent >= 4 or farewell >= 3):
        level = MAX_LEVEL
    if seek and (intent >= 4 or hopeless >= 4 or timing or farewell >= 3):
        level = max(level, 8)
    if past and intent >= 4:
        level = max(level, 8)
    if intent >= 6 and farewell >= 6:
        level = max(level, 9)
    elif intent >= 4 and farewell >= 3:
        level = max(level, 7)
    if w.soft_farewell_count + w.farewell_count >= 2 and farewell >= 3:
        level = max(level, 6)  # several goodbyes, affairs put in order
    if w.place_count >= 2 and place:
        level = max(level, 7)  # at the place, looking down
    if place and timing:
        level = max(level, 6)
    if hand and intent >= 3:
        level = max(level, 8)
    if w.has("ingest") and (hand or dose >= 7):
        level = MAX_LEVEL
    if w.has("unreachable") and (farewell >= 3 or intent >= 4 or hand or place):
        level = max(level, 7)
    if w.has("unreachable") and (0 < w.get("done") or place_strong or place or w.final_farewell):
        level = max(level, 9)
    if w.hand_count >= 2 or (place_strong and injured) or (place and wound):
        level = max(level, 9)
    if w.get("farewell") >= 6 and w.farewell_count >= 2:
        level = max(level, 9)  # final words and affairs put in order: a will, the passwords
    if dose >= 7 and injured:
        level = max(level, 9)
    if hand and (timing or place):
        level = max(level, 9 if hand >= 6 or place else level)
    if hopeless >= 4 and farewell >= 6:
        level = max(level, 8)
    elif hopeless >= 4 and farewell >= 3:
        level = max(level, 6)
    elif hopeless and farewell >= 3:
        level = max(level, 5)
    if plan and (intent >= 4 or act or farewell >= 6):
        level = max(level, 8)
        if means or hand:
            level = max(level, 9)
    if plan_strong and (farewell >= 3 or means or intent >= 4 or hand):
        level = max(level, 9)
    if self_harm and injured:
        level = max(level, 9)
    # --- a credible current state with any wish or goodbye; a goodbye with a time or a means
    current = place_strong or hand >= 6 or done or w.get("done") > 0 or w.has("ingest")
    if current and (intent >= 3 or farewell >= 3 or hopeless >= 4):
        level = max(level, 9)
    if wound and (intent >= 3 or farewell >= 3 or hopeless >= 3 or self_harm or w.get("done") > 0 or plan):
        level = max(level, 9)
    if wound and w.injured_other:
        level = max(level, 9)
    if hand >= 4 and weak_hand:
        level = max(level, 6)
    if wound and level < 6:
        level = 6  # bleeding that does not stop: help is needed either way
    if w.has("ingest") and (intent >= 4 or farewell >= 3 or w.poison_named or injured):
        level = MAX_LEVEL
    if 0 < w.get("done") < 6 and injured and (intent >= 3 or farewell >= 3 or hopeless >= 3 or dose >= 7):
        level = MAX_LEVEL
    if (0 < w.get("done") < 6 or w.has("ingest")) and w.injured_count >= 2:
        level = max(level, 9)  # swallowed, and two signs of it acting (头晕, 想吐, 看东西模糊)
    if dose >= 7 and (timing or hand or weak_hand):
        level = max(level, 9)  # a large dose counted out, now
    if w.final_farewell and farewell >= 6 and (timing or means or hand or place or weak_hand):
        level = max(level, 9)
    if (w.farewell_count + w.soft_farewell_count) >= 2 and (timing or hand or weak_hand or place) and (intent >= 3 or farewell >= 6):
        level = max(level, 9)
    if weak_hand and (intent >= 4 or farewell >= 6 or dose >= 7 or (intent >= 3 and farewell >= 3)):
        level = max(level, 9 if (timing or intent >= 6 or farewell >= 6 or dose >= 7) else 6)
    if hand >= 4 and w.has("sealed"):
        level = max(level, 9)
    if w.has("unreachable") and w.has("sealed") and w.gas:
        level = max(level, 9)
    if view_cue:
        level = max(level, 9)  # at the place, looking down, and a wish or a goodbye
    if (w.has("ingest") or 0 < w.get("done") < 6) and hopeless >= 4:
        level = max(level, 9)  # swallowed, with the reason ("不想再拖累家里" … "已经喝下去了")
    if len(w.by_kind) and w.wound_count >= 2:
        level = max(level, 9)
    if intent >= 3 and farewell >= 3 and hopeless >= 3:
        level = max(level, 6)
    if place and plan and w.get("plan") >= 0 and w.has("in_place_plain") and (hopeless >= 3 or timing):
        level = max(level, 9)
    if intent >= 3 and hopeless >= 4:
        level = max(level, 6)  # a euphemism for dying with its reason (a burden, nothing left)
    if plan and timing and (means or place):
        level = max(level, 9 if intent >= 3 or farewell >= 3 else 7)
    if timing and level >= ALERT_LEVEL:
        level += 1
    if intent >= 6 and means and (timing or hand or plan or farewell >= 3):
        level = MAX_LEVEL
    return min(level, MAX_LEVEL)


def medical_level(by_kind: dict[str, int]) -> int:
    """The 0–10 level of the medical signs found (thresholds in sanshe.rules.redflags)."""
    level = max(by_kind.values(), default=0)
    if by_kind.get("chest", 0) >= 5 and by_kind.get("breathing", 0) >= 7:
        level = max(level, 8)
    if sum(1 for weight in by_kind.values() if weight >= 6) >= 2:
        level = max(level, 9)  # two danger signs at once (an asthma attack with the inhaler empty)
    if by_kind.get("breathing", 0) >= 7 and "spo2" in by_kind:
        level = max(level, by_kind["spo2"] + 1)
    return min(level, MAX_LEVEL)
