from django.apps import AppConfig


class IdeologyReviewConfig(AppConfig):
    """The project as an installed app without models: the floor every app
    stands on (lib/), the audit trail, backup and restore and their commands."""

    name = "ideology_review"
    verbose_name = "系统"

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        from . import audit  # noqa: F401 - connects the login signals

        # Accounts are audited too; the password hash never enters the log.
        auditlog.register(get_user_model(), mask_fields=["password"], exclude_fields=["last_login"])
