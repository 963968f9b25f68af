"""Demo volunteers on top of the core demo: a recruitment link, and applications in every state, made through
the real services (sign-up, certificate checks, approval, training, agreement). Deterministic and idempotent.

The core demo's volunteers (mishu, yiwu, xinli …) apply while logged in as their accounts (which is how an
existing account confirms an application is its own); mishu, mishu2, yiwu and xinli are cleared for duty,
yiwu2 has trained but not signed, xinli2 is approved only. Reviewers approve only into their own organisation:
the social worker shegong is seconded to the volunteer association (a social-worker role there, over the
same communities) and reviews its volunteers. Every applicant's phone counts as verified (the demo cannot
read the codes texted by SMS).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import Organisation, User
from sanshe.accounts.responsible import role_community_pairs
from sanshe.accounts.roles import Role
from sanshe.accounts.services import membership_extend
from sanshe.core.identity import resident_id_check_char
from sanshe.core.pii import blind_index

from . import services
from .clearance import current_agreements
from .models import (
    POST_ROLES,
    CertificateCheck,
    CertificateKind,
    PhoneVerification,
    Recruitment,
    TrainingModule,
)
from .seed import seed_guide_defaults

RECRUITMENT_TITLE = "民族街道线上抗疫专业志愿者招募"
REVIEWER = "shegong"

# username (None = a new applicant), name, sex, birth, phone, post, certificate kind, final state
PEOPLE = [
    ("yiwu", "孙海燕", "F", "19820415", "13907152011", "medical", CertificateKind.PHYSICIAN, "cleared"),
    ("yiwu2", "涂文华", "M", "19790921", "13907152012", "medical", CertificateKind.NURSE, "trained"),
    ("xinli", "吴晓东", "M", "19860302", "13907152013", "psychological", CertificateKind.COUNSELLOR, "cleared"),
    ("xinli2", "程思敏", "F", "19900617", "13907152014", "psychological", CertificateKind.COUNSELLOR, "approved"),
    ("mishu", "赵欣怡", "F", "19980811", "13907152009", "general", None, "cleared"),
    ("mishu2", "周雨桐", "F", "19990130", "13907152010", "general", None, "cleared"),
    (None, "陈志明", "M", "19750506", "13907153101", "medical", CertificateKind.PHYSICIAN, "cleared"),
    (None, "刘芳", "F", "19880912", "13907153102", "psychological", CertificateKind.COUNSELLOR, "cleared"),
    (None, "王建国", "M", "19690223", "13907153103", "medical", CertificateKind.PHYSICIAN, "submitted"),
    (None, "黄丽", "F", "19940708", "13907153104", "psychological", CertificateKind.COUNSELLOR, "more_info"),
    (None, "杨帆", "M", "20010119", "13907153105", "general", None, "submitted"),
    (None, "郑凯", "M", "19830330", "13907153106", "medical", CertificateKind.OTHER, "rejected"),
    (None, "许静", "F", "19920514", "13907153107", "medical", CertificateKind.NURSE, "approved"),
]
SCHOOLS = {"medical": ("华中科技大学同济医学院", "临床医学", "master", "内科诊疗、慢病管理、发热分诊"),
           "psychological": ("华中师范大学", "应用心理学", "master", "情绪疏导、危机干预、个案辅导"),
           "general": ("湖北大学", "社会工作", "bachelor", "社群管理、信息登记、文字记录")}


def demo_certificate(name: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned certificate (synthetic demo data)."""
    text = f"Sanshe demo certificate - {name} - not a real document"
    stream = f"BT /F1 14 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 200] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _doc_number(birth: str, n: int, sex: str) -> str:
    order = 10 + n * 2 + (1 if sex == "M" else 0)
    first17 = f"420103{birth}{order:03d}"
    return first17 + resident_id_check_char(first17)


def _signature_png() -> str:
    import base64
    import struct
    import zlib

    width, height = 320, 100

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = []
    for y in range(height):
        row = bytearray(b"\xff" * width)
        x = int(30 + (y * 2.6) % 260)
        row[x:x + 4] = b"\x00" * 4  # a diagonal stroke: a drawn mark, like a finger signature
        rows.append(b"\x00" + bytes(row))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _train(user: User, role: str) -> None:
    for module in TrainingModule.objects.filter(role=role, is_active=True, organisation__isnull=True):
        services.training_complete(actor=user, module_id=module.pk, confirmed=True,
                                   answers=[q["answer"] for q in module.quiz])


def _demo_phone_proof(phone: str) -> str:
    """A verified phone for a demo applicant, written as the row a typed-back code leaves (demo data only)."""
    proof = secrets.token_urlsafe(24)
    now = timezone.now()
    PhoneVerification.objects.create(phone_index=blind_index("phone", phone), code_hash="demo", expires_at=now,
                                     verified_at=now, proof_hash=services.proof_hash(proof))
    return proof


