"""Demo assessments on top of the cases demo: PHQ-9 and GAD-7 given on the phone, accepted triage decisions
placing clients in the focus group (one added by account, one invited by link), and one self-fill link
still waiting for the client. Deterministic and idempotent: nothing happens when administrations exist.
The crisis case of the cases demo (open, immediate) is left to the crisis demo.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from sanshe.accounts.models import User

from .models import Administration

# (PHQ-9 answers, GAD-7 answers): PHQ-9 12 (moderate), GAD-7 11 (moderate) → tier 2 focus group.
PHQ9_MODERATE = [2, 2, 2, 1, 1, 2, 1, 1, 0]
GAD7_MODERATE = [2, 2, 2, 2, 1, 1, 1]
PHQ9_MILD = [1, 1, 1, 1, 1, 0, 1, 0, 0]
GAD7_REFER = [2, 1, 2, 2, 1, 1, 1]


def _form(values: list[int]) -> dict[str, str]:
    return {f"item{n}": str(v) for n, v in enumerate(values, start=1)}


def demo_load(*, today: date) -> str:
    if Administration.objects.exists():
        return "评估演示数据已存在，未重复加载。"
    social_worker = User.objects.filter(username="shegong", is_active=True).first()
    if social_worker is None:
        return "评估：未找到演示社工账号（shegong），跳过"
    with transaction.atomic():
        return _load(social_worker=social_worker, resident=User.objects.filter(username="jumin").first())


def _cases(social_worker: User, resident: User | None) -> list:
    """The demo cases to assess: the resident with an account first (opened here if the cases demo didn't)."""
    from sanshe.cases.models import OPEN_CASE_STATUSES, Case
    from sanshe.cases.services import case_open

    cases = []
    person = getattr(resident, "person", None) if resident is not None else None
    if person is not None:
        cases.append(case_open(actor=social_worker, person_id=person.pk, urgency="within_24h",
                               now=timezone.now() - timedelta(days=2)))
    others = (Case.objects.for_actor(social_worker, "change").filter(status__in=OPEN_CASE_STATUSES)
              .exclude(urgency="immediate").exclude(pk__in=[c.pk for c in cases]).order_by("opened_at", "pk"))
    cases += list(others[:2])
    if len(cases) < 2:  # no cases demo: open cases for people of the social worker's community
        from sanshe.cases.policies import cases_scope
        from sanshe.people.models import Person

        communities = cases_scope(social_worker).communities("cases.manage")
        for person in (Person.objects.filter(community_id__in=communities, is_active=True, user__isnull=True)
                       .exclude(cases__isnull=False).order_by("pk")[: 3 - len(cases)]):
            cases.append(case_open(actor=social_worker, person_id=person.pk, now=timezone.now() - timedelta(days=1)))
    return cases


def _load(*, social_worker: User, resident: User | None) -> str:
    from . import services

    cases = _cases(social_worker, resident)
    if not cases:
        return "评估：演示社工没有可评估的个案，跳过"
    now = timezone.now()
    placed = invited = 0
    plans = [(PHQ9_MODERATE, GAD7_MODERATE, True), (PHQ9_MILD, GAD7_REFER, True), (PHQ9_MILD, GAD7_REFER, False)]
    for index, case in enumerate(cases[:3]):
        phq9, gad7, decide = plans[index]
        at = now - timedelta(hours=30 - index * 6)
        services.administration_give(actor=social_worker, case_id=case.pk, scale="phq9", data=_form(phq9), now=at)
        services.administration_give(actor=social_worker, case_id=case.pk, scale="gad7", data=_form(gad7),
                                     now=at + timedelta(minutes=8))
        if not decide:
            services.administration_link_send(actor=social_worker, case_id=case.pk, scale="isi", days=3,
                                              now=at + timedelta(minutes=12))
            continue
        decision = services.triage_run(actor=social_worker, case_id=case.pk, now=at + timedelta(minutes=10))
        outcome = services.triage_decide(actor=social_worker, decision_id=decision.pk, accept=True,
                                         now=at + timedelta(minutes=12))
        if outcome.placement is not None:
            if outcome.placement.status == "added":
                placed += 1
            else:
                invited += 1
    pending = Administration.objects.filter(status="pending").count()
    return (f"评估演示数据：{len(cases[:3])} 个个案做了 PHQ-9 和 GAD-7，{placed} 人已入聚焦服务群，"
            f"{invited} 人已发入群邀请，{pending} 个自评链接待填写。")
