"""Web side of the exports: record what is to be rendered (the exact content,
frozen) and queue its task; if identical content was rendered before, the
existing file is returned instead. The views that call these are
non-atomic: the record is committed before its task is queued, so a worker
always finds it, and a broker that cannot be reached is reported to the user at
once (the record marked 生成失败), nothing else changed. The worker side is
reports.rendering."""

import logging

from celery import current_app
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ideology_review import audit
from ideology_review.lib.periods import QUARTER_NAMES
from meetings.access import get_scope

from .files import approved_reports, content_key, report_file
from .models import GeneratedFile
from .tasks import (
    task_build_quarter_bundle,
    task_render_report_docx,
)

log = logging.getLogger(__name__)
Status = GeneratedFile.Status
QUEUE_UNAVAILABLE = "导出服务暂时无法连接任务队列，报告内容未受任何影响，请稍后重试。"
LEDGER_TASK = "meetings.render_ledger_xlsx"
LEDGER_UNAVAILABLE = "导出服务暂时无法连接任务队列，台账未能导出，其他内容未受影响，请稍后重试。"
RECORD_TASK = "meetings.render_record_docx"
RECORD_UNAVAILABLE = (
    "导出服务暂时无法连接任务队列，会议记录未能导出，会议记录本身未受任何影响，请稍后重试。"
)
RECORD_KINDS = (GeneratedFile.Kind.RECORD, GeneratedFile.Kind.RECORD_BOOK)


class ExportError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def enqueue(task, file):
    """Queue the file's task (its record is committed already: the calling views are
    non-atomic); a broker that is down fails fast and the record says why."""
    if file.kind == GeneratedFile.Kind.LEDGER:
        message = LEDGER_UNAVAILABLE
    elif file.kind in RECORD_KINDS:
        message = RECORD_UNAVAILABLE
    else:
        message = QUEUE_UNAVAILABLE
    try:
        task.delay(file_id=file.pk)
    except (BrokerError, ConnectionError, OSError, TimeoutError) as error:
        log.warning("broker unavailable for file %s: %s", file.pk, error)
        GeneratedFile.objects.filter(pk=file.pk, status=Status.QUEUED).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
        raise ExportError(message) from None


def request_report_docx(*, report, by):
    """导出DOCX: the file of the report's current version, queued if new."""
    audit.record(report, event="导出DOCX", actor=by)
    report.refresh_from_db(fields=["status", "round"])  # the caller's copy may be stale
    file, new = report_file(report, by)
    if new:
        enqueue(task_render_report_docx, file)
    elif file.status == Status.FAILED:
        retry_file(file=file, by=by)
    return file


def retry_file(*, file, by):
    if file.status != Status.FAILED:
        return file
    GeneratedFile.objects.filter(pk=file.pk).update(status=Status.QUEUED, error="")
    if file.kind == GeneratedFile.Kind.LEDGER:
        # A 台账 is meetings' task: looked up by its name, so reports never imports meetings.
        task = current_app.tasks[LEDGER_TASK]
    elif file.kind in RECORD_KINDS:
        task = current_app.tasks[RECORD_TASK]  # meetings' too
    elif file.kind == GeneratedFile.Kind.REPORT:
        task = task_render_report_docx
    else:
        task = task_build_quarter_bundle
    enqueue(task, file)
    file.refresh_from_db()
    return file


def request_quarter_bundle(*, department, year, quarter, by):
    if department not in get_scope(by).review_departments:
        raise ExportError("只有党委宣传部的审核人可以导出本季度报告。")
    audit.record(department, event="导出本季度报告", actor=by, 年度=year, 季度=quarter)
    stamps = list(
        approved_reports(department, year, quarter).values_list("pk", "round", "reviewed_at")
    )
    key = content_key("bundle", department.pk, year, quarter, stamps)
    existing = (
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.BUNDLE, organisation=department, content_key=key
        )
        .exclude(status=Status.FAILED)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing
    file = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.BUNDLE,
        organisation=department,
        year=year,
        quarter=quarter,
        content_key=key,
        filename=f"{department.short_name or department.name}{year}年{QUARTER_NAMES[quarter]}"
        "分析研判报告.zip",
        requested_by=by,
    )
    enqueue(task_build_quarter_bundle, file)
    return file


def open_file(file, *, by):
    """下载 a generated file: the audit row (about its report, its organisation,
    or — a ledger — its requester), then the open file (FileNotFoundError when
    the stored file is gone)."""
    subject = file.report or file.organisation or file.requested_by
    audit.record(subject, event="下载", actor=by, 文件=file.filename, 版本=file.version_label)
    return file.file.open("rb")
