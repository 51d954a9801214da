"""The numbers of 统计分析 and of the quarter's 汇总 document, computed in the
database (subqueries and aggregates): the same queries for 4 branches or 1,000.
One place for each figure, so the page and the document cannot disagree."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from meetings.models import Finding, FindingCategory, Measure, Organisation, today

from .models import QuarterlyReport

Status = QuarterlyReport.Status
DONE = (Measure.Status.DONE, Measure.Status.CLOSED)

# Branch status buckets of the dashboard (domain.md §6.6).
BUCKETS = {
    "submitted": ("已提交", [Status.SUBMITTED, Status.APPROVED]),
    "pending": ("待审核", [Status.SUBMITTED]),
    "returned": ("退回", [Status.RETURNED]),
    "approved": ("已通过", [Status.APPROVED]),
    "missing": ("未提交", [Status.DRAFT, ""]),
}


def current_reporting_quarter():
    """The quarter whose reports are due now: the previous one."""
    now = today()
    quarter = (now.month - 1) // 3 + 1
    return (now.year - 1, 4) if quarter == 1 else (now.year, quarter - 1)


def branch_rows(visible, year, quarter):
    """The organisations that must report (within `visible`, a Q on Organisation),
    each annotated with its report status and counts for the quarter."""
    report = QuarterlyReport.objects.filter(organisation=OuterRef("pk"), year=year, quarter=quarter)
    findings = Finding.objects.filter(organisation=OuterRef("pk"), year=year, quarter=quarter)
    quarter_measures = Measure.objects.filter(
        finding__organisation=OuterRef("pk"), finding__year=year, finding__quarter=quarter
    )
    return (
        Organisation.objects.filter(visible, must_report=True)
        .annotate(
            report_id=Subquery(report.values("pk")[:1]),
            report_status=Coalesce(Subquery(report.values("status")[:1]), Value("")),
            finding_count=_subcount(findings),
            measure_count=_subcount(quarter_measures),
            done_count=_subcount(quarter_measures.filter(status__in=DONE)),
            overdue_count=_subcount(
                Measure.objects.overdue().filter(finding__organisation=OuterRef("pk"))
            ),
        )
        .order_by("path")
    )


def _subcount(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by()
            .annotate(_group=Value(1))
            .values("_group")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def branch_totals(rows):
    """应报/已提交/待审核/退回/已通过/未提交 and the rectification sums of `rows`."""
    return rows.aggregate(
        should=Count("pk"),
        **{key: Count("pk", filter=Q(report_status__in=s)) for key, (_, s) in BUCKETS.items()},
        findings=Coalesce(Sum("finding_count"), 0),
        measures=Coalesce(Sum("measure_count"), 0),
        done=Coalesce(Sum("done_count"), 0),
        overdue=Coalesce(Sum("overdue_count"), 0),
    )


RISK_LEVELS = [level for level, _ in Finding.RiskLevel.choices]


def category_matrix(visible, year, quarter):
    """问题类别 × 风险等级 of the quarter's findings of the organisations that must
    report: one row per category that has any, [(category, [(level, n)…], total)]."""
    counts = (
        Finding.objects.filter(
            organisation__in=Organisation.objects.filter(visible, must_report=True),
            year=year,
            quarter=quarter,
        )
        .values("category_id", "risk_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells = {(c["category_id"], c["risk_level"]): c["n"] for c in counts}
    return [
        {
            "category": category,
            "cells": [(level, cells.get((category.pk, level), 0)) for level in RISK_LEVELS],
            "total": sum(cells.get((category.pk, level), 0) for level in RISK_LEVELS),
        }
        for category in FindingCategory.objects.all()
        if any((category.pk, level) in cells for level in RISK_LEVELS)
    ]
