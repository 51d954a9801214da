"""The numbers of 统计分析 and of the quarter's 汇总 document, computed in the
database (subqueries and aggregates): the same queries for 4 branches or 1,000.
One place for each figure, so the page and the document cannot disagree.

One period scopes every number: a report kind and its period (a quarter, a
half-year or a year) choose the reports counted (应报/已提交/…), and the
findings and measures counted are those raised in the period's quarters —
overdue means overdue among them, not any measure of the organisation. The
trends are the last eight quarters up to the chosen period's last quarter.
"""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ideology_review.lib.periods import Period
from meetings import models as records
from meetings.models import Finding, FindingCategory, Measure, Membership, Organisation, overdue_q

from .deadlines import due_dates, period_columns, periods_around
from .models import QuarterlyReport, ReportEvent

Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status
# 整改完成率 counts the done: 已完成, 待销号 (done by the owner, to be verified)
# and 已销号, as the reports' 整改落实 does; the 销号率 counts 已销号 alone.
DONE = Measure.DONE_STATUSES
CLOSED = Measure.Status.CLOSED
TREND_QUARTERS = 8
HIGH_RISK_SHOWN = 20

# Branch status buckets of the dashboard (domain.md §6.6).
BUCKETS = {
    "submitted": ("已提交", [Status.SUBMITTED, Status.APPROVED]),
    "pending": ("待审核", [Status.SUBMITTED]),
    "returned": ("退回", [Status.RETURNED]),
    "approved": ("已通过", [Status.APPROVED]),
    "missing": ("未提交", [Status.DRAFT, ""]),
}


def today():
    return records.today()  # looked up when called: tests set the date there


def current_period(kind=Kind.QUARTERLY):
    """The period whose reports of `kind` are being reported on now: the last
    one that has ended (the third quarter in November, last year in January)."""
    return periods_around(kind, today())[0]


def current_reporting_quarter():
    """The quarter whose reports are due now: the previous one, as (year, quarter)."""
    period = current_period()
    return period.year, period.quarter


def period_q(period, prefix=""):
    """The findings (or, with prefix "finding__", the measures) of the period's quarters."""
    quarters = [p.quarter for p in period.quarters()]
    q = Q(**{f"{prefix}year": period.year})
    if len(quarters) < 4:
        q &= Q(**{f"{prefix}quarter__in": quarters})
    return q


def _secretaries():
    return Membership.objects.filter(party_role=Membership.PartyRole.SECRETARY).order_by("pk")


def report_rows(visible, period, kind=Kind.QUARTERLY):
    """The organisations that must report (within `visible`, a Q on Organisation),
    each annotated with its report of `kind` for `period` (report_id, status).

    A 述职报告 is one per office-holder: an organisation's row is the report of
    its 书记 (the secretary's Membership), `duty_person` names them."""
    year, quarter, half = period_columns(period)
    report = QuarterlyReport.objects.filter(
        organisation=OuterRef("pk"), kind=kind, year=year, quarter=quarter, half=half
    )
    if kind == Kind.DUTY:
        secretary = _secretaries().filter(organisation=OuterRef("organisation_id"))
        report = report.filter(person_id=Subquery(secretary.values("person_id")[:1]))
    rows = Organisation.objects.filter(visible, must_report=True).annotate(
        report_id=Subquery(report.values("pk")[:1]),
        report_status=Coalesce(Subquery(report.values("status")[:1]), Value("")),
    )
    if kind == Kind.DUTY:
        secretary = _secretaries().filter(organisation=OuterRef("pk"))
        rows = rows.annotate(duty_person=Subquery(secretary.values("person__name")[:1]))
    return rows.order_by("path")


def branch_rows(visible, period, kind=Kind.QUARTERLY):
    """The organisations that must report (within `visible`, a Q on Organisation),
    each annotated with its report of `kind` for `period` (see `report_rows`)
    and the counts of the period's findings and measures, counted live."""
    findings = Finding.objects.filter(period_q(period), organisation=OuterRef("pk"))
    measures = Measure.objects.filter(
        period_q(period, "finding__"), finding__organisation=OuterRef("pk")
    )
    return report_rows(visible, period, kind).annotate(
        finding_count=_subcount(findings),
        measure_count=_subcount(measures),
        done_count=_subcount(measures.filter(status__in=DONE)),
        closed_count=_subcount(measures.filter(status=CLOSED)),
        overdue_count=_subcount(measures.filter(overdue_q())),
    )


