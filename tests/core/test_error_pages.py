"""Every error page is Chinese, in the site layout, with a way back; the API keeps its JSON bodies (issue 12,
item 8). pytest-django runs with DEBUG=False, so these are the pages people get in production."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from sanshe.core import error_pages

LAYOUT = ('class="topbar"', "sanshe/app.css", "三社线上抗疫")
BACK_LINK = ">返回上一页</a>"


def _assert_page(response, status: int, *texts: str) -> str:
    assert response.status_code == status
    page = response.content.decode()
    for text in (*LAYOUT, "回到首页", *texts):
        assert text in page, text
    for english in ("Not Found", "Forbidden", "Bad Request", "Server Error"):
        assert english not in page
    return page


def test_404_is_chinese_in_the_layout_with_a_way_back(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/no-such-page/", headers={"Referer": "http://testserver/people/?q=1"})
    page = _assert_page(response, 404, "页面不存在", BACK_LINK)
    assert 'href="/people/?q=1"' in page
    assert reverse("accounts:logout") in page  # the logged-in layout: who, log out, navigation
    # A link from another site is no way back; without one, only the way home is offered.
    page = _assert_page(client.get("/no-such-page/", headers={"Referer": "https://evil.example/"}), 404)
    assert BACK_LINK not in page and "evil.example" not in page
    assert BACK_LINK not in _assert_page(client.get("/no-such-page/"), 404)


def test_a_view_raising_http404_gets_the_same_chinese_404(client, social_worker):
    client.force_login(social_worker)
    _assert_page(client.get(reverse("people:person_detail", args=[999999])), 404, "页面不存在")


def test_403_is_chinese_in_the_layout(client, resident):
    client.force_login(resident)
    _assert_page(client.get(reverse("people:person_list")), 403, "您无权访问此页面")


@pytest.mark.urls("tests.core.error_urls")
def test_a_403_shows_the_refusal_reason_written_for_people_not_internal_codes(client, social_worker):
    client.force_login(social_worker)
    page = _assert_page(client.get("/refuse/reason/"), 403, "您无权访问此页面", "只有群秘书和社工可以汇总每日工作记录。")
    assert "<p>只有群秘书和社工可以汇总每日工作记录。</p>" in page
    assert "summary.edit" not in _assert_page(client.get("/refuse/code/"), 403, "您无权访问此页面")


def test_400_is_chinese_in_the_layout(db):
    # A host this site does not serve: Django answers 400, and the page must not trust the host for a way back.
    response = Client().get("/", HTTP_HOST="evil.example", headers={"Referer": "http://evil.example/x"})
    page = _assert_page(response, 400, "请求无效")
    assert BACK_LINK not in page


@pytest.mark.urls("tests.core.error_urls")
def test_500_is_chinese_in_the_bare_layout(social_worker):
    client = Client(raise_request_exception=False)
    client.force_login(social_worker)
    page = _assert_page(client.get("/boom/", headers={"Referer": "http://testserver/people/"}), 500,
                        "抱歉，服务器出错了", BACK_LINK)
    assert "a bug" not in page and "RuntimeError" not in page
    assert reverse("accounts:logout") not in page  # rendered without the request's context processors


def test_the_500_page_needs_no_database(social_worker, django_assert_num_queries):
    request = RequestFactory().get("/people/")
    request.user = social_worker
    with django_assert_num_queries(0):
        response = error_pages.server_error(request)
    assert response.status_code == 500 and "抱歉，服务器出错了" in response.content.decode()


def test_a_csrf_failure_is_chinese_in_the_layout_with_a_way_back(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"},
                           headers={"Referer": "http://testserver/accounts/login/?next=/people/"})
    page = _assert_page(response, 403, "页面已过期，未能提交", BACK_LINK)
    assert 'href="/accounts/login/?next=/people/"' in page


def test_the_api_keeps_its_json_error_bodies(client, social_worker):
    client.force_login(social_worker)
    missing = client.get("/api/v1/no-such-endpoint")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert json.loads(missing.content) == {"detail": "未找到该记录，或您无权查看"}
    inside = client.get("/api/v1/people/999999")  # the API's own handler, unchanged
    assert inside.status_code == 404 and json.loads(inside.content) == {"detail": "未找到该记录，或您无权查看"}


@pytest.mark.urls("tests.core.error_urls")
def test_an_api_crash_answers_json(db):
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    assert response.status_code == 500 and json.loads(response.content) == {"detail": "服务器出错，请稍后再试"}
