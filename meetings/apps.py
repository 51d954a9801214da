from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "研判会议与台账"

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        from . import audit  # noqa: F401 - connects the login signals

        # Accounts are audited too; the password hash never enters the log.
        auditlog.register(get_user_model(), mask_fields=["password"], exclude_fields=["last_login"])
