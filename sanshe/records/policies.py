"""Who may write and read service records: need-to-know by record domain, scoped by group and community.

The rules (also in docs of `visibility.py`):
- social workers of a community (capability cases.manage) read every record, referral out and summary of it;
- a medical volunteer reads the medical records of the groups they serve in (role 医务志愿者 in the group),
  a counsellor the psychological ones, and group staff the general ones (tool 3 "other");
- everyone reads the records they wrote themselves (a secretary: their own tool-3 records);
- community workers, organisation admins and residents read none (need-to-know, 六(四)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanshe.core import gate

# Group roles (sanshe.groups.MemberRole values) → what the member may do in that group's records.
WRITER_ROLE_KINDS: dict[str, frozenset[str]] = {
    "secretary": frozenset({"consultation"}),
    "medical": frozenset({"medical"}),
    "psychological": frozenset({"psychological"}),
    "admin": frozenset({"consultation", "social_work"}),
    "social_worker": frozenset({"consultation", "social_work"}),
}
GROUP_STAFF_ROLES = frozenset({"secretary", "medical", "psychological", "admin", "social_worker"})
# Roles that run the group's daily summary (the secretary compiles it, 六(三)7; the group's social worker too).
SUMMARY_ROLES = frozenset({"secretary", "admin", "social_worker"})


@dataclass(frozen=True)
class RecordsScope:
    user_id: int
    sw_communities: frozenset[int] = frozenset()
    # group role → group ids where the user holds it (active members only).
    group_roles: dict[str, frozenset[int]] = field(default_factory=dict)
    group_community: dict[int, int] = field(default_factory=dict)

    def groups(self, *roles: str) -> frozenset[int]:
        found: set[int] = set()
        for role in roles:
            found |= self.group_roles.get(role, frozenset())
        return frozenset(found)

    def role_in(self, group_id: int) -> set[str]:
        return {role for role, ids in self.group_roles.items() if group_id in ids}

    @property
    def is_records_user(self) -> bool:
        return bool(self.sw_communities or self.groups(*GROUP_STAFF_ROLES))

    def can_write(self, kind: str, *, group_id: int | None, community_id: int) -> bool:
        if kind == "social_work" and community_id in self.sw_communities:
            return True
        if group_id is None:
            return False
        if kind == "consultation" and community_id in self.sw_communities:
            return True
        return any(kind in WRITER_ROLE_KINDS.get(role, ()) for role in self.role_in(group_id))

    def writable_kinds(self) -> set[str]:
        kinds: set[str] = {"social_work", "consultation"} if self.sw_communities else set()
        for role, ids in self.group_roles.items():
            if ids:
                kinds |= WRITER_ROLE_KINDS.get(role, frozenset())
        return kinds

    def summary_groups(self) -> frozenset[int]:
        return self.groups(*SUMMARY_ROLES)

    def can_run_summary(self, group_id: int, community_id: int) -> bool:
        return community_id in self.sw_communities or group_id in self.summary_groups()

    def summary_domains(self, group_id: int, community_id: int) -> set[str]:
        """Which columns of a tool-8 summary this user sees and edits (see summary.py)."""
        if community_id in self.sw_communities or group_id in self.groups("admin", "social_worker"):
            return {"general", "medical", "psychological", "social_work"}
        roles = self.role_in(group_id)
        domains = {"general"} if roles & GROUP_STAFF_ROLES else set()
        if "medical" in roles:
            domains.add("medical")
        if "psychological" in roles:
            domains.add("psychological")
        return domains


def records_scope(user) -> RecordsScope:
    """The user's records part of the gate's scope (built once per user object: one request)."""
    return gate.scope_for(user).part("records")


def build_records_scope(user) -> RecordsScope:
    from sanshe.accounts.policies import scope_for
    from sanshe.cases.policies import cases_scope
    from sanshe.groups.clearance import uncleared_member_roles
    from sanshe.groups.models import GroupMember, MemberStatus

    # A volunteer who is not cleared (approval, training, current confidentiality agreement) sees no client.
    acting_roles = GROUP_STAFF_ROLES - uncleared_member_roles(scope_for(user))
    roles: dict[str, set[int]] = {}
    communities: dict[int, int] = {}
    for group_id, role, community_id in (GroupMember.objects.filter(
            user_id=user.pk, status=MemberStatus.ACTIVE, role__in=acting_roles, group__is_archived=False)
            .values_list("group_id", "role", "group__community_id")):
        roles.setdefault(role, set()).add(group_id)
        communities[group_id] = community_id
    return RecordsScope(user_id=user.pk, sw_communities=cases_scope(user).communities("cases.manage"),
                        group_roles={k: frozenset(v) for k, v in roles.items()}, group_community=communities)


def forget_records_scope(user) -> None:
    gate.forget_scope(user)


def can_records(user) -> bool:
    return gate.can(user, "records.use")


# Account roles whose holders work with service records once they act in a group (or manage cases).
RECORDS_ACCOUNT_ROLES = frozenset({"social_worker", "general_volunteer", "medical_volunteer", "counsellor"})


def could_use_records(user) -> bool:
    """Whether the user holds a role that works with records somewhere, even if not in any group right now."""
    from sanshe.accounts.policies import scope_for

    return bool(scope_for(user).roles & RECORDS_ACCOUNT_ROLES)


def require_records(user) -> RecordsScope:
    """The scope if the user works with service records anywhere; 403 otherwise."""
    gate.require(user, "records.use")
    return records_scope(user)


def can_refer_out(user) -> bool:
    return can_records(user) and bool(records_scope(user).sw_communities)