def _subcount(queryset):
    return subtotal(queryset, Count("pk"))


def subtotal(queryset, aggregate):
    """`aggregate` over `queryset` (correlated by an OuterRef) as an annotation,
    0 when no row matches."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .annotate(_group=Value(1))
            .values("_group")
            .annotate(n=aggregate)
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def rate(part, whole):
    """A percentage with one decimal, None without a whole."""
    return round(100 * part / whole, 1) if whole else None


def branch_totals(rows):
    """应报/已提交/待审核/退回/已通过/未提交 and the rectification sums of `rows`,
    with 整改完成率 and 销号率."""
    totals = rows.aggregate(
        should=Count("pk"),
        **{key: Count("pk", filter=Q(report_status__in=s)) for key, (_, s) in BUCKETS.items()},
        findings=Coalesce(Sum("finding_count"), 0),
        measures=Coalesce(Sum("measure_count"), 0),
        done=Coalesce(Sum("done_count"), 0),
        closed=Coalesce(Sum("closed_count"), 0),
        overdue=Coalesce(Sum("overdue_count"), 0),
    )
    totals["rate"] = rate(totals["done"], totals["measures"])
    totals["closed_rate"] = rate(totals["closed"], totals["measures"])
    return totals


RISK_LEVELS = [level for level, _ in Finding.RiskLevel.choices]


def _reporting(visible):
    return Organisation.objects.filter(visible, must_report=True)


def category_matrix(visible, period):
    """问题类别 × 风险等级 of the period's findings of the organisations that must
    report: one row per category that has any, [(category, [(level, n)…], total)]."""
    counts = (
        Finding.objects.filter(period_q(period), organisation__in=_reporting(visible))
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


def high_risk(visible, period, limit=HIGH_RISK_SHOWN):
    """The period's 高 risk findings of the organisations that must report, with
    their 整改状态 (the first `limit`; the matrix's 高 column counts them all)."""
    order = ("organisation__path", "year", "quarter", "order", "pk")
    chosen = Finding.objects.filter(
        period_q(period),
        organisation__in=_reporting(visible),
        risk_level=Finding.RiskLevel.HIGH,
    )
    return with_progress_of_first(chosen, order, limit)


def with_progress_of_first(findings, order, limit):
    """The first `limit` findings in `order` (all with None), annotated with
    their 整改状态. With a limit they are chosen first and only they are
    annotated (two queries, instead of grouping every finding's measures)."""
    if limit is not None:
        findings = Finding.objects.filter(
            pk__in=list(findings.order_by(*order).values_list("pk", flat=True)[:limit])
        )
    return findings.with_progress().select_related("organisation", "category").order_by(*order)


def return_reasons(visible, period, kind=Kind.QUARTERLY):
    """退回原因 (审核要点 left unticked in a 退回修改) of the period's reports of
    `kind`, most frequent first, and the number of returns: two queries."""
    year, quarter, half = period_columns(period)
    returns = ReportEvent.objects.filter(
        action=QuarterlyReport.Action.RETURN,
        report__organisation__in=_reporting(visible),
        report__kind=kind,
        report__year=year,
        report__quarter=quarter,
        report__half=half,
    )
    reasons = (
        ReportEvent.unmet_points.through.objects.filter(reportevent__in=returns)
        .values("reviewpoint__return_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reviewpoint__order")
    )
    return {
        "returns": returns.count(),
        "reasons": [(row["reviewpoint__return_reason"], row["n"]) for row in reasons],
    }


# ---------------------------------------------------------------------------
# Trends: the last eight quarters
# ---------------------------------------------------------------------------


def trend_quarters(period, n=TREND_QUARTERS):
    """The n quarters up to the period's last quarter, oldest first."""
    quarter = period.quarters()[-1]
    out = [quarter]
    while len(out) < n:
        out.append(out[-1].previous())
    return out[::-1]


def quarters_q(quarters, prefix=""):
    by_year = {}
    for p in quarters:
        by_year.setdefault(p.year, []).append(p.quarter)
    q = Q()
    for year, numbers in by_year.items():
        q |= Q(**{f"{prefix}year": year, f"{prefix}quarter__in": numbers})
    return q


def _cutoff(due):
    """The first moment after the due date (local time): on time is before it."""
    return timezone.make_aware(
        datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time())
    )


