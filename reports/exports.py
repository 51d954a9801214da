"""Rendering reports to files through Celery.

`request_*` functions run in the web request: they record what is to be
rendered (the exact content, frozen) and queue a task; if identical content
was rendered before, the existing file is returned instead. `render_file`
and the bundle steps run in the worker. A broker that cannot be reached is
reported to the user at once, and nothing else changes.
"""

import hashlib
import json
import logging
import tempfile
import zipfile

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import InterfaceError, transaction
from django.db import OperationalError as DatabaseError
from django.db.models import Count, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ideology_review.lib.periods import QUARTER_NAMES, cn_date
from meetings.access import get_scope
from meetings.ledgers import KINDS as LEDGER_KINDS
from meetings.ledgers import write_xlsx
from meetings.models import Finding, FindingCategory, Organisation, today

from .content import build_report_data
from .docx import Layout, Properties, render_docx
from .models import DocumentFormat, GeneratedFile, QuarterlyReport

log = logging.getLogger(__name__)
Status = GeneratedFile.Status
QUEUE_UNAVAILABLE = "导出服务暂时无法连接任务队列，报告内容未受任何影响，请稍后重试。"
LEDGER_UNAVAILABLE = "导出服务暂时无法连接任务队列，台账未能导出，其他内容未受影响，请稍后重试。"


class ExportError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def layout_for(organisation):
    try:
        return organisation.document_format.layout()
    except DocumentFormat.DoesNotExist:
        return Layout()


def _key(*parts):
    raw = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _layout_dict(layout):
    return layout.__dict__.copy()


def _frozen_content(report):
    """What a DOCX of this report shows: the submitted content once it is
    submitted or approved, the working copy while it is a draft."""
    if report.status in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.APPROVED):
        submission = report.submissions.order_by("-round").first()
        if submission is not None:
            content = submission.content
            if not content.get("issue_date"):
                # Frozen before every submission carried a 成文日期: the day it was submitted.
                content = {
                    **content,
                    "issue_date": cn_date(timezone.localtime(submission.submitted_at)),
                }
            return content, submission, f"第{submission.round}次提交"
    return build_report_data(report), None, "当前草稿"


def _filename(report):
    org = report.organisation.short_name or report.organisation.name
    return f"{org}{report.year}年{QUARTER_NAMES[report.quarter]}分析研判报告.docx"


def _enqueue(task, file):
    """Queue after the record is committed; a broker that is down fails fast."""
    message = LEDGER_UNAVAILABLE if file.kind == GeneratedFile.Kind.LEDGER else QUEUE_UNAVAILABLE
    try:
        task.delay(file_id=file.pk)
    except (BrokerError, ConnectionError, OSError, TimeoutError) as error:
        log.warning("broker unavailable for file %s: %s", file.pk, error)
        GeneratedFile.objects.filter(pk=file.pk, status=Status.QUEUED).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
        raise ExportError(message) from None


def _report_file(report, by, *, bundle=None):
    """The file record for the report's current version; an existing one if the
    same content was rendered (or is being rendered) already. Returns (file, new)."""
    content, submission, label = _frozen_content(report)
    layout = layout_for(report.organisation)
    key = _key(content, _layout_dict(layout))
    existing = (
        GeneratedFile.objects.filter(kind=GeneratedFile.Kind.REPORT, report=report, content_key=key)
        .exclude(status=Status.FAILED)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    file = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.REPORT,
        organisation=report.organisation,
        report=report,
        submission=submission,
        version_label=label,
        year=report.year,
        quarter=report.quarter,
        content={"data": content, "layout": _layout_dict(layout)},
        content_key=key,
        filename=_filename(report),
        requested_by=by,
        bundle=bundle,
    )
    return file, True


def request_report_docx(*, report, by):
    """导出DOCX: the file of the report's current version, queued if new."""
    from .tasks import task_render_report_docx

    report.refresh_from_db(fields=["status", "round"])  # the caller's copy may be stale
    file, new = _report_file(report, by)
    if new:
        _enqueue(task_render_report_docx, file)
    elif file.status == Status.FAILED:
        retry_file(file=file, by=by)
    return file


def retry_file(*, file, by):
    from .tasks import task_build_quarter_bundle, task_render_ledger_xlsx, task_render_report_docx

    if file.status != Status.FAILED:
        return file
    GeneratedFile.objects.filter(pk=file.pk).update(status=Status.QUEUED, error="")
    task = {
        GeneratedFile.Kind.REPORT: task_render_report_docx,
        GeneratedFile.Kind.LEDGER: task_render_ledger_xlsx,
    }.get(file.kind, task_build_quarter_bundle)
    _enqueue(task, file)
    file.refresh_from_db()
    return file


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------