def _second_reviewer(reviewer: User, organisation: Organisation) -> None:
    """The social worker also works for the volunteer association, over the communities they already cover."""
    communities = [c for role, c in role_community_pairs(reviewer) if role == Role.SOCIAL_WORKER]
    membership_extend(user=reviewer, organisation=organisation, role=Role.SOCIAL_WORKER, community_ids=communities)


@transaction.atomic
def demo_load(*, today: date) -> str:
    """Write the demo volunteers (nothing when the demo recruitment exists); returns a one-line summary."""
    from sanshe.people.demo_community import VOLUNTEER_ORG

    organisation = Organisation.objects.filter(name=VOLUNTEER_ORG).first()
    reviewer = User.objects.filter(username=REVIEWER).first()
    if organisation is None or reviewer is None:
        return "志愿者：未找到演示机构或社工账号，跳过"
    if Recruitment.objects.filter(organisation=organisation, title=RECRUITMENT_TITLE).exists():
        return "志愿者：演示数据已存在"
    seed_guide_defaults()
    _second_reviewer(reviewer, organisation)
    recruitment = services.recruitment_create(
        actor=reviewer, organisation_id=organisation.pk, title=RECRUITMENT_TITLE,
        intro="招募执业医师、护士、心理咨询师和群秘书，线上轮班值守社区咨询服务群。每班3–4小时，可自选时段。")
    counts: dict[str, int] = {}
    for n, (username, name, sex, birth, phone, post, kind, state) in enumerate(PEOPLE):
        school, major, education, skills = SCHOOLS[post]
        uploads = []
        if kind:
            uploads.append(services.CertificateUpload(kind=kind, number=f"DEMO{n:04d}",
                                                      file=SimpleUploadedFile("cert.pdf", demo_certificate(name))))
        data = {"name": name, "sex": sex, "political_status": ["cpc", "masses", "cyl"][n % 3],
                "doc_type": "resident_id", "doc_number": _doc_number(birth, n, sex), "years_of_work": 3 + n % 20,
                "school": school, "major": major, "education": education, "skills": skills, "region": "武汉市江汉区",
                "phone": phone, "wechat_id": f"demo_wx_{n:02d}", "employer": "江汉区人民医院" if post == "medical" else "",
                "experience": "2020年参与社区防控志愿服务" if n % 2 else "", "qualifications": "",
                "hours_per_week": 6 + n % 10, "time_slots": ["weekday_evening", "weekend_morning"],
                "availability_note": "", "posts": [post], "other_post": "", "consent": True}
        applicant = User.objects.get(username=username) if username else None
        application = services.application_submit(recruitment_token=recruitment.token, data=data, uploads=uploads,
                                                  phone_proof=_demo_phone_proof(phone),
                                                  applicant=applicant).application
        counts[state] = counts.get(state, 0) + 1
        if state == "submitted":
            continue
        if state == "more_info":
            services.application_request_more(actor=reviewer, application_id=application.pk,
                                              note="证书照片不清晰，请补充心理咨询师证书的清晰照片（含编号页）。")
            continue
        for certificate in application.certificates.all():
            ok = state != "rejected"
            services.certificate_check(actor=reviewer, certificate_id=certificate.pk,
                                       result=CertificateCheck.VERIFIED if ok else CertificateCheck.REJECTED,
                                       note="" if ok else "上传的是培训结业证，不是执业证书")
        if state == "rejected":
            services.application_reject(actor=reviewer, application_id=application.pk,
                                        reason="医务志愿者须持有医师或护士执业证书，欢迎以一般志愿者身份重新报名。")
            continue
        role = POST_ROLES[post]
        application = services.application_approve(actor=reviewer, application_id=application.pk, roles=[role])
        user = application.user
        if username is None and state != "approved":
            from sanshe.people.demo_community import DEMO_PASSWORD

            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if state in ("cleared", "trained"):
            _train(user, role)
        if state == "cleared":
            agreement = current_agreements([organisation.pk])[organisation.pk]
            services.agreement_sign(actor=user, organisation_id=organisation.pk, signer_name=user.display_name,
                                    signature_data_url=_signature_png(), agreement_id=agreement.pk)
    labels = {"cleared": "可上岗", "trained": "已培训待签协议", "approved": "已通过待培训", "submitted": "待审核",
              "more_info": "需补充材料", "rejected": "未通过"}
    summary = "，".join(f"{labels[k]}{v}人" for k, v in counts.items())
    return f"志愿者：报名链接1个，报名{len(PEOPLE)}份（{summary}）"

