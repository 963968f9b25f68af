"""Who a crisis reaches at once, and who next when nobody acknowledges it in time.

At once (step 0), per the crisis protocol:
  - the on-duty counsellor (suicide) or on-duty medic (medical) of each consultation group the client is an
    active member of (sanshe.groups.duty.on_duty_helper);
  - the case's social worker (owner);
  - the organisation admins of the organisations serving the case's community.
Each escalation (every 5 minutes without acknowledgement) adds the next step:
  1. the other social workers of the community, and the admins of the client's groups — people who can
     take over the case and phone the client now;
  2. everyone else on duty in the client's groups (the other kind of helper, the secretary), and the
     community workers closest to the client (the building's stewards, else the community's own staff,
     sanshe.accounts.responsible.community_workers_for) — the community can knock on the door (六(二)5:
     the social worker contacts the client's community);
  3. and after: nobody new is left, so everyone already alerted is reminded again (in-app and SMS),
     every 5 minutes, until someone acknowledges. A crisis never goes quiet.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps

from sanshe.accounts.roles import Role

from .models import CrisisDomain, RecipientReason

Recipients = dict[int, str]  # user id → RecipientReason


def client_groups(case) -> list:
    """The consultation groups (tiers 2 and 3) the client's user account is an active member of."""
    if not apps.is_installed("sanshe.groups") or case.person.user_id is None:
        return []
    from sanshe.groups.models import Group, GroupTier, MemberStatus

    return list(Group.objects.filter(
        is_archived=False, tier__in=[GroupTier.FOCUS, GroupTier.KEY],
        members__user_id=case.person.user_id, members__status=MemberStatus.ACTIVE,
    ).distinct().order_by("pk"))


def _active_users(user_ids) -> set[int]:
    from sanshe.accounts.models import User

    return set(User.objects.filter(pk__in=set(user_ids), is_active=True).values_list("pk", flat=True))


def org_admins(community_id: int) -> set[int]:
    """The admins of the organisations that serve the community."""
    from sanshe.accounts.responsible import org_admin_ids

    return org_admin_ids(community_id=community_id)


def community_social_workers(community_id: int) -> set[int]:
    from sanshe.accounts.responsible import holder_ids

    return holder_ids(roles=[Role.SOCIAL_WORKER], community_id=community_id)


def first_responders(case, domain: str, now: datetime, groups: list | None = None) -> Recipients:
    """Step 0: the on-duty counsellor or medic of the client's groups, the case's owner, the org admins."""
    recipients: Recipients = {}
    groups = client_groups(case) if groups is None else groups
    if groups:
        from sanshe.groups.duty import on_duty_helper
        from sanshe.groups.models import DutyKind

        kind, reason = ((DutyKind.PSYCHOLOGICAL, RecipientReason.ON_DUTY_COUNSELLOR) if domain == CrisisDomain.SUICIDE
                        else (DutyKind.MEDICAL, RecipientReason.ON_DUTY_MEDIC))
        for group in groups:
            helper = on_duty_helper(group=group, kind=kind, at=now)
            if helper is not None and helper.is_active:
                recipients.setdefault(helper.pk, reason)
    if case.owner_id and case.owner.is_active:
        recipients.setdefault(case.owner_id, RecipientReason.OWNER)
    for user_id in sorted(org_admins(case.community_id)):
        recipients.setdefault(user_id, RecipientReason.ORG_ADMIN)
    return recipients


def escalation_step(case, step: int, now: datetime, groups: list | None = None) -> Recipients:
    """The people step `step` (1, 2, …) of the chain adds; empty past the end of the chain."""
    recipients: Recipients = {}
    groups = client_groups(case) if groups is None and step in (1, 2) else (groups or [])
    if step == 1:
        for user_id in sorted(community_social_workers(case.community_id)):
            recipients.setdefault(user_id, RecipientReason.SOCIAL_WORKER)
        for user_id in sorted(_active_users(g.admin_id for g in groups)):
            recipients.setdefault(user_id, RecipientReason.GROUP_ADMIN)
    elif step == 2:
        if groups:
            from sanshe.groups.duty import on_duty_user_ids
            from sanshe.groups.models import GroupMember, MemberRole, MemberStatus

            for group in groups:
                on_duty = on_duty_user_ids(group=group, at=now)
                staff = (GroupMember.objects.filter(group=group, user_id__in=on_duty, status=MemberStatus.ACTIVE,
                                                    user__is_active=True)
                         .exclude(role__in=[MemberRole.CLIENT, MemberRole.RESIDENT])
                         .values_list("user_id", flat=True))
                for user_id in sorted(staff):
                    recipients.setdefault(user_id, RecipientReason.ON_DUTY_HELPER)
        from sanshe.accounts.responsible import community_workers_for

        for user in community_workers_for(community_id=case.community_id, building_id=case.building_id):
            recipients.setdefault(user.pk, RecipientReason.COMMUNITY_WORKER)
    return recipients


LAST_STEP = 2
