"""Writes for learning from staff: the handler's verdict on an alert, a staff member's "should have alerted" mark
on a message, and the labelled export that `manage.py risk_eval` reads. Every write is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanshe.core.audit import audit_record
from sanshe.core.errors import ActionForbidden, ObjectNotFound

from .chat.selectors import access_message
from .feedback_selectors import detector_organisations, feedback_export_rows
from .membership.selectors import access_group, can_manage
from .models import (
    VERDICT_KINDS,
    GroupMember,
    MemberStatus,
    MessageStatus,
    RiskAlert,
    RiskFeedback,
    RiskFeedbackKind,
)

MIN_REASON = 4  # the same written reason as the other audited reveals and exports
NOTE_MAX = 300


@transaction.atomic
def alert_verdict_set(*, actor, alert_id: int, kind: str, note: str = "") -> RiskFeedback:
    """Whoever may handle the alert says whether it was a real risk or a false alarm; a later answer replaces the
    earlier one (both stay in the audit log)."""
    alert = (RiskAlert.objects.for_actor(actor, "acknowledge").select_for_update()
             .select_related("group", "message").filter(pk=alert_id).first())
    if alert is None:  # scope first: a bad answer about someone else's alert must not reveal that it exists
        raise ObjectNotFound(alert_id)
    if kind not in VERDICT_KINDS:
        raise ValidationError({"kind": _("请选择“确有风险”或“误报”。")})
    note = (note or "").strip()[:NOTE_MAX]
    feedback = RiskFeedback.objects.select_for_update().filter(alert=alert).first()
    previous = feedback.kind if feedback is not None else None
    if feedback is None:
        feedback = RiskFeedback(organisation_id=alert.organisation_id, group=alert.group, message=alert.message,
                                alert=alert, kind=kind, risk_level=max(alert.level, alert.message.risk_level),
                                note=note, created_by=actor)
    else:
        if feedback.kind == kind and (not note or note == feedback.note):
            return feedback
        feedback.kind = kind
        feedback.note = note or feedback.note
        feedback.updated_by = actor
    _save(feedback, race_message=_("刚刚已有人标注了这条预警，请刷新后查看。"))  # another handler, same moment
    audit_record(actor=actor, action="groups.risk_feedback.verdict", obj=alert,
                 detail={"feedback": feedback.pk, "kind": kind, "previous": previous, "level": alert.level},
                 community_id=alert.group.community_id, organisation_id=alert.organisation_id)
    return feedback


@transaction.atomic
def message_missed_mark(*, actor, group_id: int, message_id: int, note: str = "") -> RiskFeedback:
    """A staff member of the group marks a published message that raised no alert as "should have alerted"."""
    group = access_group(actor=actor, group_id=group_id)
    message = access_message(actor=actor, message_id=message_id, group=group)
    member = GroupMember.objects.filter(group=group, user=actor, status=MemberStatus.ACTIVE).first()
    if not (member is not None and member.is_staff_role) and not can_manage(actor=actor, group=group):
        raise ActionForbidden(_("只有群内工作人员可以标注“应当预警”。"))
    if message.status != MessageStatus.PUBLISHED or message.sender_id is None:
        raise ValidationError(_("只能标注群里已发布的成员消息。"))
    if RiskAlert.objects.filter(message=message).exists():
        raise ValidationError(_("这条消息已发出风险预警，请在风险预警页标注“确有风险”或“误报”。"))
    note = (note or "").strip()[:NOTE_MAX]
    feedback = (RiskFeedback.objects.select_for_update()
                .filter(message=message, created_by=actor, kind=RiskFeedbackKind.MISSED).first())
    created = feedback is None
    if created:
        feedback = RiskFeedback(organisation_id=group.organisation_id, group=group, message=message,
                                kind=RiskFeedbackKind.MISSED, risk_level=message.risk_level, note=note,
                                created_by=actor)
    else:
        feedback.note = note or feedback.note
        feedback.updated_by = actor
    _save(feedback, race_message=_("您已标注过这条消息。"))  # a second tap at the same moment
    audit_record(actor=actor, action="groups.risk_feedback.missed", obj=message,
                 detail={"feedback": feedback.pk, "level": message.risk_level, "new": created},
                 community_id=group.community_id, organisation_id=group.organisation_id)
    return feedback


@dataclass(frozen=True)
class FeedbackExport:
    content: str
    file_name: str
    count: int


def feedback_export(*, actor, organisation_id: int, month: date | None = None, reason: str = "") -> FeedbackExport:
    """The labelled messages as a UTF-8 TSV for `manage.py risk_eval` (label<TAB>text). It holds chat text, so it
    takes a written reason and is audited like the other exports of personal data."""
    organisation = detector_organisations(actor=actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise ObjectNotFound(organisation_id)
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": _("导出的文件含聊天原文，须填写导出事由（至少4个字）")})
    rows = feedback_export_rows(actor=actor, organisation_id=organisation.pk, month=month)
    if not rows:
        raise ValidationError(_("所选时段还没有可导出的标注。"))
    period = month.strftime("%Y-%m") if month else "all"
    now = timezone.localtime()
    header = [
        f"# Sanshe risk feedback · organisation: {organisation.name} · period: {period} · "
        f"exported {now:%Y-%m-%d %H:%M} by {actor.get_username()}",
        "# CONTAINS CHAT TEXT (personal and health data): keep private, delete after use. "
        "Format: label<TAB>text for manage.py risk_eval.",
    ]
    content = "\n".join(header + [f"{label}\t{text}" for label, text in rows]) + "\n"
    with transaction.atomic():
        audit_record(actor=actor, action="groups.risk_feedback.export", reason=reason,
                     detail={"count": len(rows), "period": month.strftime("%Y-%m") if month else "all"},
                     organisation_id=organisation.pk)
    stamp = now.strftime("%Y%m%d-%H%M")
    return FeedbackExport(content=content, file_name=f"risk-feedback-{period}-{stamp}.tsv", count=len(rows))


def _save(feedback: RiskFeedback, *, race_message: str) -> None:
    """Validate and save one label; the unique constraint losing a race becomes `race_message`, not a 500."""
    feedback.full_clean()
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError as exc:
        raise ValidationError(race_message) from exc
