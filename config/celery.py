"""The Celery app of Joinery; start a worker with `celery -A config worker`.

Populate runs are its only tasks (`pipelines.tasks`); settings come from Django's under the
CELERY_ prefix (broker, queue name, one task at a time per worker, late acknowledgement).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("joinery")
# Celery settings live in Django settings under the CELERY_ prefix (CELERY_BROKER_URL, ...).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
