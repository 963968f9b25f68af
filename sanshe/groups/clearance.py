"""The volunteer duty gate applied to groups: an uncleared volunteer joins no group and sees no client.

Volunteers (secretaries, medical volunteers, counsellors) act in groups only while sanshe.volunteers says
they are approved, trained in the current version and have signed the current confidentiality agreement
(issue 3). A new agreement version hides their groups again until they sign it.
"""

from __future__ import annotations

from sanshe.accounts.roles import Role

from .models import MemberRole

# Group member role → the account role whose clearance it needs.
VOLUNTEER_MEMBER_ROLES: dict[str, str] = {
    MemberRole.SECRETARY: Role.GENERAL_VOLUNTEER,
    MemberRole.MEDICAL: Role.MEDICAL_VOLUNTEER,
    MemberRole.PSYCHOLOGICAL: Role.COUNSELLOR,
}


# Staff member roles → the account roles (any of them) that must still be held for the member role to act:
# a social worker whose role was revoked or ended is not a social worker in the group any more either.
STAFF_MEMBER_ROLES: dict[str, frozenset[str]] = {
    MemberRole.ADMIN: frozenset({Role.SOCIAL_WORKER, Role.COMMUNITY_WORKER, Role.ORG_ADMIN}),
    MemberRole.SOCIAL_WORKER: frozenset({Role.SOCIAL_WORKER}),
    MemberRole.COMMUNITY_WORKER: frozenset({Role.COMMUNITY_WORKER}),
}
# Account roles that may administer a group (Group.admin): without one of them, being its admin gives nothing.
GROUP_ADMIN_ACCOUNT_ROLES = STAFF_MEMBER_ROLES[MemberRole.ADMIN]


def uncleared_member_roles(scope) -> frozenset[str]:
    """Member roles the scope's user may not act in now; computed once per scope (one request)."""
    cached = scope.memo.get("groups.uncleared")
    if cached is not None:
        return cached
    held = {member_role for member_role, account_role in VOLUNTEER_MEMBER_ROLES.items()
            if account_role in scope.roles}
    # A volunteer member role whose account role is gone (revoked) acts no more either; nor a staff one.
    result: frozenset[str] = frozenset(VOLUNTEER_MEMBER_ROLES) - held
    result |= frozenset(member_role for member_role, account_roles in STAFF_MEMBER_ROLES.items()
                        if not account_roles & scope.roles)
    if held:
        from sanshe.volunteers.clearance import cleared_user_ids

        result |= frozenset(member_role for member_role in held
                            if scope.user_id not in cleared_user_ids([scope.user_id],
                                                                     VOLUNTEER_MEMBER_ROLES[member_role]))
    scope.memo["groups.uncleared"] = result
    return result


def clearance_problem(user, member_role: str) -> str:
    """Why this user may not join a group in this member role now ("" when they may), in Chinese."""
    from django.utils.translation import gettext as _

    account_role = VOLUNTEER_MEMBER_ROLES.get(member_role)
    if account_role is None:
        return ""
    from sanshe.volunteers.clearance import volunteer_clearance

    clearance = volunteer_clearance(user, account_role)
    if clearance.cleared:
        return ""
    if not clearance.approved:
        missing = _("的申请尚未审核通过")
    elif clearance.missing_training_ids:
        missing = _("尚未完成岗前培训")
    else:
        missing = _("尚未签署最新版保密协议")
    return _("该志愿者%(missing)s。完成审核、培训并签署保密协议前不能加入服务群、不能接触服务对象。") % {"missing": missing}
