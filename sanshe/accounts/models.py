"""Users, organisations and role memberships; one-time login codes; API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanshe.core.models import TimeStampedModel
from sanshe.core.pii import EncryptedCharField, mask_phone
from sanshe.core.querysets import ScopedQuerySet

from .roles import OrganisationKind, Role, WorkerKind


def listed_memberships_q(scope) -> models.Q | None:
    """Memberships an organisation admin sees in the user list ("list"): every membership of their own
    organisations, and the active roles of other organisations that cover a community the admin's
    organisations serve — a grant's places as `RoleGrant` reads them (an organisation admin's role covers
    its organisation's communities; other roles their own communities and stewarded buildings)."""
    org_ids = scope.organisation_ids_for("users.manage")
    if not org_ids:
        return None
    community_ids = scope.community_ids("users.manage")
    # Subqueries, not joins: no duplicate rows for roles covering several communities.
    covering = (
        models.Q(pk__in=Membership.communities.through.objects.filter(community_id__in=community_ids)
                 .values("membership_id"))
        | models.Q(pk__in=Membership.buildings.through.objects.filter(building__community_id__in=community_ids)
                   .values("membership_id"))
        | models.Q(role=Role.ORG_ADMIN,
                   organisation_id__in=Organisation.communities.through.objects.filter(
                       community_id__in=community_ids).values("organisation_id"))
    )
    return models.Q(organisation_id__in=org_ids) | (models.Q(is_active=True) & covering)


class UserQuerySet(ScopedQuerySet):
    """Organisation admins manage ("manage") every user holding (or having held) a role in their
    organisations; they see ("list") everyone in their scope: those users, people holding roles of other
    organisations in the communities their organisations serve, and residents of those communities."""

    def scope_filter(self, scope, action):
        org_ids = scope.organisation_ids_for("users.manage")
        if not org_ids:
            return models.Q(pk=scope.user_id) if action == "view" else None
        if action == "list":
            from .resident_link import resident_user_ids
            from .responsible import membership_records

            listed = membership_records(condition=listed_memberships_q(scope)).values("user_id")
            condition = models.Q(pk__in=listed) | models.Q(pk=scope.user_id)
            residents = resident_user_ids(scope.community_ids("users.manage"))
            return condition if residents is None else condition | models.Q(pk__in=residents)
        # A subquery, not a join: no duplicate rows for users with several roles.
        from .responsible import membership_records

        members = membership_records(organisation_ids=org_ids).values("user_id")
        return models.Q(pk__in=members) | models.Q(pk=scope.user_id)


class SansheUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: staff with username/phone + password, residents with phone + one-time code."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedCharField(_("手机号"), max_length=20, null=True, blank=True)
    phone_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # Set when an administrator chose the password (creation, reset): the user must pick their own.
    password_must_change = models.BooleanField(_("须修改密码"), default=False)

    objects = SansheUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class OrganisationQuerySet(ScopedQuerySet):
    def scope_filter(self, scope, action):
        if action == "list":  # the organisations of the memberships in an admin's user list
            from .responsible import membership_records

            listed = listed_memberships_q(scope)
            return None if listed is None else models.Q(
                pk__in=membership_records(condition=listed).values("organisation_id"))
        if action == "view":
            return models.Q(pk__in=scope.organisation_ids)
        return models.Q(pk__in=scope.organisation_ids_for("users.manage"))


class Organisation(TimeStampedModel):
    name = models.CharField(_("机构名称"), max_length=100, unique=True)
    kind = models.CharField(_("机构类型"), max_length=32, choices=OrganisationKind.choices)
    communities = models.ManyToManyField(
        "places.Community", blank=True, related_name="organisations", verbose_name=_("服务社区")
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    """Organisation admins manage their organisations' memberships; everyone may view their own; admins
    list those in their scope (`listed_memberships_q`)."""

    def scope_filter(self, scope, action):
        if action == "list":
            return listed_memberships_q(scope)
        condition = models.Q(organisation_id__in=scope.organisation_ids_for("users.manage"))
        if action == "view":
            condition |= models.Q(user_id=scope.user_id)
        return condition


class Membership(TimeStampedModel):
    """A role a user holds in an organisation, scoped to communities and (for stewards) buildings."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("机构")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    worker_kind = models.CharField(_("社区工作者类别"), max_length=32, choices=WorkerKind.choices, blank=True)
    communities = models.ManyToManyField(
        "places.Community", blank=True, related_name="memberships", verbose_name=_("负责社区")
    )
    buildings = models.ManyToManyField(
        "places.Building", blank=True, related_name="stewards", verbose_name=_("负责楼栋")
    )
    is_active = models.BooleanField(_("有效"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class OneTimeCode(models.Model):
    """A login code sent by SMS. Only its hash is kept; single use; expires; attempts are counted."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=128)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        indexes = [models.Index(fields=["ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class ApiToken(TimeStampedModel):
    """A bearer token for integrations; acts as its user (same scope). Only the hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
