"""ASGI entry point: WebSockets under /ws/ (Channels); HTTP too, for a single-process setup."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanshe.settings.base")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from sanshe.routing import websocket_urlpatterns  # noqa: E402

router = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})


async def lifespan(scope, receive, send) -> None:
    """Startup: remember the server's loop (pushes from other threads go through it) and, in the
    single-process setup, start the task consumer's threads here; shutdown: stop them."""
    import asyncio

    from sanshe.core import realtime, tasks_in_process

    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            realtime.register_server_loop(asyncio.get_running_loop())
            try:
                if tasks_in_process.wanted():
                    await asyncio.to_thread(tasks_in_process.start)
            except Exception as error:  # noqa: BLE001 (reported to the server, which then exits)
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await asyncio.to_thread(tasks_in_process.stop)
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        return await lifespan(scope, receive, send)
    return await router(scope, receive, send)
