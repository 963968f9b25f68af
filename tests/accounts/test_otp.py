"""Residents' login by phone + one-time code: hashing, expiry, single use, attempts, rate limits, neutrality."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from sanshe.accounts import services
from sanshe.accounts.models import OneTimeCode, User
from sanshe.accounts.policies import scope_for
from sanshe.accounts.roles import Role
from sanshe.core.models import AuditEvent, AuditOutcome

IP = "10.1.2.3"
UNKNOWN = "13700001111"


@pytest.fixture
def request_code(django_capture_on_commit_callbacks, sms):
    """Ask for a code (the SMS is sent on commit) and return the code the resident received, if any."""

    def _request(phone: str, ip: str = IP) -> str | None:
        before = len(sms)
        with django_capture_on_commit_callbacks(execute=True):
            services.otp_request(phone=phone, ip=ip)
        if len(sms) == before:
            return None
        return re.search(r"\d{6}", sms[-1][1]).group()

    return _request


def _age_codes(seconds: int) -> None:
    """Move every issued code back in time (instead of waiting)."""
    for code in OneTimeCode.objects.all():
        OneTimeCode.objects.filter(pk=code.pk).update(created_at=code.created_at - timedelta(seconds=seconds),
                                                      expires_at=code.expires_at - timedelta(seconds=seconds))


def _wrong(code: str) -> str:
    """A code that is certainly not `code`."""
    return f"{(int(code) + 1) % 1000000:06d}"


def test_code_is_texted_to_a_registered_phone_and_only_its_hash_is_kept(world, request_code, sms):
    code = request_code(world.head.phone)
    assert code is not None and len(code) == 6
    assert sms[-1][0] == world.head.phone
    assert "5分钟内有效" in sms[-1][1]
    stored = OneTimeCode.objects.get()
    assert code not in json.dumps(list(OneTimeCode.objects.values()), default=str)
    assert world.head.phone not in json.dumps(list(OneTimeCode.objects.values()), default=str)
    assert stored.ip == IP
    audit = AuditEvent.objects.get(action="otp.request")
    text = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert code not in text and world.head.phone not in text
    assert audit.detail["phone"] == f"{world.head.phone[:3]}****{world.head.phone[-4:]}"
    assert audit.community_id == world.home.pk


def test_right_code_logs_the_resident_in_and_links_their_person_entry(world, request_code):
    code = request_code(world.head.phone)
    user = services.otp_verify(phone=world.head.phone, code=code, ip=IP)
    world.head.refresh_from_db()
    assert world.head.user_id == user.pk
    assert not user.has_usable_password()
    assert user.display_name == world.head.name
    assert scope_for(user).home_role == Role.RESIDENT
    event = AuditEvent.objects.get(action="otp.verify")
    assert event.outcome == AuditOutcome.SUCCESS and event.actor_id == user.pk
    assert code not in json.dumps(event.detail)


def test_second_login_uses_the_same_account(world, request_code):
    first = services.otp_verify(phone=world.head.phone, code=request_code(world.head.phone), ip=IP)
    _age_codes(120)
    second = services.otp_verify(phone=world.head.phone, code=request_code(world.head.phone), ip=IP)
    assert first.pk == second.pk
    assert User.objects.filter(username__startswith="resident").count() == 1


def test_an_existing_resident_account_is_reused(world, resident, request_code):
    user = services.otp_verify(phone=world.head.phone, code=request_code(world.head.phone), ip=IP)
    assert user.pk == resident.pk


def test_code_is_single_use(world, request_code):
    code = request_code(world.head.phone)
    services.otp_verify(phone=world.head.phone, code=code, ip=IP)
    with pytest.raises(services.OtpRefused) as exc:
        services.otp_verify(phone=world.head.phone, code=code, ip=IP)
    assert exc.value.messages == ["验证码已使用，请重新获取"]


def test_code_expires(world, request_code, settings):
    code = request_code(world.head.phone)
    _age_codes(settings.OTP_TTL_SECONDS + 1)
    with pytest.raises(services.OtpRefused) as exc:
        services.otp_verify(phone=world.head.phone, code=code, ip=IP)
    assert exc.value.messages == ["验证码已过期，请重新获取"]
    failure = AuditEvent.objects.get(action="otp.verify")
    assert failure.outcome == AuditOutcome.FAILURE and failure.detail["error"] == "expired"


def test_wrong_tries_are_limited_per_code(world, request_code, settings):
    code = request_code(world.head.phone)
    wrong = _wrong(code)
    messages = []
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        with pytest.raises(services.OtpRefused) as exc:
            services.otp_verify(phone=world.head.phone, code=wrong, ip=IP)
        messages.append(exc.value.messages[0])
    assert messages[0] == f"验证码错误，还可尝试{settings.OTP_MAX_ATTEMPTS - 1}次"
    assert messages[-1] == "验证码错误次数过多，请重新获取"
    # The right code no longer helps: a new one must be requested.
    with pytest.raises(services.OtpRefused) as exc:
        services.otp_verify(phone=world.head.phone, code=code, ip=IP)
    assert exc.value.error == "too_many_attempts"
    assert OneTimeCode.objects.get().attempts == settings.OTP_MAX_ATTEMPTS


def test_a_new_code_replaces_the_old_one(world, request_code):
    old = request_code(world.head.phone)
    _age_codes(120)
    new = request_code(world.head.phone)
    # Only the latest code counts (the old one is refused unless the two happen to be equal).
    if old != new:
        with pytest.raises(services.OtpRefused):
            services.otp_verify(phone=world.head.phone, code=old, ip=IP)
    assert services.otp_verify(phone=world.head.phone, code=new, ip=IP)


def test_resend_waits_sixty_seconds(world, request_code):
    request_code(world.head.phone)
    with pytest.raises(services.OtpRefused) as exc:
        request_code(world.head.phone)
    assert exc.value.error == "resend_too_soon"
    assert re.fullmatch(r"请求过于频繁，请\d+秒后再试", exc.value.messages[0])
    assert 0 < exc.value.retry_after <= 60
    _age_codes(61)
    assert request_code(world.head.phone)


def test_requests_are_rate_limited_per_phone(world, request_code, settings):
    for _ in range(settings.OTP_MAX_PER_PHONE_PER_HOUR):
        request_code(world.head.phone)
        _age_codes(120)
    with pytest.raises(services.OtpRefused) as exc:
        request_code(world.head.phone)
    assert exc.value.error == "phone_rate_limit"
    # The oldest code was issued 10 minutes ago: it leaves the one-hour window in 50 minutes.
    assert exc.value.messages == ["请求过于频繁，请50分钟后再试"]
    denied = AuditEvent.objects.get(action="otp.request", outcome=AuditOutcome.DENIED)
    assert denied.detail["error"] == "phone_rate_limit"
    # Another phone from another address is not affected.
    assert request_code(world.neighbour.phone, ip="10.9.9.9")


def test_requests_are_rate_limited_per_ip(world, request_code, settings):
    settings.OTP_MAX_PER_IP_PER_HOUR = 3
    for n in range(3):
        request_code(f"1370000{n:04d}")
    with pytest.raises(services.OtpRefused) as exc:
        request_code(world.head.phone)
    assert exc.value.error == "ip_rate_limit"
    assert exc.value.messages[0].startswith("请求过于频繁，请")
    assert request_code(world.head.phone, ip="10.9.9.9")


def test_unknown_phone_gets_the_same_answer_and_no_sms(world, request_code, sms,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = services.otp_request(phone=world.head.phone, ip=IP)
        unknown = services.otp_request(phone=UNKNOWN, ip="10.0.0.9")
    assert known == unknown
    assert [phone for phone, _ in sms] == [world.head.phone]
    real = re.search(r"\d{6}", sms[-1][1]).group()
    # Checking any code says exactly what a wrong code for a registered phone says.
    with pytest.raises(services.OtpRefused) as for_unknown:
        services.otp_verify(phone=UNKNOWN, code="123456", ip=IP)
    with pytest.raises(services.OtpRefused) as for_known:
        services.otp_verify(phone=world.head.phone, code=_wrong(real), ip=IP)
    assert for_unknown.value.messages == for_known.value.messages == ["验证码错误，还可尝试4次"]
    assert not User.objects.filter(username__startswith="resident").exists()


def test_a_code_never_opens_a_staff_account(world, org_admin, request_code):
    world.head.user = org_admin
    world.head.save(update_fields=["user"])
    with pytest.raises(services.OtpRefused) as exc:
        services.otp_verify(phone=world.head.phone, code=request_code(world.head.phone), ip=IP)
    assert exc.value.error == "staff_account"
    assert "密码登录" in exc.value.messages[0]


def test_bad_phone_and_bad_code_shapes_are_explained(world):
    with pytest.raises(services.ValidationError) as exc:
        services.otp_request(phone="12345", ip=IP)
    assert "手机号" in exc.value.message_dict["phone"][0]
    with pytest.raises(services.ValidationError) as exc:
        services.otp_verify(phone=world.head.phone, code="12ab", ip=IP)
    assert exc.value.message_dict["code"] == ["验证码应为6位数字"]


def test_full_width_digits_from_a_chinese_keyboard_are_accepted(world, request_code):
    code = request_code(world.head.phone)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in code)
    assert services.otp_verify(phone=world.head.phone, code=full_width, ip=IP)


# --- The page ---------------------------------------------------------------------------------------------


def test_resident_logs_in_through_the_page_and_lands_on_their_home(client, world, sms,
                                                                    django_capture_on_commit_callbacks):
    url = reverse("accounts:otp_login")
    page = client.get(url)
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"phone": world.head.phone, "action": "send"})
    text = sent.content.decode()
    assert 'name="code"' in text and "验证码短信已发出" in text
    assert 'data-countdown="60"' in text
    code = re.search(r"\d{6}", sms[-1][1]).group()
    assert code not in text
    done = client.post(url, {"phone": world.head.phone, "code": code, "action": "verify"})
    assert done.status_code == 302 and done["Location"] == reverse("home:home")
    home = client.get(reverse("home:home"))
    assert "home/home_resident.html" in [t.name for t in home.templates]
    login = AuditEvent.objects.get(action="login.success")
    assert login.detail == {"method": "otp"}


def test_page_keeps_what_was_typed_and_explains_errors(client, world, sms, django_capture_on_commit_callbacks):
    url = reverse("accounts:otp_login")
    bad = client.post(url, {"phone": "1381234", "action": "send"})
    text = bad.content.decode()
    assert "手机号应为11位" in text and 'value="1381234"' in text and 'name="code"' not in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"phone": world.head.phone, "action": "send"})
    wrong_code = _wrong(re.search(r"\d{6}", sms[-1][1]).group())
    wrong = client.post(url, {"phone": world.head.phone, "code": wrong_code, "action": "verify"}).content.decode()
    assert "验证码错误，还可尝试4次" in wrong
    assert f'value="{world.head.phone}"' in wrong and f'value="{wrong_code}"' in wrong
    empty = client.post(url, {"phone": world.head.phone, "code": "", "action": "verify"}).content.decode()
    assert "请填写短信验证码" in empty
    again = client.post(url, {"phone": world.head.phone, "action": "send"}).content.decode()
    assert "请求过于频繁" in again and 'name="code"' in again


def test_page_redirects_only_to_local_next(client, world, sms, django_capture_on_commit_callbacks):
    url = reverse("accounts:otp_login")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"phone": world.head.phone, "action": "send"})
    code = re.search(r"\d{6}", sms[-1][1]).group()
    done = client.post(url, {"phone": world.head.phone, "code": code, "action": "verify",
                             "next": "https://evil.example/"})
    assert done["Location"] == reverse("home:home")


def test_console_backend_on_the_demo_prints_the_code_with_a_masked_phone(world, capsys, caplog, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "sanshe.accounts.sms.ConsoleSmsBackend"
    settings.SMS_CONSOLE_SHOW_CODES = True  # DEBUG=1, or `serve --demo-logins` (make run)
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_request(phone=world.head.phone, ip=IP)
    err = capsys.readouterr().err
    assert re.search(r"验证码是\d{6}", err)
    masked = f"{world.head.phone[:3]}****{world.head.phone[-4:]}"
    assert masked in err and world.head.phone not in err
    # The log keeps the message, never the code.
    logged = [record.getMessage() for record in caplog.records if masked in record.getMessage()]
    assert logged and all(re.search(r"验证码是\*{6}", line) for line in logged)


def test_console_backend_otherwise_stars_out_codes_and_links(world, capsys, caplog, settings,
                                                             django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "sanshe.accounts.sms.ConsoleSmsBackend"
    settings.SMS_CONSOLE_SHOW_CODES = False
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_request(phone=world.head.phone, ip=IP)
    text = capsys.readouterr().err + "\n".join(record.getMessage() for record in caplog.records)
    assert "验证码是******" in text
    assert not re.search(r"\d{6}", text)

    from sanshe.accounts.sms import ConsoleSmsBackend

    ConsoleSmsBackend().send(world.head.phone, "查看进度：https://sanshe.example.org/volunteers/status/"
                                               "Zx8_kq2Lm9Pw4RtY7vBn/ （请勿转发）")
    err = capsys.readouterr().err
    assert "https://sanshe.example.org/…" in err and "Zx8_kq2Lm9Pw4RtY7vBn" not in err
