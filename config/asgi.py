"""ASGI entry point (daphne): HTTP now; WebSocket routing joins with the live-progress work."""

import os

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Built before any consumer module is imported: consumers import models, which need the app
# registry that get_asgi_application() populates.
django_http = get_asgi_application()

application = ProtocolTypeRouter({"http": django_http})
