"""Idle session timeout (等保2.0): a session unused for SESSION_IDLE_TIMEOUT seconds is ended."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

_KEY = "last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录"))
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            # Write at most once a minute to keep session saves off the hot path.
            if last_seen is None or now - last_seen > 60:
                request.session[_KEY] = now
        return self.get_response(request)
