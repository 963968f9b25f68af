"""A strict Content-Security-Policy on every page, and templates that need nothing it forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2] / "sanshe"


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _assert_strict(response) -> None:
    policy = _directives(response)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"]  # no 'unsafe-inline': no style attribute, no <style> element
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/login/code/", "/api/v1/health"])
def test_anonymous_pages_carry_the_policy(db, url):
    _assert_strict(Client().get(url))


def test_staff_and_resident_pages_carry_the_policy(world, social_worker, resident):
    staff = Client()
    staff.force_login(social_worker)
    for url in (reverse("home:home"), "/groups/", "/monitoring/today/", "/api/v1/communities"):
        response = staff.get(url)
        assert response.status_code == 200, url
        _assert_strict(response)
    person = Client()
    person.force_login(resident)
    response = person.get(reverse("monitoring:check_in_mine"))
    assert response.status_code in (200, 302)
    _assert_strict(response)


def test_a_separate_websocket_origin_is_allowed_to_connect(db, settings):
    from sanshe.core.middleware import content_security_policy

    settings.WEBSOCKET_URL = "ws://127.0.0.1:8001"
    assert "connect-src 'self' ws://127.0.0.1:8001" in content_security_policy()


def test_pages_turn_htmx_eval_and_script_tags_off(world, social_worker):
    client = Client()
    client.force_login(social_worker)
    page = client.get(reverse("home:home")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert meta and '"allowEval":false' in meta.group(1) and '"allowScriptTags":false' in meta.group(1)
    assert '"includeIndicatorStyles":false' in meta.group(1)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_template_needs_inline_script():
    offenders = []
    for path in ROOT.rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile(r"javascript:", re.IGNORECASE)):
            offenders += [f"{path.relative_to(ROOT)}: {m.group()}" for m in pattern.finditer(text)]
    assert offenders == []


INLINE_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def test_no_template_needs_inline_style():
    """style-src is 'self' only: a style attribute or a <style> element would be dropped by the browser."""
    offenders = []
    for path in ROOT.rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_STYLE_ATTRIBUTE, STYLE_ELEMENT):
            offenders += [f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group().strip()}"
                          for m in pattern.finditer(text)]
    assert offenders == []


def test_scripts_write_no_style_attribute_or_markup():
    """Scripts may set CSSOM properties (el.style.height = ...), never a style attribute or styled markup."""
    forbidden = re.compile(r"setAttribute\(\s*[\"']style[\"']|\.style\.cssText|(?<![\w.])style\s*=\s*\\?[\"']|<style",
                           re.IGNORECASE)
    offenders = []
    for path in ROOT.rglob("*.js"):
        if path.name.endswith(".min.js"):
            continue  # htmx: its indicator style is off (includeIndicatorStyles:false, asserted above)
        offenders += [f"{path.relative_to(ROOT)}: {m.group()}" for m in forbidden.finditer(path.read_text())]
    assert offenders == []


def test_a_refused_form_explains_itself_in_a_styled_page_under_the_policy(db):
    """Django's own CSRF failure page carries a <style> block the policy would block: ours is plain HTML
    with the app's stylesheet, and tells the person what to do in Chinese."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and "<style" not in body and "sanshe/app.css" in body
