"""Celery application.

With CELERY_BROKER_URL (or REDIS_URL) set, tasks go to workers started with
`make worker`; without a broker they run eagerly in the web process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideology_review.settings")

app = Celery("ideology_review")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
