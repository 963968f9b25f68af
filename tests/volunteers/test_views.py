"""Volunteer pages: the permission matrix, the public sign-up on a phone, the private certificate view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanshe.accounts.roles import Role
from sanshe.volunteers.models import ApplicationStatus, VolunteerApplication
from tests.volunteers.helpers import JPEG, application_data, approved_volunteer, submit, texted_code


def login(client, user):
    client.force_login(user)
    return client


STAFF_PAGES = ["volunteers:application_list", "volunteers:recruitment_list", "volunteers:training_manage",
               "volunteers:training_create"]


@pytest.mark.parametrize("name", [*STAFF_PAGES, "volunteers:me", "volunteers:agreement_publish"])
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", STAFF_PAGES)
@pytest.mark.parametrize("persona", ["medic", "secretary", "community_worker", "resident"])
def test_roles_that_do_not_review_get_403(client, request, name, persona):
    user = request.getfixturevalue(persona)
    assert login(client, user).get(reverse(name)).status_code == 403


def test_agreement_publish_is_for_organisation_admins(client, social_worker, org_admin):
    assert login(client, social_worker).get(reverse("volunteers:agreement_publish")).status_code == 403
    client.logout()
    assert login(client, org_admin).get(reverse("volunteers:agreement_publish")).status_code == 200


def test_reviewer_sees_list_and_detail_masked(client, recruitment, social_worker):
    application = submit(recruitment).application
    login(client, social_worker)
    page = client.get(reverse("volunteers:application_list")).content.decode()
    assert application.name in page
    detail = client.get(reverse("volunteers:application_detail", args=[application.pk])).content.decode()
    assert application.doc_masked in detail and application.doc_number not in detail
    assert application.phone not in detail and application.phone_masked in detail


def test_list_query_count_does_not_grow_with_applications(client, recruitment, social_worker,
                                                          django_assert_max_num_queries):
    for _ in range(3):
        submit(recruitment)
    login(client, social_worker)
    client.get(reverse("volunteers:application_list"))
    with django_assert_max_num_queries(12):
        first = client.get(reverse("volunteers:application_list"))
    for _ in range(5):
        submit(recruitment)
    with django_assert_max_num_queries(12):
        second = client.get(reverse("volunteers:application_list"))
    assert first.status_code == second.status_code == 200


def test_out_of_scope_application_and_certificate_are_404(client, recruitment, outsider, medic):
    application = submit(recruitment).application
    certificate = application.certificates.get()
    for user in (outsider, medic):
        login(client, user)
        assert client.get(reverse("volunteers:certificate_file", args=[certificate.pk])).status_code == 404
        client.logout()
    login(client, outsider)
    # An outsider without a reviewing role is refused the page itself.
    assert client.get(reverse("volunteers:application_detail", args=[application.pk])).status_code == 403


def test_certificate_file_is_served_only_through_the_checked_view(client, recruitment, social_worker):
    certificate = submit(recruitment).application.certificates.get()
    url = reverse("volunteers:certificate_file", args=[certificate.pk])
    assert client.get(url).status_code == 302
    response = login(client, social_worker).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"


def test_public_sign_up_keeps_what_was_typed_on_error(client, recruitment):
    url = reverse("volunteers:apply", args=[recruitment.token])
    assert "志愿者信息登记表" in client.get(url).content.decode()
    data = application_data(phone="12345", skills="内科诊疗与急救")
    data.pop("consent")
    response = client.post(url, {**data, "cert1_kind": "physician", "cert1_file": SimpleUploadedFile("a.jpg", JPEG)})
    page = response.content.decode()
    assert response.status_code == 200 and "手机号应为11位" in page and "内科诊疗与急救" in page
    assert "证书文件需要重新选择" in page
    assert not VolunteerApplication.objects.exists()


def test_public_sign_up_then_status_page(client, recruitment, django_capture_on_commit_callbacks):
    url = reverse("volunteers:apply", args=[recruitment.token])
    data = application_data()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "step_send", "phone": data["phone"]})
    client.post(url, {"action": "step_verify", "phone": data["phone"], "code": texted_code(data["phone"])})
    response = client.post(url, {**data, "cert1_kind": "physician", "cert1_file": SimpleUploadedFile("a.jpg", JPEG)})
    assert response.status_code == 302 and "/volunteers/status/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "待审核" in page and "医师执业证书" in page
    assert client.get(reverse("volunteers:status", args=["not-a-token"])).status_code == 404


def test_closed_recruitment_page_says_so(client, recruitment, social_worker):
    from sanshe.volunteers import services

    services.recruitment_set_open(actor=social_worker, recruitment_id=recruitment.pk, is_open=False)
    assert "该招募已结束" in client.get(reverse("volunteers:apply", args=[recruitment.token])).content.decode()


def test_reviewer_approves_through_the_page(client, recruitment, social_worker, world):
    application = submit(recruitment).application
    certificate = application.certificates.get()
    url = reverse("volunteers:application_detail", args=[application.pk])
    login(client, social_worker)
    response = client.post(url, {"action": "decide", "d-decision": "approve", "d-roles": [Role.MEDICAL_VOLUNTEER]})
    assert "未核验" in response.content.decode()
    client.post(url, {"action": "check", "certificate": certificate.pk, f"c{certificate.pk}-result": "verified"})
    client.post(url, {"action": "decide", "d-decision": "approve", "d-roles": [Role.MEDICAL_VOLUNTEER],
                      "d-communities": [world.home.pk]})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.user is not None


def test_volunteer_checklist_training_and_signing_pages(client, recruitment, social_worker, vol_org):
    user = approved_volunteer(social_worker, recruitment)
    login(client, user)
    page = client.get(reverse("volunteers:me")).content.decode()
    assert "尚不能上岗" in page and "签署保密协议" in page
    sign_page = client.get(reverse("volunteers:agreement_sign", args=[vol_org.pk])).content.decode()
    assert "本协议终止后，乙方在本协议条款下的保密义务不随之终止" in sign_page
    other = reverse("volunteers:agreement_sign", args=[recruitment.organisation_id + 999])
    assert client.get(other).status_code == 404


def test_reviewer_reveals_a_number_with_a_reason_and_it_is_audited(client, recruitment, social_worker, world):
    from sanshe.core.models import AuditEvent, AuditOutcome

    application = submit(recruitment).application
    login(client, social_worker)
    url = reverse("volunteers:application_reveal", args=[application.pk, "doc_number"])
    refused = client.post(url, {"reason": "看"}).content.decode()
    assert "请填写查看事由" in refused and application.doc_number not in refused
    assert not AuditEvent.objects.filter(action="volunteer.application_reveal").exists()
    shown = client.post(url, {"reason": "核对执业证书上的证件号"}).content.decode()
    assert application.doc_number in shown
    event = AuditEvent.objects.get(action="volunteer.application_reveal")
    assert event.reason == "核对执业证书上的证件号" and event.detail == {"field": "doc_number"}
    assert event.outcome == AuditOutcome.SUCCESS


def test_reveal_out_of_scope_is_404_and_audited(client, recruitment, world):
    from sanshe.core.models import AuditEvent, AuditOutcome
    from tests.factories import OrganisationFactory, UserFactory, grant

    application = submit(recruitment).application
    other_org = OrganisationFactory(name="别的社工机构")
    other_org.communities.add(world.away)
    stranger = UserFactory(username="stranger-sw")
    grant(stranger, other_org, Role.SOCIAL_WORKER, communities=[world.away])
    login(client, stranger)
    url = reverse("volunteers:application_reveal", args=[application.pk, "phone"])
    response = client.post(url, {"reason": "想看一下电话号码"})
    assert response.status_code == 404 and application.phone not in response.content.decode()
    assert AuditEvent.objects.filter(action="volunteer.application_reveal", outcome=AuditOutcome.DENIED).exists()
