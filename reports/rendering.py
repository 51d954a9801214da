"""Worker side of the exports: claim a queued file, render it, store it; the
quarter's bundle fans out to one render per report and is zipped by the last.

Every step is idempotent (tasks are acks_late: a redelivered task finds a done
file done). Follow-up tasks are queued by name through the Celery app, so this
module never imports reports.tasks (which imports it)."""

import hashlib
import logging
import tempfile
import time
import zipfile
from contextlib import contextmanager

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import InterfaceError, transaction
from django.db import OperationalError as DatabaseError
from django.utils import timezone

from ideology_review.lib.periods import QUARTER_NAMES, Period, cn_date
from meetings.models import today

from . import statistics
from .docx import Layout, Properties, render_docx
from .files import approved_reports, bundle_files, committee_of, layout_for, reported_to
from .models import GeneratedFile, QuarterlyReport

log = logging.getLogger(__name__)
Status = GeneratedFile.Status


def _queue(task_name, file_id):
    """Queue a follow-up task by its registered name (no import of reports.tasks)."""
    current_app.tasks[task_name].delay(file_id=file_id)


def claim(file_id):
    """Mark the file as being rendered; None if it is gone or already done
    (a redelivered task after the work was committed)."""
    with transaction.atomic():
        file = (
            GeneratedFile.objects.select_for_update(of=("self",))
            .select_related("organisation")  # its name is the document's author
            .filter(pk=file_id)
            .first()
        )
        if file is None or file.status == Status.DONE:
            return None
        file.status = Status.RUNNING
        file.started_at = timezone.now()
        file.error = ""
        file.save(update_fields=["status", "started_at", "error"])
    return file


def store(file, payload_file):
    """Save the rendered bytes (a file object), fingerprint them, mark done."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: payload_file.read(1 << 20), b""):
        digest.update(chunk)
    payload_file.seek(0)
    file.file.save(file.filename, File(payload_file), save=False)
    file.sha256 = digest.hexdigest()
    file.size = file.file.size
    file.status = Status.DONE
    file.finished_at = timezone.now()


# What store() and fail() change on a claimed file.
PRODUCED = ["file", "sha256", "size", "status", "error", "finished_at"]


def fail(file, message):
    file.status = Status.FAILED
    file.error = message
    file.finished_at = timezone.now()


# Worth a retry by the task (disk, database connection, broker): the file goes
# back to 排队中. Anything else is a failure the user is told about.
TRANSIENT = (OSError, ConnectionError, DatabaseError, InterfaceError)


@contextmanager
def producing(file, *, timeout="生成超时，请稍后重试。"):
    """Around the rendering of one claimed file: a soft time limit or any
    other error marks it 生成失败 with a message (never swallowed silently);
    a transient error puts it back in the queue and is raised for the retry.
    The caller saves the file afterwards."""
    try:
        yield
    except SoftTimeLimitExceeded:
        fail(file, timeout)
    except TRANSIENT:
        GeneratedFile.objects.filter(pk=file.pk).update(status=Status.QUEUED)
        raise
    except Exception as error:
        log.exception("%s file %s failed", file.kind, file.pk)
        fail(file, f"生成失败：{type(error).__name__}：{error}"[:500])


def render_file(file_id):
    """Render one report file (idempotent: a done file is left as it is)."""
    file = claim(file_id)
    if file is None:
        return None
    with producing(file):
        layout = Layout(**file.content["layout"])
        payload = render_docx(
            file.content["data"],
            layout,
            Properties(author=file.organisation.name, created=file.created_at),
        )
        store(file, ContentFile(payload))
    with transaction.atomic():
        file.save(update_fields=PRODUCED)  # not the content again: it is what was rendered
        if file.bundle_id:
            _member_finished(file.bundle_id)
    return file


def _member_finished(bundle_id):
    """Count down the bundle's members; the last one queues the ZIP step.
    (A database counter instead of a chord: no result backend needed.)"""
    bundle = GeneratedFile.objects.select_for_update().get(pk=bundle_id)
    bundle.remaining = max(0, bundle.remaining - 1)
    bundle.save(update_fields=["remaining"])
    if bundle.remaining == 0:
        transaction.on_commit(lambda: _queue("reports.finish_quarter_bundle", bundle_id))


def build_bundle(file_id):
    """Queue a render for every approved report not rendered yet; finish at once if none."""
    bundle = claim(file_id)
    if bundle is None:
        return None
    with transaction.atomic():
        report_ids = list(
            approved_reports(bundle.organisation, bundle.year, bundle.quarter).values_list(
                "pk", flat=True
            )
        )
        pending = bundle_files(report_ids, bundle.requested_by, bundle=bundle)
        bundle.remaining = len(pending)
        bundle.save(update_fields=["remaining"])
    if not pending:
        _queue("reports.finish_quarter_bundle", bundle.pk)
    for pk in pending:
        _queue("reports.render_report_docx", pk)
    return bundle


def finish_bundle(file_id):
    """Write the ZIP: every approved report's DOCX, named by organisation, and the 汇总."""
    bundle = GeneratedFile.objects.select_related("organisation").filter(pk=file_id).first()
    if bundle is None or bundle.status == Status.DONE:
        return bundle
    # Ids, names and file names only, never a report's content: what is held
    # here stays small whatever the size of the quarter.
    reports = list(
        approved_reports(bundle.organisation, bundle.year, bundle.quarter).values_list(
            "pk", "organisation__name"
        )
    )
    files = {}
    report_ids = [pk for pk, _ in reports]
    for f in (
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.REPORT, report_id__in=report_ids, status=Status.DONE
        )
        .only("pk", "report_id", "file")
        .order_by("pk")
    ):
        files[f.report_id] = f  # the newest rendering of each report's current version
    missing = [name for pk, name in reports if pk not in files]
    with tempfile.TemporaryFile() as tmp:
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for pk, organisation_name in reports:
                    member = files.get(pk)
                    if member is None:
                        continue
                    # stored, not deflated again: a DOCX is a ZIP already (deflating
                    # it saves ~6% for ~1 ms a report on the one worker packing)
                    name = zipfile.ZipInfo(f"{organisation_name}.docx", time.localtime()[:6])
                    name.compress_type = zipfile.ZIP_STORED
                    with member.file.open("rb") as src, archive.open(name, "w") as dst:
                        for chunk in iter(lambda s=src: s.read(1 << 20), b""):
                            dst.write(chunk)
                summary = quarter_summary(bundle.organisation, bundle.year, bundle.quarter)
                archive.writestr(
                    f"{bundle.year}年{QUARTER_NAMES[bundle.quarter]}汇总.docx",
                    render_docx(
                        summary,
                        layout_for(bundle.organisation),
                        Properties(author=bundle.organisation.name),
                    ),
                )
            tmp.seek(0)
            store(bundle, tmp)
            if missing:
                bundle.error = "以下报告未能生成，未包含在压缩包中：" + "、".join(missing)
        except Exception as error:
            log.exception("bundle %s failed", bundle.pk)
            fail(bundle, f"生成失败：{type(error).__name__}：{error}"[:500])
        bundle.save()
    return bundle


