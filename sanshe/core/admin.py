"""The Django admin, scoped: organisation admins see their organisation's data; the audit log is read-only.

`ScopedServiceAdmin` is the base for the places and people admins: lists and forms come from
`for_actor`, writes go through the services (so they are validated, scoped and audited like every other
write), and nothing is deleted from the admin. Superusers may look at everything but change only where
their own memberships allow it — the same rules as everyone, applied by the same services.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .gate import can
from .models import AuditEvent
from .selectors import action_label


def is_org_admin(user) -> bool:
    """Only organisation admins (with is_staff) use the admin; other roles have their pages."""
    return bool(user.is_active and user.is_staff and can(user, "accounts.org_admin"))


class ScopedServiceAdmin(admin.ModelAdmin):
    """Lists and choices scoped by `for_actor`; changes through services; no deletes."""

    view_capability = ""
    change_capability = ""
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.for_actor(request.user, "view")

    def _can(self, request, capability: str) -> bool:
        user = request.user
        return user.is_active and user.is_staff and can(user, capability) and (
            user.is_superuser or is_org_admin(user))

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser or self._can(request, self.view_capability)

    def has_view_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        return self._can(request, self.view_capability) and (
            obj is None or self.model.objects.for_actor(request.user, "view").filter(pk=obj.pk).exists())

    def has_add_permission(self, request) -> bool:
        return self._can(request, self.change_capability)

    def has_change_permission(self, request, obj=None) -> bool:
        if not self._can(request, self.change_capability):
            return False
        return obj is None or self.model.objects.for_actor(request.user, "change").filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices for a parent (community, compound, unit…) come from the actor's change scope only.
        related = db_field.remote_field.model
        if hasattr(related.objects, "for_actor"):
            kwargs["queryset"] = related.objects.for_actor(request.user, "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def adopt(obj, saved) -> None:
        """Make the admin's form instance the row the service saved (the admin redirects to its pk)."""
        obj.__dict__.update(saved.__dict__)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    list_display = ("created_at", "actor_label", "action_name", "outcome", "object_repr", "reason", "ip")
    list_filter = ("outcome",)
    search_fields = ("=actor_label", "^action")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    actions = None
    show_full_result_count = False
    readonly_fields = ("created_at", "actor", "actor_label", "ip", "action", "object_type", "object_id",
                       "object_repr", "outcome", "reason", "detail", "organisation", "community")

    @admin.display(description=_("操作"), ordering="action")
    def action_name(self, obj: AuditEvent) -> str:
        return action_label(obj.action)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.for_actor(request.user, "view")

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        user = request.user
        return user.is_superuser or (is_org_admin(user) and can(user, "audit.view"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
