from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "研判报告"

    def ready(self):
        # The app's Celery tasks, registered in the web process too (see MeetingsConfig).
        from . import pagecache, signals, tasks  # noqa: F401

        pagecache.connect()
