"""Need-to-know as a pure rule over plain data (the querysets express the same rule as SQL conditions).

Domains: a medical record (tool 6, or tool 3 of kind 医疗) is `medical`; tool 7 or tool 3 of kind 心理 is
`psychological`; tool 4 is `social_work` (its demands mix medical and psychological details); tool 3 of
kind 其他 is `general`.
"""

from __future__ import annotations

DOMAIN_OF_CONSULT_KIND = {"medical": "medical", "psychological": "psychological", "other": "general", "": "general"}
DOMAIN_OF_KIND = {"medical": "medical", "psychological": "psychological", "social_work": "social_work"}
# Group role → the domains of that group's records the member may read (besides their own records).
READ_DOMAINS = {
    "admin": frozenset({"medical", "psychological", "social_work", "general"}),
    "social_worker": frozenset({"medical", "psychological", "social_work", "general"}),
    "medical": frozenset({"medical", "general"}),
    "psychological": frozenset({"psychological", "general"}),
    "secretary": frozenset({"general"}),
}


def record_domain(kind: str, consult_kind: str = "") -> str:
    if kind == "consultation":
        return DOMAIN_OF_CONSULT_KIND.get(consult_kind, "general")
    return DOMAIN_OF_KIND[kind]


def may_read(*, domain: str, author_id: int, viewer_id: int, viewer_group_roles: set[str],
             viewer_is_community_social_worker: bool) -> bool:
    """Whether a viewer may read a record of `domain` in a group where they hold `viewer_group_roles`."""
    if viewer_is_community_social_worker or author_id == viewer_id:
        return True
    return any(domain in READ_DOMAINS.get(role, ()) for role in viewer_group_roles)
