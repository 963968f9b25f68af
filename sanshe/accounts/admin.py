"""The Django admin for accounts, scoped.

Organisation admins (who get `is_staff` with the role) may look at their own organisations' users,
memberships and organisation — read only; changes go through the users pages and their services.
Superusers may change everything here; their changes are written to the audit log. Nobody can delete
(accounts are deactivated, roles revoked), and no hash, phone number or code is ever displayed.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sanshe.core.audit import audit_record
from sanshe.core.realtime import sockets_recheck

from .models import ApiToken, Membership, OneTimeCode, Organisation, User
from .policies import scope_for
from .services import api_tokens_revoke_all


def _org_admin(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and scope_for(user).can("users.manage")


class ScopedAdmin(admin.ModelAdmin):
    """Read-only and scoped for organisation admins; full (audited) for superusers; never deletes."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope(queryset, request.user)

    def scope(self, queryset, user):
        return queryset.for_actor(user, "manage")

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or _org_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or _org_admin(request)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # Django's admin log records changes; the audit log must record them too.
    def log_addition(self, request, obj, message):
        audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.create", obj=obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.change", obj=obj)
        return super().log_change(request, obj, message)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "worker_kind", "communities", "buildings", "is_active")
    filter_horizontal = ("communities", "buildings")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organisation")
        if request.user.is_superuser:
            return queryset
        return queryset.for_actor(request.user, "manage")

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or _org_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "phone_masked", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    readonly_fields = ("phone_masked", "last_login", "date_joined")
    # The phone is encrypted personal data: shown masked, never as an editable clear value here.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone_masked")}),
        (_("状态"), {"fields": ("is_active", "password_must_change", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Organisation admins reset passwords on the users pages; not even a hash summary here.
        return tuple((name, {**opts, "fields": tuple(f for f in opts["fields"] if f != "password")})
                     for name, opts in fieldsets)

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj) -> str:
        return obj.phone_masked

    def save_model(self, request, obj, form, change):
        if not change:
            obj.password_must_change = True  # the superuser chose it; the user picks their own
        super().save_model(request, obj, form, change)
        if change:
            sockets_recheck(obj.pk)  # e.g. deactivated here: open sockets re-check their access at once

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            sockets_recheck(form.instance.pk)  # roles edited inline

    @transaction.atomic
    def user_change_password(self, request, id, form_url=""):
        """A password the superuser set is like an administrator's reset: the user must change it, and the
        API tokens minted under the old password are revoked (their sockets re-check at once)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.select_for_update().get(pk=id)
            if user.pk != request.user.pk:
                user.password_must_change = True
                user.save(update_fields=["password_must_change"])
            revoked = api_tokens_revoke_all(user=user)
            sockets_recheck(user.pk)
            audit_record(actor=request.user, action="user.password_reset", obj=user,
                         detail={"generated_password": False, "via": "admin", "api_tokens_revoked": revoked})
        return response


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ("name", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    filter_horizontal = ("communities",)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ("user", "organisation", "role", "worker_kind", "is_active", "updated_at")
    # Only the organisations of the rows the admin may see: a plain filter would list every organisation.
    list_filter = ("role", "worker_kind", "is_active", ("organisation", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user", "organisation")
    filter_horizontal = ("communities", "buildings")
    autocomplete_fields = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    """Integration tokens: who, what for, when used; never the hash."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def scope(self, queryset, user):
        return queryset.filter(user__in=User.objects.for_actor(user, "manage"))

    def has_add_permission(self, request) -> bool:
        return False  # tokens are made where their plaintext can be shown once, not here


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ScopedAdmin):
    """Residents' login codes, for superusers investigating abuse: times and counts only."""

    list_display = ("id", "created_at", "expires_at", "used_at", "attempts", "ip")
    fields = ("created_at", "expires_at", "used_at", "attempts", "ip")
    readonly_fields = fields

    def scope(self, queryset, user):
        return queryset.none()

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
