"""Pure rules: group-rule matching on Chinese text, nickname conventions, settings, posting rights."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sanshe.groups.analysis import analyse, read_wechat_export
from sanshe.groups.config import GroupSettings
from sanshe.groups.nicknames import nickname_problem, parse_convention, suggest
from sanshe.groups.posting import posting_decision
from sanshe.groups.rules import DEFAULT_RULEBOOK, RuleBook, is_question, parse_domains, parse_terms


@pytest.mark.parametrize(("text", "category"), [
    ("喝白酒可以预防新冠，大家多喝", "rumour"),
    ("内部消息：明天封城，赶紧囤菜", "rumour"),
    ("符水能治百病", "superstition"),
    ("转发这条保平安", "superstition"),
    ("武汉人滚出小区", "negative"),
    ("再不送菜我就砍人", "violence"),
    ("加我看片加微信", "pornography"),
    ("色 情 网 站", "pornography"),  # spaces between characters do not dodge the rule
    ("色.情", "pornography"),
    ("看这个 http://abc.xyz/news/1", "unapproved_news"),
    ("访问baidu.com看看", "unapproved_news"),
])
def test_rule_lists_match_chinese_without_word_boundaries(text, category):
    assert category in DEFAULT_RULEBOOK.check(text).categories


@pytest.mark.parametrize("text", [
    "喝白酒能预防新冠是谣言，别信",
    "今天几点发菜？",
    "权威发布：https://www.nhc.gov.cn/xcs/yqtb/list.shtml",
    "世卫组织 https://www.who.int/zh",
    "我转自己的钱给物业",
    "大家注意防护，勤洗手",
])
def test_ordinary_messages_debunks_and_approved_sources_pass(text):
    assert DEFAULT_RULEBOOK.check(text).categories == []


def test_wildcard_terms_allow_a_few_characters_between():
    book = RuleBook(terms={"rumour": ["吃*大蒜*治好"]}, approved_domains=[])
    assert book.check("多吃几头大蒜就能治好新冠").categories == ["rumour"]
    assert book.check("大蒜").categories == []


def test_an_organisation_approves_its_own_sources():
    book = RuleBook(approved_domains=["wuhan.gov.cn", "https://www.example.org/path"])
    assert book.check("见 https://news.example.org/a").categories == []
    assert book.check("见 https://evil-example.org/a").categories == ["unapproved_news"]


def test_on_probation_every_link_and_forward_is_held():
    assert DEFAULT_RULEBOOK.check("https://www.nhc.gov.cn/x").categories == []
    assert DEFAULT_RULEBOOK.check("https://www.nhc.gov.cn/x", probation=True).categories == ["unapproved_news"]
    assert DEFAULT_RULEBOOK.check("分享自某公众号：注意防护", probation=True).categories == ["unapproved_news"]


def test_term_lists_parse_one_per_line_and_refuse_single_characters():
    assert parse_terms("符水\n\n# 注释\n 开光 \n死\n符水") == ["符水", "开光"]
    assert parse_domains("https://www.Gov.cn/x, who.int\n#x\nnot a domain") == ["gov.cn", "who.int"]


@pytest.mark.parametrize(("text", "question"), [
    ("请问今天几点发菜", True), ("孩子发烧怎么办", True), ("能不能帮我买药？", True),
    ("好的，谢谢", False), ("收到", False),
])
def test_questions_are_recognised(text, question):
    assert is_question(text) is question


def test_analyse_gives_the_scan_fields():
    row = analyse("内部消息：我不想活了，今晚就吃安眠药")
    assert set(row) == {"text", "risk_level", "risk_signals", "moderation", "is_question"}
    assert row["risk_level"] >= 9 and "rumour" in row["moderation"]


def test_wechat_export_is_split_into_messages():
    export = [
        "群聊：阳光聚焦服务群\n", "\n",
        "2020-02-03 10:15:32 张三\n", "大家好\n", "请问几点发菜？\n", "\n",
        "李四 2020-02-03 10:16\n", "收到\n",
    ]
    rows = list(read_wechat_export(iter(export)))
    assert [(r.sender, r.text) for r in rows] == [("张三", "大家好\n请问几点发菜？"), ("李四", "收到")]


@pytest.mark.parametrize(("nickname", "convention", "role", "ok"), [
    ("3栋-1202-王阿姨", "楼栋-房号-称呼", "", True),
    ("3栋－1202－王阿姨", "楼栋-房号-称呼", "", True),  # full-width dashes
    ("王阿姨", "楼栋-房号-称呼", "", False),
    ("3栋-王阿姨", "楼栋-房号-称呼", "", False),
    ("医生-孙海燕", "角色-姓名", "medical", True),
    ("心理-孙海燕", "角色-姓名", "medical", False),  # the role word must match the member's role
    ("", "楼栋-房号-称呼", "", False),
    ("随便", "", "", True),
])
def test_nickname_conventions(nickname, convention, role, ok):
    assert (nickname_problem(nickname, convention, role=role) == "") is ok


def test_nickname_suggestion_follows_the_convention():
    assert suggest("楼栋-房号-称呼", building="1栋", room="101", title="张先生") == "1栋-101-张先生"
    with pytest.raises(ValueError, match="不认识"):
        parse_convention("楼栋-手机号")


def test_group_settings_defaults_bounds_and_bad_json():
    assert GroupSettings.for_tier(1).nickname_member == "楼栋-房号-称呼"
    assert GroupSettings.for_tier(2).nickname_member == ""  # no address in a consultation group's nicknames
    assert GroupSettings.from_json({"slow_mode_seconds": "x", "invite_days": 3}, tier=2).invite_days == 3
    with pytest.raises(ValidationError) as error:
        GroupSettings(invite_days=90).validated()
    assert "30" in str(error.value)


def _decide(**overrides):
    values = dict(tier=2, role="medical", status="active", is_admin=False, on_duty=False, muted_until=None,
                  now=timezone.now())
    values.update(overrides)
    return posting_decision(**values)


def test_off_duty_staff_stay_quiet_in_consultation_groups_only():
    refused = _decide()
    assert not refused and "非值班时间" in refused.reason
    assert _decide(on_duty=True)
    assert _decide(tier=1)                       # resident groups: no duty rule
    assert _decide(role="client")                # clients may always post
    assert _decide(role="admin", is_admin=True)  # the admin always may


def test_muted_pending_and_outsiders_are_told_why():
    now = timezone.now()
    assert "禁言" in _decide(role="client", muted_until=now + timedelta(minutes=5), now=now).reason
    assert _decide(role="client", muted_until=now - timedelta(minutes=5), now=now)
    assert "审核" in _decide(role="client", status="pending").reason
    assert "不在本群" in _decide(role=None, status=None).reason
    assert "解散" in _decide(role="client", archived=True).reason
