"""Issue 11, items 2 and 3: reviewers grant roles only in their own organisation and communities; a sign-up
needs a verified phone and never takes over an existing account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sanshe.accounts.models import Membership, User
from sanshe.accounts.roles import Role
from sanshe.accounts.services import OtpRefused
from sanshe.core.errors import ObjectNotFound
from sanshe.core.pii import blind_index
from sanshe.volunteers import services
from sanshe.volunteers.models import (
    ApplicationStatus,
    CertificateCheck,
    PhoneVerification,
    Recruitment,
    VolunteerApplication,
)
from tests.factories import UserFactory
from tests.volunteers.helpers import (
    JPEG,
    application_data,
    make_reviewer,
    phone_proof,
    submit,
    texted_code,
    upload,
    volunteer_org,
)

VICTIM_PHONE = "13912345678"


def _verify_certificates(reviewer, application):
    for certificate in application.certificates.all():
        services.certificate_check(actor=reviewer, certificate_id=certificate.pk, result=CertificateCheck.VERIFIED)


@pytest.fixture
def other_org(world):
    """A volunteer organisation serving the social worker's community (and another), with its own reviewer."""
    org = volunteer_org(world, name="另一家志愿者协会")
    org.communities.add(world.away)
    reviewer = make_reviewer(UserFactory(username="other_reviewer"), org, [world.home])
    recruitment = services.recruitment_create(actor=reviewer, organisation_id=org.pk, title="招募")
    return org, reviewer, recruitment


@pytest.fixture
def victim(db):
    """An existing account holding a phone, with no password yet (as a resident's code-login account)."""
    user = UserFactory(username="resident_victim", phone=VICTIM_PHONE, phone_index=blind_index("phone", VICTIM_PHONE))
    user.set_unusable_password()
    user.save()
    return user


# ------------------------------------------------------------------------------------- item 2: role minting

def test_a_reviewer_cannot_open_a_recruitment_for_another_organisation(client, world, social_worker, org_admin,
                                                                       other_org):
    org, _reviewer, _recruitment = other_org
    for actor in (social_worker, org_admin):
        with pytest.raises(ObjectNotFound):
            services.recruitment_create(actor=actor, organisation_id=org.pk, title="冒名招募")
    client.force_login(social_worker)
    client.post(reverse("volunteers:recruitment_list"), {"action": "create", "organisation": org.pk, "title": "冒名"})
    assert not Recruitment.objects.filter(organisation=org, title="冒名").exists()
    assert org.name not in client.get(reverse("volunteers:recruitment_list")).content.decode()


def test_a_reviewer_cannot_approve_into_another_organisation(client, world, social_worker, org_admin, other_org):
    org, reviewer, recruitment = other_org
    application = submit(recruitment).application
    _verify_certificates(reviewer, application)
    for actor in (social_worker, org_admin):
        with pytest.raises(ObjectNotFound):
            services.application_approve(actor=actor, application_id=application.pk, roles=[Role.MEDICAL_VOLUNTEER])
    client.force_login(social_worker)
    url = reverse("volunteers:application_detail", args=[application.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"action": "decide", "d-decision": "approve", "d-roles": [Role.MEDICAL_VOLUNTEER],
                                 "d-communities": [world.home.pk]})
    assert response.status_code == 404
    assert application.name not in client.get(reverse("volunteers:application_list")).content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.user is None
    assert not Membership.objects.filter(organisation=org, role=Role.MEDICAL_VOLUNTEER).exists()
    assert not User.objects.filter(phone_index=application.phone_index).exists()


def test_approval_grants_only_the_reviewer_s_own_communities(world, other_org):
    org, reviewer, recruitment = other_org  # the organisation serves home and away; the reviewer covers home
    application = submit(recruitment).application
    _verify_certificates(reviewer, application)
    with pytest.raises(ValidationError) as caught:
        services.application_approve(actor=reviewer, application_id=application.pk, roles=[Role.MEDICAL_VOLUNTEER],
                                     community_ids=[world.home.pk, world.away.pk])
    assert "只能授予您负责的社区" in caught.value.message_dict["communities"][0]
    assert not Membership.objects.filter(organisation=org, role=Role.MEDICAL_VOLUNTEER).exists()
    approved = services.application_approve(actor=reviewer, application_id=application.pk,
                                            roles=[Role.MEDICAL_VOLUNTEER])
    membership = Membership.objects.get(user=approved.user, organisation=org)
    assert set(membership.communities.values_list("pk", flat=True)) == {world.home.pk}
    assert approved.approved_community_ids == [world.home.pk]


def test_the_decision_form_offers_only_the_reviewer_s_communities(client, world, other_org):
    _org, reviewer, recruitment = other_org
    application = submit(recruitment).application
    client.force_login(reviewer)
    page = client.get(reverse("volunteers:application_detail", args=[application.pk])).content.decode()
    assert world.home.name in page and world.away.name not in page


# ---------------------------------------------------------------------------- item 3: account takeover

