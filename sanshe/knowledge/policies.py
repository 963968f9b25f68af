"""Who may do what in the resource library: functions over the user's roles (pure given a Scope).

The library is shared by the whole deployment: every staff member searches it and drafts entries; the
public FAQ shows what has been reviewed. Reviewing follows expertise (七(三)1, 4: shared information must
be true and reviewed): social workers review every category, medical volunteers the medical ones,
counsellors the psychological ones. Drafts may hold a client's own words, so only their author and
their reviewers see them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sanshe.accounts.policies import Scope, scope_for
from sanshe.accounts.roles import STAFF_ROLES, Role
from sanshe.core import gate
from sanshe.core.errors import ActionForbidden

from .models import KnowledgeField

ALL_FIELDS = frozenset(KnowledgeField.values)
# Which categories' entries each role reviews (None stands for "uncategorised": social workers only).
REVIEW_FIELDS: dict[str, frozenset[str | None]] = {
    Role.SOCIAL_WORKER: ALL_FIELDS | {None},
    Role.MEDICAL_VOLUNTEER: frozenset({KnowledgeField.MEDICAL.value}),
    Role.COUNSELLOR: frozenset({KnowledgeField.PSYCHOLOGICAL.value}),
}
CATEGORY_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN})
IMPORT_ROLES = frozenset({Role.SOCIAL_WORKER})
EXPORT_ROLES = frozenset({Role.SOCIAL_WORKER, Role.ORG_ADMIN})


def review_fields(scope: Scope) -> frozenset[str | None]:
    """The fields whose entries this scope may review (empty: none)."""
    fields: set[str | None] = set()
    for role in scope.roles:
        fields |= REVIEW_FIELDS.get(role, frozenset())
    return frozenset(fields)


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and scope_for(user).roles & STAFF_ROLES)


def require_staff(user) -> Scope:
    """Staff of any role use the library; residents and others get 403."""
    gate.require(user, "knowledge.library")
    return scope_for(user)


def can_review(user) -> bool:
    return bool(review_fields(scope_for(user)))


def require_reviewer(user) -> Scope:
    scope = require_staff(user)
    if not review_fields(scope):
        raise ActionForbidden(_("只有社会工作者、医务志愿者和心理咨询志愿者可以审核资源库条目。"))
    return scope


def can_review_category(user, category) -> bool:
    """Whether `user` may review entries filed under `category` (None: uncategorised)."""
    field = category.field if category is not None else None
    return field in review_fields(scope_for(user))


def can_manage_categories(user) -> bool:
    return bool(scope_for(user).roles & CATEGORY_ROLES)


def require_category_manager(user) -> Scope:
    scope = require_staff(user)
    if not scope.roles & CATEGORY_ROLES:
        raise ActionForbidden(_("只有社会工作者和机构管理员可以维护分类。"))
    return scope


def can_import(user) -> bool:
    return bool(scope_for(user).roles & IMPORT_ROLES)


def require_importer(user) -> Scope:
    scope = require_staff(user)
    if not scope.roles & IMPORT_ROLES:
        raise ActionForbidden(_("只有社会工作者可以导入资源库（导入的条目由导入人审核发布）。"))
    return scope


def can_export(user) -> bool:
    return bool(scope_for(user).roles & EXPORT_ROLES)


def require_exporter(user) -> Scope:
    scope = require_staff(user)
    if not scope.roles & EXPORT_ROLES:
        raise ActionForbidden(_("只有社会工作者和机构管理员可以导出资源库。"))
    return scope
