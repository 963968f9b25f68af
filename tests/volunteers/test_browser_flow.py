"""From sign-up to certificate on a phone-width browser, on the demo data (screenshots in test-results/)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sanshe.people.demo_community import DEMO_PASSWORD
from tests.browser.conftest import PHONE, require_chromium, screenshot
from tests.volunteers.helpers import JPEG, texted_code

require_chromium()

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402

NEW_PASSWORD = "Yisheng-2020"


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main h1").first).to_be_visible()


def log_out(page) -> None:
    page.context.clear_cookies()


def in_thread(function, *args, **kwargs):
    """Run ORM work that pushes WebSocket events outside Playwright's event loop thread."""
    import threading

    from django.db import connections

    result = {}

    def run():
        try:
            result["value"] = function(*args, **kwargs)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_sign_up_review_training_agreement_shift_and_certificate(phone_page, problems, live_server, demo_street):
    from sanshe.accounts.models import User
    from sanshe.groups.models import Group, MemberRole
    from sanshe.groups.services import member_add
    from sanshe.rosters.demo import demo_load as rosters_demo
    from sanshe.rosters.models import Shift, ShiftNeed
    from sanshe.volunteers.demo import demo_load as volunteers_demo
    from sanshe.volunteers.models import Recruitment

    today = timezone.localdate()
    in_thread(volunteers_demo, today=today)
    in_thread(rosters_demo, today=today)
    page, base = phone_page, live_server.url
    recruitment = Recruitment.objects.get()

    # 1. A doctor proves her phone by a texted code (a wrong one first), then fills in tool 1 with a photo.
    page.goto(f"{base}/volunteers/join/{recruitment.token}/")
    expect(page.locator("h1")).to_have_text("志愿者信息登记表")
    page.fill("#id_phone", "139 0715 8888")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("main form .msg")).to_contain_text("验证码已发送")
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="验证并填写报名表").click()
    expect(page.locator(".errorlist").first).to_contain_text("验证码错误")
    expect(page.locator("#id_phone")).to_have_value("139 0715 8888")
    page.fill("#id_code", texted_code("13907158888"))
    page.get_by_role("button", name="验证并填写报名表").click()
    expect(page.locator(".phone-check .tag")).to_have_text("已验证")
    expect(page.locator("#id_phone")).to_have_value("13907158888")
    page.fill("#id_name", "马丽")
    page.select_option("#id_sex", "F")
    page.select_option("#id_political_status", "masses")
    page.fill("#id_doc_number", "11010519491231002X")
    page.fill("#id_years_of_work", "15")
    page.fill("#id_school", "武汉大学医学部")
    page.fill("#id_major", "临床医学")
    page.select_option("#id_education", "bachelor")
    page.fill("#id_skills", "呼吸内科")
    page.fill("#id_region", "武汉市江汉区")
    page.fill("#id_hours_per_week", "6")
    page.check("input[name=time_slots][value=weekday_evening]")
    page.check("input[name=posts][value=medical]")
    page.select_option("#id_cert1_kind", "physician")
    page.set_input_files("#id_cert1_file", {"name": "zhengshu.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    screenshot(page, "volunteers-01-sign-up")
    no_sideways_scroll(page)
    page.get_by_role("button", name="提交报名").click()
    # Forgot the consent: told in Chinese, everything typed is still there.
    expect(page.locator(".errorlist").first).to_contain_text("同意")
    expect(page.locator("#id_skills")).to_have_value("呼吸内科")
    page.check("#id_consent")
    page.select_option("#id_cert1_kind", "physician")
    page.set_input_files("#id_cert1_file", {"name": "zhengshu.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator("h1")).to_have_text("我的志愿者报名")
    expect(page.locator(".status-line .tag")).to_have_text("待审核")
    status_url = page.url
    screenshot(page, "volunteers-02-status")

    # 2. The social worker checks the certificate and approves.
    log_in(page, base, "shegong", DEMO_PASSWORD)
    page.goto(f"{base}/volunteers/applications/")
    page.get_by_role("link", name=re.compile("马丽")).click()
    expect(page.locator(".cert-view img")).to_be_visible()
    page.locator(".check-form input[value=verified]").check()
    page.locator(".check-form button").click()
    expect(page.locator(".cert .tag").first).to_have_text("核验通过")
    page.locator("input[name=d-decision][value=approve]").check()
    page.locator("#decision button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已通过")
    screenshot(page, "volunteers-03-review")
    no_sideways_scroll(page)
    log_out(page)

    # 3. The applicant sets a password on the status page, logs in with the phone number.
    page.goto(status_url)
    expect(page.locator(".status-line .tag")).to_have_text("已通过")
    page.fill("#id_act-password1", NEW_PASSWORD)
    page.fill("#id_act-password2", NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    log_in(page, base, "13907158888", NEW_PASSWORD)

    # 4. Training (quiz answered right) and the agreement signed with a finger on the phone.
    page.goto(f"{base}/volunteers/me/")
    expect(page.locator(".tag.warn").first).to_be_visible()
    screenshot(page, "volunteers-04-checklist")
    from sanshe.volunteers.models import TrainingModule

    for attempt in range(2):
        page.locator(".steps li.todo a[href*='/training/']").first.click()
        module = TrainingModule.objects.get(pk=int(re.search(r"/training/(\d+)/", page.url).group(1)))
        if attempt == 0:  # a wrong answer first: told in Chinese, nothing recorded
            page.locator(f"input[name=q0][value='{(module.quiz[0]['answer'] + 1) % 3}']").check()
            page.locator("main form button[type=submit]").click()
            expect(page.locator("form .msg.error")).to_contain_text("全部答对")
        for n, question in enumerate(module.quiz):
            page.locator(f"input[name=q{n}][value='{question['answer']}']").check()
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(f"{base}/volunteers/me/")
    page.locator("a[href*='/agreement/']").click()
    expect(page.locator("article")).to_contain_text("保密义务不随之终止")
    pad = page.locator("#sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(30):
        page.mouse.move(box["x"] + 20 + step * 9, box["y"] + 60 + (step % 5) * 8)
    page.mouse.up()
    screenshot(page, "volunteers-05-sign")
    page.get_by_role("button", name="我已阅读并同意，签署协议").click()
    expect(page.locator(".messages")).to_contain_text("已签署")
    expect(page.locator(".card .tag").first).to_have_text("可以上岗")
    screenshot(page, "volunteers-06-cleared")

    # 5. Admitted to the demo's focus group, the doctor claims an open shift.
    user = User.objects.get(display_name="马丽")
    group = Group.objects.filter(tier=2).first()
    in_thread(member_add, actor=User.objects.get(username="shegong"), group=group, user=user, role=MemberRole.MEDICAL)
    from django.db.models import F

    target = (ShiftNeed.objects.filter(shift__group=group, kind="medical", filled__lt=F("needed"),
                                       shift__starts_at__gt=timezone.now() + timedelta(days=5),
                                       shift__starts_at__lt=timezone.now() + timedelta(days=12))
              .order_by("shift__starts_at").first())
    assert target is not None and target.filled < target.needed
    page.goto(f"{base}/rosters/")
    form = page.locator(f"form[action='/rosters/needs/{target.pk}/claim/']")
    form.scroll_into_view_if_needed()
    form.locator("button").click()
    expect(page.locator(".messages")).to_contain_text("认领成功")
    screenshot(page, "rosters-01-my-shifts")
    no_sideways_scroll(page)

    # 6. Service outside a shift is recorded; the organisation confirms it; the doctor prints a certificate.
    page.goto(f"{base}/rosters/hours/")
    page.select_option("#id_organisation", str(group.organisation_id))
    page.fill("#id_service_date", (today - timedelta(days=1)).isoformat())
    page.fill("#id_hours", "2.5")
    page.fill("#id_content", "电话随访发热居民")
    page.get_by_role("button", name="提交补录").click()
    expect(page.locator(".messages")).to_contain_text("已提交补录")
    log_out(page)
    log_in(page, base, "shegong", DEMO_PASSWORD)
    page.goto(f"{base}/rosters/hours/manage/")
    card = page.locator(".card", has_text="马丽")
    card.get_by_role("button", name="确认", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已处理")
    page.goto(f"{base}/rosters/coverage/?span=7d")
    expect(page.locator("table.coverage")).to_be_visible()
    screenshot(page, "rosters-02-coverage")
    log_out(page)
    log_in(page, base, "13907158888", NEW_PASSWORD)
    page.goto(f"{base}/rosters/hours/")
    page.get_by_role("button", name="开具志愿服务证明").click()
    expect(page.locator("article.certificate h1")).to_have_text("志愿服务证明")
    expect(page.locator("article.certificate")).to_contain_text("2.5")
    expect(page.locator("article.certificate")).to_contain_text("110105********002X")
    screenshot(page, "rosters-03-certificate")
    no_sideways_scroll(page)
    assert Shift.objects.exists()
    assert problems.items == []
