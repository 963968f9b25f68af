"""Sign-up, review, approval, training and the confidentiality agreement, through the services."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sanshe.accounts.models import Membership, User
from sanshe.accounts.roles import Role
from sanshe.accounts.sms import MemorySmsBackend
from sanshe.core.errors import ActionForbidden, ObjectNotFound
from sanshe.core.models import AuditEvent
from sanshe.volunteers import services
from sanshe.volunteers.clearance import cleared_user_ids, volunteer_clearance, volunteer_is_cleared
from sanshe.volunteers.guide_texts import AGREEMENT_BODY, AGREEMENT_TITLE
from sanshe.volunteers.models import (
    AgreementSignature,
    ApplicationStatus,
    Certificate,
    CertificateCheck,
    CertificateKind,
    TrainingModule,
    VolunteerApplication,
)
from sanshe.volunteers.storage import private_storage
from tests.volunteers.helpers import (
    JPEG,
    PDF,
    application_data,
    approved_volunteer,
    cleared_volunteer,
    phone_proof,
    sign,
    signature_data_url,
    submit,
    train,
    upload,
)


def stored_files(media):
    root = media / "private" / "volunteer-certificates"
    return sorted(root.iterdir()) if root.exists() else []


def test_sign_up_stores_every_field_encrypted_and_texts_the_status_link(recruitment, private_media,
                                                                        django_capture_on_commit_callbacks):
    data = application_data()
    proof = phone_proof(recruitment, data["phone"])
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.application_submit(
            recruitment_token=recruitment.token, data=data, phone_proof=proof,
            uploads=[upload(), upload(CertificateKind.OTHER, PDF, "培训证明.pdf")],
            status_url_base="https://sanshe.example/volunteers/status/")
    application = submitted.application
    assert application.status == ApplicationStatus.SUBMITTED
    assert [c.content_type for c in application.certificates.all()] == ["image/jpeg", "application/pdf"]
    assert len(stored_files(private_media)) == 2
    # The stored name carries nothing of the original file name.
    assert all("zhengshu" not in c.file.name for c in application.certificates.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc_number, phone, wechat_id FROM volunteers_volunteerapplication")
        raw = cursor.fetchone()
    assert application.doc_number not in raw[0] and application.phone not in raw[1] and "sunhy" not in raw[2]
    assert services.application_by_token(submitted.token) == application
    (phone, message), = MemorySmsBackend.outbox
    assert phone == application.phone and f"/volunteers/status/{submitted.token}/" in message
    event = AuditEvent.objects.get(action="volunteer.apply")
    assert application.phone not in str(event.detail) and event.actor_label == application.phone_masked


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"doc_number": "110105194912310021"}, "doc_number", "校验位"),
    ({"phone": "12345"}, "phone", "手机号"),
    ({"posts": []}, "posts", "至少选择一个"),
    ({"posts": ["other"], "other_post": ""}, "other_post", "其他"),
    ({"consent": False}, "consent", "同意"),
    ({"time_slots": [], "availability_note": ""}, "time_slots", "时段"),
])
def test_bad_input_is_explained_and_nothing_is_stored(recruitment, private_media, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        submit(recruitment, **overrides)
    assert message in " ".join(caught.value.message_dict[field])
    assert not VolunteerApplication.objects.exists() and not Certificate.objects.exists()
    assert stored_files(private_media) == []


def test_wrong_type_or_oversized_upload_keeps_nothing(recruitment, private_media, settings):
    settings.VOLUNTEER_CERTIFICATE_MAX_MB = 1
    with pytest.raises(ValidationError) as caught:
        submit(recruitment, uploads=[upload(), upload(content=b"MZ" + b"\x00" * 100, name="virus.jpg")])
    assert "不是JPG、PNG 图片或 PDF 文件" in caught.value.message_dict["certificates"][0]
    with pytest.raises(ValidationError) as caught:
        submit(recruitment, uploads=[upload(content=JPEG + b"\x00" * (1024 * 1024))])
    assert "超过1MB的上限" in caught.value.message_dict["certificates"][0]
    assert not VolunteerApplication.objects.exists() and stored_files(private_media) == []


def test_a_closed_recruitment_takes_no_applications(recruitment, social_worker):
    services.recruitment_set_open(actor=social_worker, recruitment_id=recruitment.pk, is_open=False)
    with pytest.raises(ValidationError, match="招募已结束"):
        submit(recruitment)


def test_a_second_pending_application_with_the_same_id_is_refused(recruitment):
    first = submit(recruitment).application
    with pytest.raises(ValidationError) as caught:
        submit(recruitment, doc_number=first.doc_number)
    assert "待审核的报名" in caught.value.message_dict["doc_number"][0]


def test_request_more_then_documents_return_it_to_review(recruitment, social_worker):
    submitted = submit(recruitment)
    with pytest.raises(ValidationError):
        services.application_request_more(actor=social_worker, application_id=submitted.application.pk, note=" ")
    services.application_request_more(actor=social_worker, application_id=submitted.application.pk,
                                      note="请补充执业证书的注册页")
    assert services.application_by_token(submitted.token).status == ApplicationStatus.MORE_INFO
    services.application_add_documents(token=submitted.token, uploads=[upload(CertificateKind.PHYSICIAN, PDF)])
    application = services.application_by_token(submitted.token)
    assert application.status == ApplicationStatus.SUBMITTED and application.certificates.count() == 2


def test_a_certificate_photo_is_stored_without_its_exif_gps_position(recruitment, private_media):
    """Like chat pictures, certificate photos are decoded and re-encoded: the phone's GPS position, camera and time
    in the EXIF are gone from the stored file (the original code stored the upload byte for byte)."""
    from PIL import Image

    from tests.volunteers.helpers import jpeg

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 35.0, 0.0), 3: "E", 4: (114.0, 18.0, 0.0)}  # GPS: Wuhan
    exif[0x0110] = "Phone X"  # camera model
    photo = jpeg(800, 600, exif=exif)
    with Image.open(io.BytesIO(photo)) as sent:
        assert sent.getexif().get_ifd(0x8825)
    application = submit(recruitment, uploads=[upload(content=photo, name="执业证书.jpg")]).application
    certificate = application.certificates.get()
    with certificate.file.open("rb") as handle:
        stored = handle.read()
    assert certificate.content_type == "image/jpeg" and certificate.size == len(stored)
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.size == (800, 600)
        assert not kept.getexif() and "exif" not in kept.info
    assert b"Phone X" not in stored


def test_a_certificate_photo_that_is_not_a_picture_or_a_picture_bomb_is_refused(recruitment, private_media):
    from tests.core.crafted_files import png_declaring

    with pytest.raises(ValidationError) as caught:
        submit(recruitment, uploads=[upload(content=png_declaring(50_000, 50_000), name="证书.png")])
    assert "尺寸过大" in str(caught.value.message_dict["certificates"])
    with pytest.raises(ValidationError) as caught:
        submit(recruitment, uploads=[upload(content=b"\xff\xd8\xff" + b"\x00" * 100, name="证书.jpg")])
    assert "不是有效的JPG或PNG图片" in str(caught.value.message_dict["certificates"])
    assert not stored_files(private_media)


def test_approval_needs_every_certificate_checked_and_a_matching_verified_one(recruitment, social_worker):
    application = submit(recruitment, uploads=[upload(CertificateKind.COUNSELLOR)]).application
    with pytest.raises(ValidationError, match="未核验"):
        services.application_approve(actor=social_worker, application_id=application.pk,
                                     roles=[Role.MEDICAL_VOLUNTEER])
    certificate = application.certificates.get()
    with pytest.raises(ValidationError) as caught:
        services.certificate_check(actor=social_worker, certificate_id=certificate.pk,
                                   result=CertificateCheck.REJECTED)
    assert "写明原因" in caught.value.message_dict["note"][0]
    services.certificate_check(actor=social_worker, certificate_id=certificate.pk, result=CertificateCheck.VERIFIED)
    with pytest.raises(ValidationError) as caught:
        services.application_approve(actor=social_worker, application_id=application.pk,
                                     roles=[Role.MEDICAL_VOLUNTEER])
    assert "医师执业证书" in " ".join(caught.value.message_dict["roles"])
    assert not User.objects.filter(volunteer_applications=application).exists()


def test_approval_creates_the_account_and_membership_and_tells_the_applicant(recruitment, social_worker, vol_org,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = approved_volunteer(social_worker, recruitment, Role.MEDICAL_VOLUNTEER)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.is_active) == (vol_org, Role.MEDICAL_VOLUNTEER, True)
    assert not user.has_usable_password() and user.display_name == "孙海燕"
    assert "通过审核" in MemorySmsBackend.outbox[-1][1]
    assert AuditEvent.objects.filter(action="volunteer.approve", detail__account_created=True).exists()
    with pytest.raises(ValidationError, match="审核完毕"):
        services.application_reject(actor=social_worker, application_id=user.volunteer_applications.get().pk,
                                    reason="x")


def test_the_applicant_sets_their_password_once(recruitment, social_worker):
    submitted = submit(recruitment)
    with pytest.raises(ValidationError, match="通过审核后"):
        services.application_account_activate(token=submitted.token, password1="Zyz-2020-ok", password2="Zyz-2020-ok")
    certificate = submitted.application.certificates.get()
    services.certificate_check(actor=social_worker, certificate_id=certificate.pk, result=CertificateCheck.VERIFIED)
    services.application_approve(actor=social_worker, application_id=submitted.application.pk,
                                 roles=[Role.MEDICAL_VOLUNTEER])
    with pytest.raises(ValidationError) as caught:
        services.application_account_activate(token=submitted.token, password1="short", password2="short")
    assert "password1" in caught.value.message_dict
    user = services.application_account_activate(token=submitted.token, password1="Zyz-2020-ok",
                                                 password2="Zyz-2020-ok")
    assert user.check_password("Zyz-2020-ok")
    with pytest.raises(ValidationError, match="已设置过"):
        services.application_account_activate(token=submitted.token, password1="Zyz-2021-ok", password2="Zyz-2021-ok")


def test_rejection_reason_reaches_the_applicant(recruitment, social_worker):
    submitted = submit(recruitment)
    services.application_reject(actor=social_worker, application_id=submitted.application.pk,
                                reason="暂不招募无执业证书的医务志愿者")
    application = services.application_by_token(submitted.token)
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_note == "暂不招募无执业证书的医务志愿者"


def test_reviewers_out_of_scope_get_404_and_other_roles_403(recruitment, outsider, medic, community_worker):
    application = submit(recruitment).application
    elsewhere = _social_worker_elsewhere(outsider)
    with pytest.raises(ObjectNotFound):
        services.application_reject(actor=elsewhere, application_id=application.pk, reason="x")
    for actor in (medic, community_worker):
        with pytest.raises(ActionForbidden):
            services.application_reject(actor=actor, application_id=application.pk, reason="x")


def _social_worker_elsewhere(user):
    from sanshe.accounts.models import Organisation
    from tests.factories import grant

    org = Organisation.objects.get(name="外区社工机构")
    grant(user, org, Role.SOCIAL_WORKER, communities=list(org.communities.all()))
    return user


def test_gate_opens_only_after_approval_training_and_signature(recruitment, social_worker, vol_org):
    user = approved_volunteer(social_worker, recruitment, Role.COUNSELLOR, posts=["psychological"])
    assert not volunteer_is_cleared(user, Role.COUNSELLOR)
    train(user, Role.COUNSELLOR)
    clearance = volunteer_clearance(user, Role.COUNSELLOR)
    assert clearance.approved and not clearance.missing_training_ids and not clearance.cleared
    sign(user, vol_org)
    assert volunteer_is_cleared(user, Role.COUNSELLOR)
    assert not volunteer_is_cleared(user, Role.MEDICAL_VOLUNTEER)
    assert cleared_user_ids([user.pk], Role.COUNSELLOR) == {user.pk}


def test_a_failed_quiz_does_not_complete_training(recruitment, social_worker):
    user = approved_volunteer(social_worker, recruitment)
    module = TrainingModule.objects.filter(role=Role.MEDICAL_VOLUNTEER, quiz__isnull=False).exclude(quiz=[]).first()
    wrong = [(q["answer"] + 1) % len(q["options"]) for q in module.quiz]
    with pytest.raises(ValidationError, match="全部答对"):
        services.training_complete(actor=user, module_id=module.pk, answers=wrong)
    assert not module.completions.exists()


def test_a_changed_training_module_must_be_done_again(recruitment, social_worker, vol_org):
    user = cleared_volunteer(social_worker, recruitment)
    module = services.training_module_save(actor=social_worker, organisation_id=vol_org.pk,
                                           role=Role.MEDICAL_VOLUNTEER, title="本机构值班须知",
                                           body="值班前十分钟上线。", quiz=[])
    assert not volunteer_is_cleared(user, Role.MEDICAL_VOLUNTEER)
    services.training_complete(actor=user, module_id=module.pk, confirmed=True)
    assert volunteer_is_cleared(user, Role.MEDICAL_VOLUNTEER)
    module = services.training_module_save(actor=social_worker, organisation_id=vol_org.pk, module_id=module.pk,
                                           role=Role.MEDICAL_VOLUNTEER, title="本机构值班须知",
                                           body="值班前十五分钟上线。", quiz=[])
    assert module.version == 2 and not volunteer_is_cleared(user, Role.MEDICAL_VOLUNTEER)


def test_signature_rules_same_version_twice_wrong_name_no_drawing(recruitment, social_worker, vol_org):
    user = approved_volunteer(social_worker, recruitment)
    from sanshe.volunteers.clearance import current_agreements

    agreement = current_agreements([vol_org.pk])[vol_org.pk]
    assert agreement.version == 1 and "保密义务不随之终止" in agreement.body
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(actor=user, organisation_id=vol_org.pk, signer_name="别人", agreement_id=agreement.pk,
                                signature_data_url="")
    assert "一致" in caught.value.message_dict["signer_name"][0]
    assert "手写签名" in caught.value.message_dict["signature"][0]
    signature = sign(user, vol_org)
    assert len(signature.fingerprint) == 64
    with pytest.raises(ValidationError, match="无需重复签署"):
        services.agreement_sign(actor=user, organisation_id=vol_org.pk, signer_name=user.display_name,
                                agreement_id=agreement.pk, signature_data_url=signature_data_url())
    assert AgreementSignature.objects.count() == 1


def test_a_new_agreement_version_requires_signing_again(recruitment, social_worker, vol_org, world):
    from tests.factories import UserFactory, grant

    user = cleared_volunteer(social_worker, recruitment)
    admin = UserFactory(username="voladmin")
    grant(admin, vol_org, Role.ORG_ADMIN)
    with pytest.raises(ValidationError, match="没有变化"):
        services.agreement_publish(actor=admin, organisation_id=vol_org.pk, title=AGREEMENT_TITLE,
                                   body=AGREEMENT_BODY)
    version = services.agreement_publish(actor=admin, organisation_id=vol_org.pk, title="志愿服务保密协议",
                                         body="第七条：服务结束后删除手机中的服务对象信息。")
    assert version.version == 2
    clearance = volunteer_clearance(user, Role.MEDICAL_VOLUNTEER)
    assert not clearance.cleared and clearance.agreement_outdated
    with pytest.raises(ValidationError, match="已更新为第2版"):
        services.agreement_sign(actor=user, organisation_id=vol_org.pk, signer_name=user.display_name,
                                agreement_id=user.agreement_signatures.get().agreement_id,
                                signature_data_url=signature_data_url())
    sign(user, vol_org)
    assert volunteer_is_cleared(user, Role.MEDICAL_VOLUNTEER)
    with pytest.raises(ActionForbidden):
        services.agreement_publish(actor=social_worker, organisation_id=vol_org.pk, title="x", body="y")


def test_certificate_files_are_never_given_a_url():
    with pytest.raises(ValueError):
        private_storage().url("volunteer-certificates/abc")


def test_rejected_applications_are_deleted_with_their_files_after_the_retention_period(
        recruitment, social_worker, private_media, settings, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from sanshe.core.models import AuditEvent

    settings.VOLUNTEER_REJECTED_RETENTION_DAYS = 90
    old = submit(recruitment).application
    recent = submit(recruitment).application
    waiting = submit(recruitment).application
    for application in (old, recent):
        services.application_reject(actor=social_worker, application_id=application.pk, reason="资质证书与岗位不符")
    now = timezone.now()
    VolunteerApplication.objects.filter(pk=old.pk).update(reviewed_at=now - timedelta(days=91))
    VolunteerApplication.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=200))
    assert len(stored_files(private_media)) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.applications_purge_rejected(now=now) == 1
    assert set(VolunteerApplication.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not Certificate.objects.filter(application_id=old.pk).exists()
    assert len(stored_files(private_media)) == 2
    event = AuditEvent.objects.get(action="volunteer.application_purge")
    assert event.detail == {"application_id": old.pk}
    assert services.applications_purge_rejected(now=now) == 0
