"""Wiring of the Joinery portal: settings, URLs, ASGI/WSGI entry points and the Celery app."""

# Loaded with Django so that `@shared_task` functions bind to Joinery's Celery app (and its
# broker settings) in the web process too, not only in the worker.
from config.celery import app as celery_app

__all__ = ["celery_app"]
