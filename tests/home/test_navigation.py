"""The navigation: per role a short bar of the daily work (工作台 first) and 更多 with everything else.

Each entry comes from the app that owns the page (its navigation.py declares who sees it and whose daily work it
is); the base layout only renders what the context processor hands it.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sanshe.core.features import NavEntry
from sanshe.home.context_processors import MAX_PRIMARY

pytestmark = pytest.mark.django_db


def nav(client, user, path: str = "/") -> tuple[list[str], list[str]]:
    """(labels in the bar, labels under 更多) as rendered on `path`."""
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    block = re.search(r'<nav class="nav".*?</nav>', html, re.S).group()
    main = re.search(r'<ul class="nav-main">(.*?)</ul>', block, re.S).group(1)
    more = re.search(r"<details class=\"nav-more\".*?<ul>(.*?)</ul>", block, re.S)
    labels = lambda part: re.findall(r">([^<>]+)</a>", part)  # noqa: E731
    return labels(main), labels(more.group(1)) if more else []


@pytest.mark.parametrize(("persona", "bar"), [
    ("social_worker", ["工作台", "转介", "个案", "危机处置", "线上群"]),
    ("secretary", ["工作台", "线上群", "排班", "我的班次"]),  # in no group yet: no records
    # Before any duty in a group: no health alerts or records yet, the next entries move up.
    ("medic", ["工作台", "线上群", "我的班次", "危机处置"]),
    ("counsellor", ["工作台", "线上群", "危机处置", "我的班次"]),
    ("community_worker", ["工作台", "今日随访", "人员", "排查", "健康预警"]),
    ("building_steward", ["工作台", "今日随访", "人员", "排查", "健康预警"]),
    ("resident", ["工作台", "健康打卡", "求助", "线上群", "常见问题"]),
    ("org_admin", ["工作台", "人员", "用户", "志愿者", "审计日志"]),
])
def test_each_role_gets_its_daily_work_first_and_the_rest_under_more(client, request, persona, bar):
    user = request.getfixturevalue(persona)
    shown, more = nav(client, user)
    assert shown == bar
    assert len(shown) <= MAX_PRIMARY + 1
    # Nothing is lost: every page the role could open before is in the bar or under 更多, once.
    assert len(set(shown + more)) == len(shown + more)
    if persona == "social_worker":
        assert {"人员", "风险预警", "服务记录", "每日汇总", "服务转介", "资源库", "排班"} <= set(more)


def test_the_social_worker_no_longer_gets_a_strip_of_every_tab(client, social_worker):
    shown, more = nav(client, social_worker)
    assert len(shown) == 5 and len(more) >= 8


def test_the_current_page_is_marked_in_the_bar_or_in_more(client, social_worker):
    client.force_login(social_worker)
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert re.search(rf'href="{reverse("cases:my_cases")}" class="active" aria-current="page">个案<', html)
    assert html.count('aria-current="page"') == 1
    # A page listed under 更多: the link is current and 更多 itself shows that the page is inside it.
    html = client.get(reverse("people:person_list")).content.decode()
    assert re.search(rf'href="{reverse("people:person_list")}" class="active" aria-current="page">人员<', html)
    assert '<summary class="active">更多</summary>' in html


def test_anonymous_pages_have_no_navigation(client, world):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'class="nav"' not in html and "with-nav" not in html


def test_an_entry_declares_its_roles_and_place():
    entry = NavEntry("x", "home:home", primary={"social_worker": 2, "community_worker": 3})
    assert entry.rank_for("social_worker") == 2
    assert entry.rank_for("building_steward") == 3  # a steward works like a community worker
    assert entry.rank_for("resident") is None