def _claim(file_id):
    """Mark the file as being rendered; None if it is gone or already done
    (a redelivered task after the work was committed)."""
    with transaction.atomic():
        file = GeneratedFile.objects.select_for_update().filter(pk=file_id).first()
        if file is None or file.status == Status.DONE:
            return None
        file.status = Status.RUNNING
        file.started_at = timezone.now()
        file.error = ""
        file.save(update_fields=["status", "started_at", "error"])
    return file


def _store(file, payload_file):
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


def _fail(file, message):
    file.status = Status.FAILED
    file.error = message
    file.finished_at = timezone.now()


def render_file(file_id):
    """Render one report file (idempotent: a done file is left as it is)."""
    file = _claim(file_id)
    if file is None:
        return None
    try:
        layout = Layout(**file.content["layout"])
        payload = render_docx(
            file.content["data"],
            layout,
            Properties(author=file.organisation.name, created=file.created_at),
        )
        _store(file, ContentFile(payload))
    except SoftTimeLimitExceeded:
        _fail(file, "生成超时，请稍后重试。")
    except (OSError, ConnectionError):
        # Transient (disk, database connection): put it back and let the task retry.
        GeneratedFile.objects.filter(pk=file.pk).update(status=Status.QUEUED)
        raise
    except Exception as error:  # any other failure is reported, never swallowed silently
        log.exception("rendering file %s failed", file.pk)
        _fail(file, f"生成失败：{type(error).__name__}：{error}"[:500])
    with transaction.atomic():
        file.save()
        if file.bundle_id:
            _member_finished(file.bundle_id)
    return file


def _member_finished(bundle_id):
    """Count down the bundle's members; the last one queues the ZIP step.
    (A database counter instead of a chord: no result backend needed.)"""
    from .tasks import task_finish_quarter_bundle

    bundle = GeneratedFile.objects.select_for_update().get(pk=bundle_id)
    bundle.remaining = max(0, bundle.remaining - 1)
    bundle.save(update_fields=["remaining"])
    if bundle.remaining == 0:
        transaction.on_commit(lambda: task_finish_quarter_bundle.delay(file_id=bundle_id))


# --------------------------------------------------------------------------
# 导出台账: a ledger's filtered rows as XLSX, in the requester's scope
# --------------------------------------------------------------------------


def record_ledger(*, kind, filters, summary, by):
    """The file record of a ledger export (the caller commits it, then calls
    queue_ledger). Returns (file, new): a click repeated while the same export
    is still queued or running gets that one, not a second one."""
    key = _key("ledger", by.pk, kind, filters)
    existing = (
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.LEDGER,
            requested_by=by,
            content_key=key,
            status__in=(Status.QUEUED, Status.RUNNING),
        )
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    label = summary if len(summary) <= 50 else summary[:49] + "…"
    file = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.LEDGER,
        organisation=None,
        version_label=label,
        content={"ledger": kind, "filters": filters, "summary": summary},
        content_key=key,
        filename=f"{LEDGER_KINDS[kind]}.xlsx",
        requested_by=by,
    )
    return file, True


def queue_ledger(file):
    """Queue the ledger's task; the record must be committed (a worker reads it)."""
    from .tasks import task_render_ledger_xlsx

    _enqueue(task_render_ledger_xlsx, file)
    file.refresh_from_db()
    return file


def render_ledger(file_id):
    """Build one ledger's XLSX (idempotent: a done file is left as it is)."""
    file = _claim(file_id)
    if file is None:
        return None
    user = file.requested_by
    try:
        if user is None or not user.is_active:
            _fail(file, "申请人的账号已停用，台账未生成。")
        else:
            with write_xlsx(file.content["ledger"], user, file.content["filters"]) as payload:
                _store(file, payload)
    except SoftTimeLimitExceeded:
        _fail(file, "生成超时，请缩小筛选范围后重试。")
    except (OSError, ConnectionError, DatabaseError, InterfaceError):
        # Transient (disk, database connection): put it back and let the task retry.
        GeneratedFile.objects.filter(pk=file.pk).update(status=Status.QUEUED)
        raise
    except Exception as error:  # any other failure is reported, never swallowed silently
        log.exception("ledger file %s failed", file.pk)
        _fail(file, f"生成失败：{type(error).__name__}：{error}"[:500])
    file.save()
    return file


# --------------------------------------------------------------------------
# 导出本季度报告: every approved report of the quarter under the committee
# --------------------------------------------------------------------------


def _committee_of(department):
    return department.parent or department


