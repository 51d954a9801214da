"""报告审核 statistics for a committee's propaganda department.

Every number is computed in the database (subqueries and aggregates), so the
page runs the same queries for 4 branches or 1,000.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ideology_review.lib.http import parse_int
from ideology_review.lib.periods import QUARTER_NAMES
from meetings.access import get_scope
from meetings.models import Finding, FindingCategory, Measure, Organisation, today

from .models import GeneratedFile, QuarterlyReport

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


@login_required
@require_safe
def dashboard(request):
    scope = get_scope(request.user)
    if not (scope.is_reviewer or scope.everything):
        raise PermissionDenied("只有党委宣传部的审核人可以查看统计分析。")
    year, quarter = current_reporting_quarter()
    year = parse_int(request.GET.get("year"), low=2000, high=2100) or year
    quarter = parse_int(request.GET.get("quarter"), low=1, high=4) or quarter

    rows = branch_rows(scope.visible_q(""), year, quarter)
    summary = rows.aggregate(
        should=Count("pk"),
        **{
            key: Count("pk", filter=Q(report_status__in=statuses))
            for key, (_, statuses) in BUCKETS.items()
        },
        findings=Coalesce(Sum("finding_count"), 0),
        measures=Coalesce(Sum("measure_count"), 0),
        done=Coalesce(Sum("done_count"), 0),
        overdue=Coalesce(Sum("overdue_count"), 0),
    )
    summary["rate"] = (
        round(100 * summary["done"] / summary["measures"], 1) if summary["measures"] else None
    )
    bucket = request.GET.get("branch_status", "")
    if bucket in BUCKETS:
        rows = rows.filter(report_status__in=BUCKETS[bucket][1])

    matrix = (
        Finding.objects.filter(
            organisation__in=Organisation.objects.filter(scope.visible_q(""), must_report=True),
            year=year,
            quarter=quarter,
        )
        .values("category_id", "risk_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cells = {(c["category_id"], c["risk_level"]): c["n"] for c in matrix}
    levels = [level for level, _ in Finding.RiskLevel.choices]
    categories = [
        {
            "category": category,
            "cells": [(level, cells.get((category.pk, level), 0)) for level in levels],
            "total": sum(cells.get((category.pk, level), 0) for level in levels),
        }
        for category in FindingCategory.objects.all()
        if any((category.pk, level) in cells for level in levels)
    ]
    bundles = GeneratedFile.objects.filter(
        kind=GeneratedFile.Kind.BUNDLE,
        organisation_id__in=list(scope.roles),
        year=year,
        quarter=quarter,
    ).select_related("requested_by__person")[:3]
    return render(
        request,
        "reports/dashboard.html",
        {
            "bundles": bundles,
            "query": f"year={year}&quarter={quarter}&branch_status={bucket}",
            "year": year,
            "quarter": quarter,
            "quarter_name": QUARTER_NAMES[quarter],
            "summary": summary,
            "buckets": [(key, label) for key, (label, _) in BUCKETS.items()],
            "bucket": bucket,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "levels": levels,
            "categories": categories,
            "years": range(today().year, today().year - 4, -1),
        },
    )
