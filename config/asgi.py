"""ASGI entry point (daphne): HTTP, and the WebSockets of live progress (``/ws/...``)."""

import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Built before any consumer module is imported: consumers import models, which need the app
# registry that get_asgi_application() populates.
django_http = get_asgi_application()

from pipelines.realtime.routing import websocket_urlpatterns  # noqa: E402

# Sockets carry the session cookie (browsers) or a token (scripts); the consumer checks the
# Origin of session sockets and the caller's role on the pipeline.
application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