def test_an_unverified_phone_cannot_submit(recruitment):
    data = application_data()
    for proof in ("", "made-up", phone_proof(recruitment, "13900000001")):  # none, forged, another phone's
        with pytest.raises(ValidationError) as caught:
            services.application_submit(recruitment_token=recruitment.token, data=data, uploads=[upload()],
                                        phone_proof=proof)
        assert "请先验证手机号" in caught.value.message_dict["phone"][0]
    assert not VolunteerApplication.objects.exists()


def test_a_proof_is_good_for_one_application_only(recruitment):
    data = application_data()
    proof = phone_proof(recruitment, data["phone"])
    first = services.application_submit(recruitment_token=recruitment.token, data=data, uploads=[upload()],
                                        phone_proof=proof).application
    assert first.phone_verified_at is not None
    again = application_data(phone=data["phone"])
    with pytest.raises(ValidationError) as caught:
        services.application_submit(recruitment_token=recruitment.token, data=again, uploads=[upload()],
                                    phone_proof=proof)
    assert "请先验证手机号" in caught.value.message_dict["phone"][0]


def test_wrong_and_expired_codes_are_explained(recruitment):
    phone = "13900000002"
    services.application_phone_code_send(recruitment_token=recruitment.token, phone=phone, ip="10.0.0.1")
    with pytest.raises(OtpRefused) as caught:
        services.application_phone_verify(recruitment_token=recruitment.token, phone=phone, code="000000", ip=None)
    assert "验证码错误，还可尝试4次" in caught.value.message_dict["code"][0]
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OtpRefused) as caught:
        services.application_phone_verify(recruitment_token=recruitment.token, phone=phone, code="123456", ip=None)
    assert caught.value.message_dict["code"] == ["验证码已过期，请重新获取"]


def test_code_requests_are_limited_per_phone_and_per_address(recruitment, settings):
    settings.OTP_MAX_PER_IP_PER_HOUR = 2
    token = recruitment.token
    services.application_phone_code_send(recruitment_token=token, phone="13900000003", ip="10.0.0.9")
    with pytest.raises(OtpRefused) as caught:
        services.application_phone_code_send(recruitment_token=token, phone="13900000003", ip="10.0.0.8")
    assert caught.value.error == "resend_too_soon" and "秒后再试" in caught.value.messages[0]
    services.application_phone_code_send(recruitment_token=token, phone="13900000004", ip="10.0.0.9")
    with pytest.raises(OtpRefused) as caught:
        services.application_phone_code_send(recruitment_token=token, phone="13900000005", ip="10.0.0.9")
    assert caught.value.error == "ip_rate_limit"
    # A login code is not a sign-up code (and the other way round): the hashes are bound to their purpose.
    assert PhoneVerification.objects.count() == 2


def test_applying_with_an_existing_account_s_phone_gives_the_applicant_nothing_of_it(client, recruitment,
                                                                                     social_worker, victim):
    application = submit(recruitment, phone=VICTIM_PHONE).application
    _verify_certificates(social_worker, application)
    approved = services.application_approve(actor=social_worker, application_id=application.pk,
                                            roles=[Role.MEDICAL_VOLUNTEER])
    assert approved.status == ApplicationStatus.APPROVED
    assert approved.user is None and not approved.account_created
    assert not Membership.objects.filter(user=victim).exists()
    token = _status_token(approved)
    page = client.get(reverse("volunteers:status", args=[token])).content.decode()
    assert victim.username not in page and "设置登录密码" not in page and "登录后确认" in page
    response = client.post(reverse("volunteers:status", args=[token]),
                           {"action": "activate", "act-password1": "Takeover-2020!", "act-password2": "Takeover-2020!"})
    assert response.status_code == 200
    victim.refresh_from_db()
    assert not victim.has_usable_password()
    # Someone else logged in cannot claim it either; the phone's own account, logged in, can.
    client.force_login(social_worker)
    client.post(reverse("volunteers:status", args=[token]), {"action": "link"})
    approved.refresh_from_db()
    assert approved.user is None
    client.force_login(victim)
    response = client.post(reverse("volunteers:status", args=[token]), {"action": "link"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.user == victim
    assert Membership.objects.get(user=victim).role == Role.MEDICAL_VOLUNTEER


def test_the_status_link_cannot_set_the_password_of_an_account_that_existed_before(recruitment, social_worker,
                                                                                 victim):
    """An application made before phones were verified and attached to an existing account by its phone number
    alone (as approval used to do): the link cannot activate that account."""
    application = submit(recruitment, phone=VICTIM_PHONE).application
    token = _status_token(application)
    VolunteerApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.APPROVED, user=victim,
                                                                  phone_verified_at=None)
    with pytest.raises(ValidationError):
        services.application_account_activate(token=token, password1="Takeover-2020!", password2="Takeover-2020!")
    victim.refresh_from_db()
    assert not victim.has_usable_password()


def test_an_applicant_logged_in_gets_the_roles_on_their_own_account(recruitment, social_worker, world):
    applicant = UserFactory(username="logged_in_applicant")
    application = submit(recruitment, applicant=applicant).application
    assert application.user == applicant
    _verify_certificates(social_worker, application)
    approved = services.application_approve(actor=social_worker, application_id=application.pk,
                                            roles=[Role.MEDICAL_VOLUNTEER])
    assert approved.user == applicant and not approved.account_created
    assert Membership.objects.get(user=applicant).role == Role.MEDICAL_VOLUNTEER
    with pytest.raises(ValidationError):
        services.application_account_activate(token=_status_token(approved), password1="Changed-2020!",
                                              password2="Changed-2020!")


def test_a_new_applicant_gets_a_new_account_activated_through_the_link(recruitment, social_worker):
    application = submit(recruitment).application
    _verify_certificates(social_worker, application)
    approved = services.application_approve(actor=social_worker, application_id=application.pk,
                                            roles=[Role.MEDICAL_VOLUNTEER])
    assert approved.account_created and approved.user.phone_index == approved.phone_index
    user = services.application_account_activate(token=_status_token(approved), password1="Yisheng-2020!",
                                                 password2="Yisheng-2020!")
    assert user.check_password("Yisheng-2020!")


def _status_token(application) -> str:
    """The status link's token of an application made in this test (only its hash is stored: swap it)."""
    token = f"test-status-{application.pk}"
    VolunteerApplication.objects.filter(pk=application.pk).update(status_token_hash=services.token_hash(token))
    return token


# ------------------------------------------------------------------------------------ the sign-up page

def test_sign_up_page_phone_then_code_then_form(client, recruitment, django_capture_on_commit_callbacks):
    url = reverse("volunteers:apply", args=[recruitment.token])
    page = client.get(url).content.decode()
    assert "第一步：验证手机号" in page and 'name="skills"' not in page
    data = application_data()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"action": "step_send", "phone": data["phone"]}).content.decode()
    assert "验证码已发送" in page and 'name="code"' in page
    # A wrong code: told so in Chinese, the phone is kept.
    page = client.post(url, {"action": "step_verify", "phone": data["phone"], "code": "000000"}).content.decode()
    assert "验证码错误" in page and data["phone"] in page
    response = client.post(url, {"action": "step_verify", "phone": data["phone"], "code": texted_code(data["phone"])})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'name="skills"' in page and "已验证" in page and data["phone"] in page
    response = client.post(url, {**data, "action": "submit", "cert1_kind": "physician",
                                 "cert1_file": _jpeg()})
    assert response.status_code == 302 and "/volunteers/status/" in response["Location"]
    assert VolunteerApplication.objects.get().phone_verified_at is not None


