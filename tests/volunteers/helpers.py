"""Volunteers made through the real services: sign-up, review, training, agreement (shared with rosters tests)."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from sanshe.accounts.roles import OrganisationKind, Role
from sanshe.volunteers import services
from sanshe.volunteers.models import POST_ROLES, CertificateCheck, CertificateKind, Post, TrainingModule
from tests.factories import OrganisationFactory, grant, resident_id


def jpeg(width: int = 64, height: int = 48, **save) -> bytes:
    """A real, small JPEG (certificate photos are decoded and re-encoded, so a bare header is not enough)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "JPEG", **save)
    return buffer.getvalue()


JPEG = jpeg()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_seq = count(100)


def png(width: int = 300, height: int = 100) -> bytes:
    """A real, small PNG (white) of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png()).decode()


def volunteer_org(world, name: str = "江汉区志愿者协会"):
    org = OrganisationFactory(name=name, kind=OrganisationKind.VOLUNTEER)
    org.communities.add(world.home)
    return org


def make_reviewer(user, organisation, communities):
    """Reviewers recruit and approve only for their own organisation: give `user` a social-worker role there."""
    grant(user, organisation, Role.SOCIAL_WORKER, communities=communities)
    return user


def texted_code(phone: str) -> str:
    """The one-time code last texted to `phone` (the in-memory SMS outbox)."""
    from sanshe.accounts.sms import MemorySmsBackend

    for to, message in reversed(MemorySmsBackend.outbox):
        found = re.search(r"验证码(\d{6})", message)
        if to == phone and found:
            return found.group(1)
    raise AssertionError(f"no code texted to {phone}")


def phone_proof(recruitment, phone: str) -> str:
    """Verify a phone as an applicant does: a code is texted to it and typed back (the real services)."""
    from sanshe.core.identity import normalize_phone

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.application_phone_code_send(recruitment_token=recruitment.token, phone=phone, ip=None)
    code = texted_code(normalize_phone(phone))
    return services.application_phone_verify(recruitment_token=recruitment.token, phone=phone, code=code,
                                             ip=None).proof


def application_data(**overrides) -> dict:
    n = next(_seq)
    data = {
        "name": "孙海燕", "sex": "F", "political_status": "cpc", "doc_type": "resident_id",
        "doc_number": resident_id(n, birth="19850312"), "years_of_work": 12, "school": "武汉大学医学部",
        "major": "临床医学", "education": "bachelor", "skills": "内科诊疗、慢病管理", "region": "武汉市江汉区",
        "phone": f"139{n:08d}", "wechat_id": f"sunhy{n}", "employer": "江汉区人民医院",
        "experience": "2020年参与社区核酸采样", "qualifications": "执业医师（内科）", "hours_per_week": 8,
        "time_slots": ["weekday_evening", "weekend_morning"], "availability_note": "", "posts": [Post.MEDICAL],
        "other_post": "", "consent": True,
    }
    data.update(overrides)
    return data


def upload(kind: str = CertificateKind.PHYSICIAN, content: bytes = JPEG, name: str = "zhengshu.jpg"):
    return services.CertificateUpload(kind=kind, number="", file=SimpleUploadedFile(name, content))


def submit(recruitment, *, uploads=None, applicant=None, **overrides):
    """Sign up with a verified phone (an invalid phone cannot be verified: submitted without proof)."""
    from sanshe.core.identity import IdentityError, normalize_phone

    data = application_data(**overrides)
    try:
        normalize_phone(data["phone"])
    except IdentityError:
        proof = ""
    else:
        proof = phone_proof(recruitment, data["phone"])
    return services.application_submit(recruitment_token=recruitment.token, data=data, phone_proof=proof,
                                       applicant=applicant, uploads=uploads if uploads is not None else [upload()])


def approved_volunteer(reviewer, recruitment, role: str = Role.MEDICAL_VOLUNTEER, **overrides):
    """An approved volunteer (account created by approval), not yet trained or signed."""
    post = {v: k for k, v in POST_ROLES.items()}[role]
    kind = {Role.MEDICAL_VOLUNTEER: CertificateKind.PHYSICIAN, Role.COUNSELLOR: CertificateKind.COUNSELLOR,
            Role.GENERAL_VOLUNTEER: CertificateKind.OTHER}[role]
    overrides.setdefault("posts", [post])
    submitted = submit(recruitment, uploads=[upload(kind)], **overrides)
    application = submitted.application
    for certificate in application.certificates.all():
        services.certificate_check(actor=reviewer, certificate_id=certificate.pk, result=CertificateCheck.VERIFIED)
    application = services.application_approve(actor=reviewer, application_id=application.pk, roles=[role])
    return application.user


def train(user, role: str) -> None:
    for module in TrainingModule.objects.filter(role=role, is_active=True):
        answers = [q["answer"] for q in module.quiz]
        services.training_complete(actor=user, module_id=module.pk, confirmed=True, answers=answers)


def sign(user, organisation):
    from sanshe.volunteers.clearance import current_agreements

    agreement = current_agreements([organisation.pk])[organisation.pk]
    return services.agreement_sign(actor=user, organisation_id=organisation.pk, signer_name=user.display_name,
                                   signature_data_url=signature_data_url(), agreement_id=agreement.pk)


def cleared_volunteer(reviewer, recruitment, role: str = Role.MEDICAL_VOLUNTEER, **overrides):
    """Approved, trained and signed: may take shifts."""
    user = approved_volunteer(reviewer, recruitment, role, **overrides)
    train(user, role)
    sign(user, recruitment.organisation)
    return user
