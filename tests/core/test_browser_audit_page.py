"""In a real browser: the organisation admin reads the audit log in Chinese, by name, without system noise."""

from __future__ import annotations

import pytest

from tests.browser import conftest as shared
from tests.browser.conftest import PHONE, require_chromium, screenshot

browser, phone_page, problems, demo_street = shared.browser, shared.phone_page, shared.problems, shared.demo_street

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402  (after the skip: Playwright may be absent too)

from tests.people.test_pages_browser import log_in  # noqa: E402

DESK = {"width": 1280, "height": 900}


def _events() -> str:
    """A few people's actions and a burst of escalation reminders; returns the masked name of the person."""
    from sanshe.accounts.models import Membership, User
    from sanshe.core.audit import audit_record
    from sanshe.people.models import Person

    worker = User.objects.get(username="shegong")
    organisation_id = Membership.objects.filter(user=worker).values_list("organisation_id", flat=True).first()
    community_ids = Membership.objects.get(user=worker).communities.values_list("pk", flat=True)
    person = Person.objects.filter(community_id__in=community_ids).order_by("pk").first()
    for _ in range(5):
        audit_record(actor=None, actor_label="system", action="crisis.escalate", organisation_id=organisation_id)
    audit_record(actor=worker, action="person.update", obj=person, detail={"fields": ["phone"]})
    audit_record(actor=worker, action="groups.thread.arrange")
    audit_record(actor=worker, action="rosters.rest_override", reason="夜班缺人，本人同意")
    return person.name[0] + "*"


def test_admin_reads_labels_names_and_hides_system_events(phone_page, problems, live_server, demo_street):
    masked = _events()
    page = phone_page
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/audit/")
    rows = page.locator("ul.audit-list > li")
    expect(rows.first).to_be_visible()
    main = page.locator("main")
    log = page.locator("ul.audit-list")  # not the filter's options, which name every action
    expect(main).to_contain_text("安排值班咨询师私聊")
    expect(main).to_contain_text("破例排班（越过休息规则，附理由）")
    expect(main).to_contain_text("操作人：刘思远")
    expect(main).to_contain_text(f"对象：人员 {masked}")
    expect(main).to_contain_text("系统自动产生的事件")
    expect(log).not_to_contain_text("危机无人确认，升级通知")
    expect(log).not_to_contain_text("rosters.rest_override")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "audit-log-390")

    # Asking for the system events through the filter's checkbox.
    page.locator("form.search details > summary").click()
    page.locator("#id_system").check()
    page.locator("form.search button[type=submit]").click()
    expect(log).to_contain_text("危机无人确认，升级通知")
    expect(log).to_contain_text("操作人：系统自动")
    expect(page.locator("#id_system")).to_be_checked()
    screenshot(page, "audit-log-system-390")

    page.set_viewport_size(DESK)
    page.goto(f"{live_server.url}/audit/")
    expect(main).to_contain_text("安排值班咨询师私聊")
    expect(log).not_to_contain_text("危机无人确认，升级通知")
    page.locator("form.search details > summary").click()
    screenshot(page, "audit-log-1280")
    assert problems.items == []
