"""Celery tasks of meetings: thin, like reports.tasks."""

from celery import shared_task

from reports.tasks import OPTIONS, TRANSIENT, _retry

from . import ledgers, records


@shared_task(
    name="meetings.render_ledger_xlsx", **{**OPTIONS, "soft_time_limit": 600, "time_limit": 660}
)
def task_render_ledger_xlsx(self, *, file_id):
    """Build one 导出台账 XLSX in the requester's scope (a province's ledger takes seconds)."""
    try:
        ledgers.render_export(file_id)
    except TRANSIENT as error:
        _retry(self, error)


@shared_task(
    name="meetings.render_record_docx", **{**OPTIONS, "soft_time_limit": 600, "time_limit": 660}
)
def task_render_record_docx(self, *, file_id):
    """Render one 会议记录 or a year's 会议记录本 (a busy branch's year: many pages)."""
    try:
        records.render(file_id)
    except TRANSIENT as error:
        _retry(self, error)
