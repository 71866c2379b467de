"""ASGI entry point (daphne): HTTP, and the WebSockets of live progress (``/ws/...``)."""

import os

import django
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Set up before any consumer module is imported: consumers import models, which need the app
# registry.
django.setup(set_prefix=False)

from config.asgi_handler import OneHopASGIHandler  # noqa: E402

django_http = OneHopASGIHandler()

from pipelines.realtime.routing import websocket_urlpatterns  # noqa: E402

# Sockets carry the session cookie (browsers) or a token (scripts); the consumer checks the
# Origin of session sockets and the caller's role on the pipeline.
application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