def approved_reports(department, year, quarter):
    committee = _committee_of(department)
    return (
        QuarterlyReport.objects.filter(
            organisation__path__startswith=committee.path,
            year=year,
            quarter=quarter,
            status=QuarterlyReport.Status.APPROVED,
        )
        .select_related("organisation")
        .order_by("organisation__path")
    )


def request_quarter_bundle(*, department, year, quarter, by):
    from .tasks import task_build_quarter_bundle

    if department.pk not in get_scope(by).roles or not get_scope(by).is_reviewer:
        raise ExportError("只有党委宣传部的审核人可以导出本季度报告。")
    stamps = list(
        approved_reports(department, year, quarter).values_list("pk", "round", "reviewed_at")
    )
    key = _key("bundle", department.pk, year, quarter, stamps)
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
    _enqueue(task_build_quarter_bundle, file)
    return file


def build_bundle(file_id):
    """Queue a render for every approved report not rendered yet; finish at once if none."""
    from .tasks import task_finish_quarter_bundle, task_render_report_docx

    bundle = _claim(file_id)
    if bundle is None:
        return None
    pending = []
    with transaction.atomic():
        for report in approved_reports(bundle.organisation, bundle.year, bundle.quarter):
            member, new = _report_file(report, bundle.requested_by, bundle=bundle)
            if new:
                pending.append(member.pk)
            elif member.status != Status.DONE:
                GeneratedFile.objects.filter(pk=member.pk).update(bundle=bundle)
                pending.append(member.pk)
        bundle.remaining = len(pending)
        bundle.save(update_fields=["remaining"])
    if not pending:
        task_finish_quarter_bundle.delay(file_id=bundle.pk)
    for pk in pending:
        task_render_report_docx.delay(file_id=pk)
    return bundle


def finish_bundle(file_id):
    """Write the ZIP: every approved report's DOCX, named by organisation, and the 汇总."""
    bundle = GeneratedFile.objects.select_related("organisation").filter(pk=file_id).first()
    if bundle is None or bundle.status == Status.DONE:
        return bundle
    reports = list(approved_reports(bundle.organisation, bundle.year, bundle.quarter))
    files = {}
    for f in GeneratedFile.objects.filter(
        kind=GeneratedFile.Kind.REPORT, report__in=reports, status=Status.DONE
    ).order_by("pk"):
        files[f.report_id] = f  # the newest rendering of each report's current version
    missing = [r.organisation.name for r in reports if r.pk not in files]
    with tempfile.TemporaryFile() as tmp:
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for report in reports:
                    member = files.get(report.pk)
                    if member is None:
                        continue
                    name = f"{report.organisation.name}.docx"
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
            _store(bundle, tmp)
            if missing:
                bundle.error = "以下报告未能生成，未包含在压缩包中：" + "、".join(missing)
        except Exception as error:
            log.exception("bundle %s failed", bundle.pk)
            _fail(bundle, f"生成失败：{type(error).__name__}：{error}"[:500])
        bundle.save()
    return bundle


def _para(text):
    return {"marker": "", "heading": "", "text": text}


def quarter_summary(department, year, quarter):
    """The 汇总 document: who reported, findings by category and risk, rectification."""
    from .dashboard import BUCKETS, branch_rows

    committee = _committee_of(department)
    visible = Q(path__startswith=committee.path)
    rows = branch_rows(visible, year, quarter)
    totals = rows.aggregate(
        should=Count("pk"),
        **{k: Count("pk", filter=Q(report_status__in=s)) for k, (_, s) in BUCKETS.items()},
    )
    period = f"{year}年{QUARTER_NAMES[quarter]}"
    branch_table = []
    measures = done = overdue = 0
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
        measures += org.measure_count
        done += org.done_count
        overdue += org.overdue_count
    cells = (
        Finding.objects.filter(
            organisation__in=Organisation.objects.filter(visible, must_report=True),
            year=year,
            quarter=quarter,
        )
        .values("category_id", "risk_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grid = {(c["category_id"], c["risk_level"]): c["n"] for c in cells}
    levels = [level for level, _ in Finding.RiskLevel.choices]
    category_table = []
    findings_total = 0
    for category in FindingCategory.objects.all():
        counts = [grid.get((category.pk, level), 0) for level in levels]
        if sum(counts):
            findings_total += sum(counts)
            category_table.append([category.name, *map(str, counts), str(sum(counts))])
    rate = f"{100 * done / measures:.1f}%" if measures else "—"
    intro = (
        f"根据意识形态工作责任制要求，现将{period}各党组织意识形态分析研判报告报送、"
        "问题查找和整改落实情况汇总如下："
    )
    rectification = (
        f"本季度共制定整改措施{measures}项，已完成{done}项，整改完成率{rate}；"
        f"目前逾期未完成的整改措施{overdue}项，请相关党组织抓紧落实。"
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
