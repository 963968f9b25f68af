"""The notification script in a real browser against the real ASGI app: the page reports itself in view, a
pushed notification shows a toast, the badge counts it, and the page's acknowledgement marks it delivered."""

from __future__ import annotations

import pytest

from sanshe.core.notify import presence
from sanshe.core.notify.models import Channel, Delivery, DeliveryStatus
from sanshe.core.notify.services import notify_send
from tests.browser.conftest import require_chromium
from tests.factories import UserFactory
from tests.groups.conftest import chat_server  # noqa: F401 (the ASGI app on a free port)
from tests.groups.test_browser_chat import _phone

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402


def _until(condition, page, tries: int = 200) -> bool:
    """Wait for something the server does in its own thread (a readiness wait, not a timed assertion)."""
    for _ in range(tries):
        if condition():
            return True
        page.wait_for_timeout(50)
    return condition()


def test_a_pushed_notification_is_shown_counted_and_acknowledged(browser, chat_server):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    volunteer = UserFactory(username="live_volunteer")
    page = _phone(browser, chat_server, volunteer)
    page.goto(f"{chat_server}/notifications/")
    assert _until(lambda: presence.is_viewing(volunteer.pk, "/notifications/"), page)  # the socket is up
    [note] = notify_send(recipients=[volunteer], kind="rosters.help_call", title="急需补位：周一 09:00",
                         url="/rosters/")
    toast = page.locator("#notify-toast")
    expect(toast).to_be_visible()
    expect(toast.locator("a")).to_have_text("急需补位：周一 09:00")
    assert toast.locator("a").get_attribute("href") == "/rosters/"
    expect(page.locator(".notify-badge .badge")).to_have_text("1")

    def delivered() -> bool:
        return Delivery.objects.get(notification=note, channel=Channel.INAPP).status == DeliveryStatus.DELIVERED

    assert _until(delivered, page)
    page.context.close()