def trends(visible, period, reviewing=None, *, should=None):
    """The last eight quarters of the organisations that must report:
    quarterly reports on time, findings by category, 整改完成率 and 销号率.

    On time: a quarterly report handed in (待审核 or 已通过) whose submitted_at
    is on or before its 报送截止日期, the date `reviewing` (the 审核单位, or None
    for the defaults) sets. 应报 is today's list of organisations that must
    report (`should`, when the caller has counted it). At most five queries
    (deadlines, reports, findings, their categories, measures) and one for
    `should` if it is not given, whatever the number of rows."""
    quarters = trend_quarters(period)
    reporting = _reporting(visible)
    on_time = on_time_trend(reporting, quarters, reviewing, should=should)

    counts = {}
    for row in (
        Finding.objects.filter(quarters_q(quarters), organisation__in=reporting)
        .values("year", "quarter", "category_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(Period(row["year"], row["quarter"]), row["category_id"])] = row["n"]
    category_ids = {pk for _, pk in counts}
    categories = [
        {"category": c, "counts": [counts.get((p, c.pk), 0) for p in quarters]}
        for c in FindingCategory.objects.filter(pk__in=category_ids)
    ]
    for row in categories:
        row["total"] = sum(row["counts"])

    measures = {
        (row["finding__year"], row["finding__quarter"]): row
        for row in Measure.objects.filter(
            quarters_q(quarters, "finding__"), finding__organisation__in=reporting
        )
        .values("finding__year", "finding__quarter")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE)),
            closed=Count("pk", filter=Q(status=CLOSED)),
        )
        .order_by()
    }
    rectification = []
    for p in quarters:
        row = measures.get((p.year, p.quarter), {"n": 0, "done": 0, "closed": 0})
        rectification.append(
            {
                "period": p,
                "measures": row["n"],
                "done": row["done"],
                "rate": rate(row["done"], row["n"]),
                "closed": row["closed"],
                "closed_rate": rate(row["closed"], row["n"]),
            }
        )
    return {
        "quarters": quarters,
        "on_time": on_time,
        "categories": categories,
        "rectification": rectification,
    }


def on_time_trend(reporting, quarters, reviewing=None, *, should=None):
    """Per quarter: 应报, the quarterly reports handed in and those on time
    (two queries; one when `should` is given). See `trends`."""
    if should is None:
        should = reporting.count()
    dues = due_dates(reviewing, [(Kind.QUARTERLY, p) for p in quarters])
    handed_in = Q(status__in=[Status.SUBMITTED, Status.APPROVED])
    aggregates = {}
    for i, p in enumerate(quarters):
        this = Q(year=p.year, quarter=p.quarter) & handed_in
        aggregates[f"in{i}"] = Count("pk", filter=this)
        cutoff = _cutoff(dues[(Kind.QUARTERLY, p)])
        aggregates[f"ok{i}"] = Count("pk", filter=this & Q(submitted_at__lt=cutoff))
    reports = QuarterlyReport.objects.filter(
        quarters_q(quarters), kind=Kind.QUARTERLY, organisation__in=reporting
    ).aggregate(**aggregates)
    return [
        {
            "period": p,
            "due": dues[(Kind.QUARTERLY, p)],
            "should": should,
            "handed_in": reports[f"in{i}"],
            "on_time": reports[f"ok{i}"],
            "rate": rate(reports[f"ok{i}"], should),
        }
        for i, p in enumerate(quarters)
    ]