def test_an_expired_verification_keeps_the_typed_form_and_verifies_on_the_spot(client, recruitment, settings,
                                                                              django_capture_on_commit_callbacks):
    settings.OTP_RESEND_SECONDS = 0
    url = reverse("volunteers:apply", args=[recruitment.token])
    data = application_data(skills="呼吸内科急救")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "step_send", "phone": data["phone"]})
    client.post(url, {"action": "step_verify", "phone": data["phone"], "code": texted_code(data["phone"])})
    PhoneVerification.objects.update(verified_at=timezone.now() - timedelta(hours=3))  # filled in too slowly
    page = client.post(url, {**data, "action": "submit"}).content.decode()
    assert "请先验证手机号" in page and "呼吸内科急救" in page and 'name="phone_code"' in page
    assert not VolunteerApplication.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {**data, "action": "send_code"}).content.decode()
    assert "验证码已发送" in page and "呼吸内科急救" in page and "errorlist" not in page
    page = client.post(url, {**data, "action": "submit", "phone_code": "000000"}).content.decode()
    assert "验证码错误" in page and "呼吸内科急救" in page
    response = client.post(url, {**data, "action": "submit", "phone_code": texted_code(data["phone"])})
    assert response.status_code == 302
    assert VolunteerApplication.objects.get().skills == "呼吸内科急救"


def _jpeg():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.jpg", JPEG)


def test_a_reviewer_cannot_approve_their_own_application(recruitment, social_worker):
    application = submit(recruitment, applicant=social_worker).application
    _verify_certificates(social_worker, application)
    with pytest.raises(ValidationError, match="不能审核自己的报名"):
        services.application_approve(actor=social_worker, application_id=application.pk,
                                     roles=[Role.MEDICAL_VOLUNTEER])
    assert not Membership.objects.filter(user=social_worker, role=Role.MEDICAL_VOLUNTEER).exists()


def test_a_logged_in_applicant_without_a_password_chooses_one_through_the_link(client, recruitment, social_worker):
    """A resident who logs in by code applies while logged in: once a volunteer (staff), they need a password."""
    resident = UserFactory(username="resident_applicant")
    resident.set_unusable_password()
    resident.save()
    application = submit(recruitment, applicant=resident).application
    _verify_certificates(social_worker, application)
    approved = services.application_approve(actor=social_worker, application_id=application.pk,
                                            roles=[Role.MEDICAL_VOLUNTEER])
    token = _status_token(approved)
    page = client.get(reverse("volunteers:status", args=[token])).content.decode()
    assert "设置登录密码" in page and resident.username in page
    services.application_account_activate(token=token, password1="Yisheng-2020!", password2="Yisheng-2020!")
    resident.refresh_from_db()
    assert resident.check_password("Yisheng-2020!")
