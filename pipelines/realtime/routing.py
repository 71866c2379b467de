"""WebSocket routes (``config/asgi.py`` mounts them behind the session and cookie middleware)."""

from django.urls import path

from pipelines.realtime.consumers import PipelineEventsConsumer

websocket_urlpatterns = [
    path("ws/pipelines/<str:ref>/", PipelineEventsConsumer.as_asgi(), name="ws-pipeline-events"),
]
