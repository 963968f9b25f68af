"""Template helpers for the groups pages."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def groups_ws_url(context, path: str) -> str:
    """The WebSocket URL of `path` under /ws/groups/: WEBSOCKET_URL when set, else this page's origin."""
    base = settings.WEBSOCKET_URL.rstrip("/")
    if not base:
        request = context.get("request")
        if request is None:
            return ""
        base = f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"
    return f"{base}/ws/groups/{path}"


@register.filter
def client_group_name(group) -> str:
    """The group's name as a client sees it (no tier words)."""
    from sanshe.groups.labels import client_group_name as name

    return name(group)
