"""Pure volunteer rules, without a database."""

import pytest

from sanshe.volunteers.rules import (
    UploadRejected,
    certificate_content_type,
    clearance_for,
    parse_quiz_text,
    quiz_as_text,
    quiz_problems,
    quiz_score,
    signature_png_ok,
)
from tests.volunteers.helpers import JPEG, PDF, png

MB = 1024 * 1024


@pytest.mark.parametrize(("head", "expected"), [(JPEG, "image/jpeg"), (png(), "image/png"), (PDF, "application/pdf")])
def test_certificate_types_are_recognised_by_content(head, expected):
    assert certificate_content_type(head[:16], 1000, max_bytes=10 * MB) == expected


def test_a_renamed_program_is_refused_whatever_its_name():
    with pytest.raises(UploadRejected, match="不是JPG、PNG 图片或 PDF 文件"):
        certificate_content_type(b"MZ\x90\x00\x03", 5000, max_bytes=10 * MB, name="证书.jpg")


def test_oversized_and_empty_files_are_refused_with_the_limit():
    with pytest.raises(UploadRejected, match="超过10MB的上限"):
        certificate_content_type(JPEG, 11 * MB, max_bytes=10 * MB)
    with pytest.raises(UploadRejected, match="空文件"):
        certificate_content_type(b"", 0, max_bytes=10 * MB)


def test_signature_must_be_a_real_png_of_reasonable_size():
    assert signature_png_ok(png()) is None
    assert signature_png_ok(b"") == "请在签名框内手写签名"
    assert "无效" in signature_png_ok(JPEG)
    assert "无效" in signature_png_ok(png(10, 5))


def test_quiz_score_counts_missing_answers_as_wrong():
    quiz = [{"question": "a", "options": ["x", "y"], "answer": 1}, {"question": "b", "options": ["x", "y"], "answer": 0}]
    assert quiz_score(quiz, [1, 0]) == (2, 2)
    assert quiz_score(quiz, [1]) == (1, 2)
    assert quiz_score(quiz, [None, 1]) == (0, 2)


def test_quiz_text_round_trip_and_problems():
    text = "非当班能发言吗？\n可以\n*不可以\n\n私密问题？\n*私聊\n群聊"
    quiz = parse_quiz_text(text)
    assert quiz == [{"question": "非当班能发言吗？", "options": ["可以", "不可以"], "answer": 1},
                    {"question": "私密问题？", "options": ["私聊", "群聊"], "answer": 0}]
    assert quiz_problems(quiz) == []
    assert parse_quiz_text(quiz_as_text(quiz)) == quiz
    assert quiz_problems(parse_quiz_text("没有正确答案的题\n甲\n乙")) == ["第1题的正确答案不在选项中"]
    assert quiz_problems(parse_quiz_text("只有一个选项\n*甲")) == ["第1题至少需要两个选项"]


def test_clearance_needs_approval_current_training_and_current_agreement():
    base = dict(role="medical_volunteer", required_modules={1: 2, 2: 1}, current_agreement_id=7)
    done = clearance_for(approved=True, completed={(1, 2), (2, 1)}, signed_agreement_ids={7}, **base)
    assert done.cleared
    assert not clearance_for(approved=False, completed={(1, 2), (2, 1)}, signed_agreement_ids={7}, **base).cleared
    old_training = clearance_for(approved=True, completed={(1, 1), (2, 1)}, signed_agreement_ids={7}, **base)
    assert old_training.missing_training_ids == (1,) and not old_training.cleared
    old_agreement = clearance_for(approved=True, completed={(1, 2), (2, 1)}, signed_agreement_ids={6}, **base)
    assert not old_agreement.cleared and old_agreement.agreement_outdated
    no_agreement = clearance_for(approved=True, completed=set(), signed_agreement_ids=set(),
                                 role="x", required_modules={}, current_agreement_id=None)
    assert not no_agreement.cleared
