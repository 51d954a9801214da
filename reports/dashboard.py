"""统计分析: the page of a reviewer (a 宣传部 or a committee) over the organisations that
report to them, for one report kind and period; the numbers are reports.statistics."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ideology_review.lib.http import parse_int
from ideology_review.lib.periods import HALF_NAMES, QUARTER_NAMES, HalfYear, Period, Year
from meetings.access import get_scope
from meetings.models import today

from . import statistics
from .models import GeneratedFile, QuarterlyReport

Kind = QuarterlyReport.Kind


def review_notice(scope):
    """What the reviewer reviews for, told on the reviewer-facing pages (a
    committee's reviewer is not the 宣传部: its own report goes up)."""
    return {
        "names": [org.name for org in scope.reviewing.values()],
        "short_names": [org.display_short_name for org in scope.reviewing.values()],
        "committees": [org.display_short_name for org in scope.review_committees],
    }


def chosen_period(params):
    """(kind, period, current) from the query: the report kind (季度分析研判报告
    unless another is named), its period and the one being reported on now (the
    default). Switching kinds keeps what fits: a quarter becomes its half-year,
    a half-year its last quarter."""
    kind = params.get("kind")
    kind = kind if kind in Kind.values else Kind.QUARTERLY
    current = statistics.current_period(kind)
    year = parse_int(params.get("year"), low=2000, high=2100) or current.year
    quarter = parse_int(params.get("quarter"), low=1, high=4)
    half = parse_int(params.get("half"), low=1, high=2)
    period_type = QuarterlyReport.PERIOD_OF_KIND[kind]
    if period_type == "quarter":
        default = current.quarter if year == current.year else 4
        period = Period(year, quarter or (2 * half if half else default))
    elif period_type == "half":
        default = current.half if year == current.year else 2
        period = HalfYear(year, half or ((quarter + 1) // 2 if quarter else default))
    else:
        period = Year(year)
    return kind, period, current


def period_params(kind, period):
    """The query naming the kind and period (the page's own links)."""
    query = f"kind={kind}&year={period.year}"
    if isinstance(period, Period):
        query += f"&quarter={period.quarter}"
    elif isinstance(period, HalfYear):
        query += f"&half={period.half}"
    return query


def ledger_params(period):
    """The ledgers' filter for the period's records (问题台账 / 整改台账)."""
    if isinstance(period, Period):
        return f"year={period.year}&quarter={period.quarter}"
    if isinstance(period, HalfYear):
        return f"year={period.year}&half={period.half}"
    return f"year={period.year}"


def figures(scope, kind, period, bucket=""):
    """Every number of the page (and of its XLSX) for the kind and period."""
    reviewed = scope.reviewed_q()
    rows = statistics.branch_rows(reviewed, period, kind)
    summary = statistics.branch_totals(rows)
    if bucket in statistics.BUCKETS:
        rows = rows.filter(report_status__in=statistics.BUCKETS[bucket][1])
    return {
        "summary": summary,
        "rows": rows,
        "categories": statistics.category_matrix(reviewed, period),
    }


@login_required
@require_safe
def dashboard(request):
    scope = get_scope(request.user)
    if not scope.sees_statistics:
        raise PermissionDenied("只有党委宣传部或上级党委的审核人可以查看统计分析。")
    kind, period, current = chosen_period(request.GET)
    bucket = request.GET.get("branch_status", "")
    data = figures(scope, kind, period, bucket)
    is_quarter = isinstance(period, Period)
    bundles = (
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.BUNDLE,
            organisation_id__in=list(scope.roles),
            year=period.year,
            quarter=period.quarter,
        ).select_related("requested_by__person")[:3]
        if is_quarter and scope.review_departments
        else []
    )
    this_year = today().year
    own = period_params(kind, period)
    return render(
        request,
        "reports/dashboard.html",
        {
            **data,
            "bundles": bundles,
            "reviewing": review_notice(scope),
            # 导出本季度报告 bundles quarterly reports: the 宣传部, on a quarter.
            "can_export": bool(scope.review_departments) and kind == Kind.QUARTERLY,
            "query": f"{own}&branch_status={bucket}",
            "period_query": own,
            "ledger_query": ledger_params(period),
            "kind": kind,
            "kind_label": Kind(kind).label,
            "kinds": Kind.choices,
            "period_type": QuarterlyReport.PERIOD_OF_KIND[kind],
            "period": period,
            "current": current,
            "is_current": period == current,
            "year": period.year,
            "quarter": getattr(period, "quarter", None) if is_quarter else None,
            "half": getattr(period, "half", None),
            "quarter_names": QUARTER_NAMES.items(),
            "half_names": HALF_NAMES.items(),
            "buckets": [(key, label) for key, (label, _) in statistics.BUCKETS.items()],
            "bucket": bucket,
            "page": Paginator(data["rows"], 50).get_page(request.GET.get("page")),
            "levels": statistics.RISK_LEVELS,
            "is_duty": kind == Kind.DUTY,
            "years": sorted({*range(this_year, this_year - 4, -1), period.year}, reverse=True),
        },
    )
