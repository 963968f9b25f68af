"""Pure volunteer rules: upload checks, quiz scoring, signature checks, what stands between a volunteer and duty.

Plain functions over plain data; no database.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Certificates: photos from a phone camera or a PDF scan. Recognised by their first bytes, not their names.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
ACCEPTED_LABEL = "JPG、PNG 图片或 PDF 文件"


class UploadRejected(ValueError):
    """A file that may not be stored; the message is the Chinese reason shown to the user."""


def certificate_content_type(head: bytes, size: int, *, max_bytes: int, name: str = "") -> str:
    """The content type of an acceptable certificate file, or UploadRejected with the reason."""
    label = f"“{name}”" if name else "文件"
    if size <= 0:
        raise UploadRejected(f"{label}是空文件，请重新选择")
    if size > max_bytes:
        raise UploadRejected(
            f"{label}大小为{size / 1024 / 1024:.1f}MB，超过{max_bytes // (1024 * 1024)}MB的上限，请压缩或拍照后重新上传")
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise UploadRejected(f"{label}不是{ACCEPTED_LABEL}，请重新选择")


def signature_png_ok(data: bytes, *, max_bytes: int = 300 * 1024) -> str | None:
    """None for a usable drawn signature (a real PNG with some size), else the Chinese reason."""
    if not data:
        return "请在签名框内手写签名"
    if len(data) > max_bytes:
        return "签名图片过大，请清除后重新签名"
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        return "签名图片无效，请清除后重新签名"
    width, height = struct.unpack(">II", data[16:24])
    if not (50 <= width <= 4000 and 20 <= height <= 4000):
        return "签名图片无效，请清除后重新签名"
    return None


def quiz_score(quiz: Sequence[Mapping], answers: Sequence[int | None]) -> tuple[int, int]:
    """(correct answers, questions) for a multiple-choice quiz; a missing answer counts as wrong."""
    correct = 0
    for index, question in enumerate(quiz):
        given = answers[index] if index < len(answers) else None
        if given is not None and given == question.get("answer"):
            correct += 1
    return correct, len(quiz)


def quiz_problems(quiz: object) -> list[str]:
    """Chinese problems of a quiz definition (empty when it is well formed)."""
    if not isinstance(quiz, list):
        return ["测验格式不正确"]
    problems = []
    for n, question in enumerate(quiz, start=1):
        if not isinstance(question, dict) or not str(question.get("question", "")).strip():
            problems.append(f"第{n}题缺少题目")
            continue
        options = question.get("options")
        if not isinstance(options, list) or len([o for o in options if str(o).strip()]) < 2:
            problems.append(f"第{n}题至少需要两个选项")
            continue
        answer = question.get("answer")
        if not isinstance(answer, int) or not 0 <= answer < len(options):
            problems.append(f"第{n}题的正确答案不在选项中")
    return problems


def parse_quiz_text(text: str) -> list[dict]:
    """A quiz typed as plain text: blocks separated by a blank line; first line the question, then options,
    the right one marked with a leading '*'. Returns the JSON form (validate with `quiz_problems`)."""
    quiz = []
    for block in [b for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        question, options, answer = lines[0], [], None
        for line in lines[1:]:
            if line.startswith(("*", "＊")):
                answer = len(options)
                line = line[1:].strip()
            options.append(line)
        quiz.append({"question": question, "options": options, "answer": answer})
    return quiz


def quiz_as_text(quiz: Sequence[Mapping]) -> str:
    """The inverse of `parse_quiz_text`, for editing."""
    blocks = []
    for question in quiz:
        lines = [str(question.get("question", ""))]
        for i, option in enumerate(question.get("options", [])):
            lines.append(("*" if i == question.get("answer") else "") + str(option))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def agreement_fingerprint(*, body: str, version: int, organisation: str, signer_name: str,
                          user_id: int, signed_on: str) -> str:
    """SHA-256 over what was signed: text, version, both parties and the date."""
    text = "\x1f".join([body, str(version), organisation, signer_name, str(user_id), signed_on])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Clearance:
    """Whether a volunteer may serve in a role, and what is still missing (in the order to do it)."""

    role: str
    approved: bool
    missing_training_ids: tuple[int, ...] = ()
    agreement_signed: bool = False
    agreement_outdated: bool = False  # signed an earlier version, must sign the new one
    organisation_id: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cleared(self) -> bool:
        return self.approved and not self.missing_training_ids and self.agreement_signed


def clearance_for(*, role: str, approved: bool, required_modules: Mapping[int, int],
                  completed: Iterable[tuple[int, int]], current_agreement_id: int | None,
                  signed_agreement_ids: Iterable[int], organisation_id: int | None = None) -> Clearance:
    """Combine the facts about one volunteer in one organisation and role into a Clearance.

    `required_modules` maps module id → its current version; `completed` holds (module id, version) pairs;
    a module done in an older version is not done. No current agreement means nothing can be signed yet,
    which is not cleared either.
    """
    done = set(completed)
    missing = tuple(sorted(mid for mid, version in required_modules.items() if (mid, version) not in done))
    signed = set(signed_agreement_ids)
    agreement_signed = current_agreement_id is not None and current_agreement_id in signed
    return Clearance(role=role, approved=approved, missing_training_ids=missing, agreement_signed=agreement_signed,
                     agreement_outdated=bool(signed) and not agreement_signed, organisation_id=organisation_id)
