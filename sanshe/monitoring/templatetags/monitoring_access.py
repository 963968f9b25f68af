"""What a page may say about the viewer's own monitoring reach (e.g. a volunteer awaiting clearance)."""

from __future__ import annotations

from django import template

from sanshe.monitoring.policies import monitoring_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_clearance(context, capability: str = "monitoring.alerts_medical") -> bool:
    """The viewer holds `capability` only through a volunteer role they are not cleared for yet."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return monitoring_scope(user).waits_for_clearance(capability)
