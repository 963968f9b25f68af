from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def notify_ws_url(context) -> str:
    """The notification socket's URL: under WEBSOCKET_URL when set, else this page's origin."""
    base = getattr(settings, "WEBSOCKET_URL", "").rstrip("/")
    if not base:
        request = context.get("request")
        if request is None:
            return ""
        base = f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}"
    return f"{base}/ws/notifications/"
