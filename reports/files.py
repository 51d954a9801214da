"""Generated files: what a report's DOCX shows (its frozen content), the record of
it, and the fingerprint that makes rendering the same content twice impossible.
Shared by the web side (reports.exports) and the worker side (reports.rendering)."""

import hashlib
import json

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from ideology_review.lib.periods import cn_date
from meetings.access import organisations_reviewed_by
from meetings.models import Organisation

from .content import build_report_data
from .docx import Layout
from .models import DocumentFormat, GeneratedFile, QuarterlyReport, ReportSubmission

Status = GeneratedFile.Status


def listed(files):
    """`files` as the status block (reports/includes/file_status.html) lists them:
    the columns it shows and the requester's name, in one query; not the rendered
    content nor the requester's whole user row, which cost a page of five files
    more to build and compile than to run."""
    return files.select_related("requested_by__person").only(
        "status",
        "error",
        "filename",
        "version_label",
        "created_at",
        "size",
        "requested_by__person__name",
    )


def layout_for(organisation):
    try:
        return organisation.document_format.layout()
    except DocumentFormat.DoesNotExist:
        return Layout()


def content_key(*parts):
    raw = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def layout_dict(layout):
    return layout.__dict__.copy()


def frozen_content(report, latest=None):
    """What a DOCX of this report shows: the submitted content once it is
    submitted or approved, the working copy while it is a draft. `latest`:
    report id -> its latest submission, loaded for many reports at once
    (latest_submissions); without it, one query."""
    if report.status in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.APPROVED):
        if latest is None:
            submission = report.submissions.order_by("-round").first()
        else:
            submission = latest.get(report.pk)
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


def report_filename(report):
    org = report.organisation.short_name or report.organisation.name
    Kind = QuarterlyReport.Kind
    if report.kind in (Kind.QUARTERLY, Kind.HALF_YEAR):
        return f"{org}{report.period_label}分析研判报告.docx"
    if report.kind == Kind.ANNUAL:
        return f"{org}{report.period_label}意识形态工作总结.docx"
    if report.kind == Kind.DUTY:
        person = f"（{report.person.name}）" if report.person_id else ""
        return f"{org}{report.period_label}述职报告{person}.docx"
    return f"{org}{report.period_label}网络意识形态工作情况报告.docx"


def report_file(report, by, *, bundle=None):
    """The file record for the report's current version; an existing one if the
    same content was rendered (or is being rendered) already. Returns (file, new)."""
    content, submission, label = frozen_content(report)
    layout = layout_for(report.organisation)
    key = content_key(content, layout_dict(layout))
    existing = (
        GeneratedFile.objects.filter(kind=GeneratedFile.Kind.REPORT, report=report, content_key=key)
        .exclude(status=Status.FAILED)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    file = _report_file_record(report, by, content, submission, label, layout, key, bundle)
    file.save()
    return file, True


def _report_file_record(report, by, content, submission, label, layout, key, bundle):
    """The unsaved record of a report's file."""
    return GeneratedFile(
        kind=GeneratedFile.Kind.REPORT,
        organisation=report.organisation,
        report=report,
        submission=submission,
        version_label=label,
        year=report.year,
        quarter=report.quarter,
        content={"data": content, "layout": layout_dict(layout)},
        content_key=key,
        filename=report_filename(report),
        requested_by=by,
        bundle=bundle,
    )


def latest_submissions(report_ids):
    """report id -> its latest submission (the highest round), in one query."""
    newest = ReportSubmission.objects.filter(report=OuterRef("report")).order_by("-round")
    return {
        s.report_id: s
        for s in ReportSubmission.objects.filter(
            report_id__in=report_ids, round=Subquery(newest.values("round")[:1])
        )
    }


BATCH = 100  # reports whose records are made at once: memory and query size stay bounded


def bundle_files(report_ids, by, *, bundle):
    """report_file for each of the reports, the bundle's members: five queries
    for every BATCH reports instead of four for each. Returns the ids of the
    files still to be rendered: the new records, and the existing ones not done
    yet (now the bundle's too); a done file of the same content is reused."""
    pending = []
    for start in range(0, len(report_ids), BATCH):
        ids = report_ids[start : start + BATCH]
        reports = (
            QuarterlyReport.objects.filter(pk__in=ids)
            .select_related("organisation__document_format")
            .order_by("organisation__path")
        )
        latest = latest_submissions(ids)
        existing = {}
        for pk, report_id, key, status in (
            GeneratedFile.objects.filter(kind=GeneratedFile.Kind.REPORT, report_id__in=ids)
            .exclude(status=Status.FAILED)
            .order_by("pk")
            .values_list("pk", "report_id", "content_key", "status")
        ):
            existing[report_id, key] = (pk, status)  # the newest wins, as in report_file
        new, adopted = [], []
        for report in reports:
            content, submission, label = frozen_content(report, latest)
            layout = layout_for(report.organisation)
            key = content_key(content, layout_dict(layout))
            found = existing.get((report.pk, key))
            if found is None:
                new.append(
                    _report_file_record(report, by, content, submission, label, layout, key, bundle)
                )
            elif found[1] != Status.DONE:
                adopted.append(found[0])
        GeneratedFile.objects.filter(pk__in=adopted).update(bundle=bundle)
        pending += adopted
        pending += [f.pk for f in GeneratedFile.objects.bulk_create(new)]
    return pending


def committee_of(department):
    return department.parent or department


def reported_to(department):
    """The organisations whose reports go to the department (a Q on Organisation):
    what its 导出本季度报告 holds and its 汇总 counts, as on its 统计分析 page —
    a village branch reviewed by its 镇党委 is in the 镇党委's report instead."""
    return Q(pk__in=organisations_reviewed_by([department]))


def approved_reports(department, year, quarter):
    return (
        QuarterlyReport.objects.filter(
            organisation__in=Organisation.objects.filter(reported_to(department)),
            year=year,
            quarter=quarter,
            status=QuarterlyReport.Status.APPROVED,
        )
        .select_related("organisation")
        .order_by("organisation__path")
    )