def _para(text):
    return {"marker": "", "heading": "", "text": text}


def quarter_summary(department, year, quarter):
    """The 汇总 document: who reported, findings by category and risk, rectification."""
    committee = committee_of(department)
    visible = reported_to(department)
    rows = statistics.branch_rows(visible, Period(year, quarter))
    totals = statistics.branch_totals(rows)
    period = f"{year}年{QUARTER_NAMES[quarter]}"
    branch_table = []
    missing_names = []
    status_names = dict(QuarterlyReport.Status.choices)
    for org in rows:
        status = status_names.get(org.report_status, "未提交") if org.report_status else "未提交"
        if org.report_status in ("", QuarterlyReport.Status.DRAFT):
            status = "未提交"
            missing_names.append(org.name)
        branch_table.append(
            [
                org.name,
                status,
                str(org.finding_count),
                str(org.measure_count),
                str(org.done_count),
                str(org.overdue_count),
            ]
        )
    measures, done, overdue = totals["measures"], totals["done"], totals["overdue"]
    levels = statistics.RISK_LEVELS
    category_table = [
        [row["category"].name, *(str(n) for _, n in row["cells"]), str(row["total"])]
        for row in statistics.category_matrix(visible, Period(year, quarter))
    ]
    findings_total = sum(int(row[-1]) for row in category_table)
    rate = f"{100 * done / measures:.1f}%" if measures else "—"
    intro = (
        f"根据意识形态工作责任制要求，现将{period}各党组织意识形态分析研判报告报送、"
        "问题查找和整改落实情况汇总如下："
    )
    rectification = (
        f"本季度共制定整改措施{measures}项，已完成{done}项，整改完成率{rate}；"
        f"其中逾期未完成{overdue}项，请相关党组织抓紧落实。"
    )
    reported = (
        f"本季度应报送季度分析研判报告的党组织{totals['should']}个，已提交{totals['submitted']}个"
        f"（其中审核通过{totals['approved']}个、待审核{totals['pending']}个），"
        f"退回修改{totals['returned']}个，未提交{totals['missing']}个。"
    )
    if missing_names:
        reported += "未提交的党组织：" + "、".join(missing_names) + "。"
    branch_columns = ["党组织", "报告状态", "问题数", "整改措施", "已完成", "逾期措施"]
    return {
        "title": f"{department.name}关于{period}意识形态分析研判报告报送情况的汇总",
        "addressee": committee.name,
        "opening": [_para(intro)],
        "parts": [
            {
                "number": "一、",
                "title": "报告报送情况",
                "paragraphs": [_para(reported)],
                "table": {
                    "columns": branch_columns,
                    "rows": branch_table,
                    "widths": [62, 22, 18, 20, 16, 18],
                },
            },
            {
                "number": "二、",
                "title": "问题类别和风险等级",
                "paragraphs": [
                    _para(f"本季度各党组织共查找问题和风险隐患{findings_total}项，分类如下：")
                ],
                "table": {
                    "columns": ["问题类别", *levels, "合计"],
                    "rows": category_table,
                    "widths": [60, 24, 24, 24, 24],
                },
            },
            {"number": "三、", "title": "整改落实情况", "paragraphs": [_para(rectification)]},
        ],
        "closing": [],
        "signatory": department.name,
        "issue_date": cn_date(today()),
        "ledger": [],
    }
