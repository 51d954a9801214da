"""Celery tasks: thin wrappers that load by id and call reports.rendering
(and reports.notifications: the daily reminders, a notification's email).

acks_late with idempotent steps: a task delivered again after a worker died
finds a done file done, or renders a half-done one from the start. Only
transient errors (connections, disk) are retried, with backoff.
"""

import logging

from celery import shared_task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseError

from . import figures, notifications, rendering

log = logging.getLogger(__name__)
TRANSIENT = (DatabaseError, InterfaceError, ConnectionError, OSError)
OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "max_retries": 4,
    "soft_time_limit": 120,
    "time_limit": 150,
    "bind": True,
}


def _retry(task, error):
    log.warning("%s: transient error %r, retry %s", task.name, error, task.request.retries)
    raise task.retry(exc=error, countdown=min(2**task.request.retries, 30))


@shared_task(name="reports.render_report_docx", **OPTIONS)
def task_render_report_docx(self, *, file_id):
    """Render one report's DOCX."""
    try:
        rendering.render_file(file_id)
    except TRANSIENT as error:
        _retry(self, error)


@shared_task(name="reports.build_quarter_bundle", **OPTIONS)
def task_build_quarter_bundle(self, *, file_id):
    """Start the quarter's bundle: queue the reports that are not rendered yet."""
    try:
        rendering.build_bundle(file_id)
    except TRANSIENT as error:
        _retry(self, error)


@shared_task(
    name="reports.finish_quarter_bundle", **{**OPTIONS, "soft_time_limit": 600, "time_limit": 660}
)
def task_finish_quarter_bundle(self, *, file_id):
    """Write the quarter's ZIP and its 汇总 document."""
    try:
        rendering.finish_bundle(file_id)
    except TRANSIENT as error:
        _retry(self, error)


@shared_task(name="reports.send_reminders", **OPTIONS)
def task_send_reminders(self):
    """The daily reminders (通知): the beat schedule in settings runs this."""
    try:
        counts = notifications.send_reminders()
    except TRANSIENT as error:
        _retry(self, error)
    log.info("reminders sent: %s", counts)
    return {str(kind): n for kind, n in counts.items()}


@shared_task(name="reports.refresh_statistics", **OPTIONS)
def task_refresh_statistics(self):
    """The 统计分析 rows whose 已逾期 count changed with the date (each night)."""
    try:
        n = figures.refresh_due()
    except TRANSIENT as error:
        _retry(self, error)
    log.info("statistics rows refreshed: %s", n)
    return n


@shared_task(name="reports.email_notification", **OPTIONS)
def task_email_notification(self, *, notification_id):
    """Mail one notification where EMAIL_URL is configured."""
    try:
        notifications.send_email(notification_id)
    except TRANSIENT as error:
        _retry(self, error)
