from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "研判会议与台账"

    def ready(self):
        # Register the app's Celery tasks in every process, not only in workers
        # (Celery's autodiscovery runs when a worker starts): the web side queues
        # 导出台账 by task name.
        from . import signals, tasks  # noqa: F401
