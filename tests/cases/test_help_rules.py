"""How urgent a 求助 is from its own words (pure rules, no database)."""

from __future__ import annotations

import pytest

from sanshe.cases.rules import help_urgency_from_text, more_urgent


@pytest.mark.parametrize(("kinds", "text", "urgency", "reason"), [
    (["medical"], "胰岛素两天后就用完了", "within_24h", "胰岛素"),
    (["medicine"], "帮忙买两盒胰岛素", "within_24h", "胰岛素"),          # asked under 买药
    (["other"], "胰岛素已经用完了", "immediate", "胰岛素"),
    (["medicine"], "华法林明天就吃完了", "immediate", "抗凝药"),
    (["other"], "孩子的丙戊酸只剩三天的了", "within_24h", "抗癫痫药"),
    (["other"], "明天的透析去不了", "immediate", "透析"),
    (["medical"], "喘不上气，血氧92", "immediate", "呼吸困难"),
    (["emotion"], "不想活了，安眠药已经攒好了", "immediate", "自杀意念"),
])
def test_urgent_words(kinds, text, urgency, reason):
    result = help_urgency_from_text(kinds=kinds, text=text)
    assert result.urgency == urgency and reason in "；".join(result.reasons)


@pytest.mark.parametrize(("kinds", "text"), [
    (["supplies"], "家里没有菜了"),
    (["other"], "我每天打胰岛素，想问问饮食怎么安排"),   # mentioned, not running short, not a purchase
    (["emotion"], "最近累死了，笑死了"),               # hyperbole is not risk
    (["emotion"], "一个人在家，很焦虑，降压药也快吃完了"),  # not on the must-not-run-out list
])
def test_ordinary_words_leave_the_residents_choice(kinds, text):
    assert help_urgency_from_text(kinds=kinds, text=text).urgency is None


def test_more_urgent_never_lowers():
    assert more_urgent("routine", "within_24h") == "within_24h"
    assert more_urgent("immediate", "within_24h") == "immediate"
    assert more_urgent("today_unknown", None) == "today_unknown"
