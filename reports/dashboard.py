"""统计分析: the page of a reviewer (a 宣传部 or a committee) over the organisations that
report to them, for one report kind and period; the numbers are reports.statistics."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ideology_review import audit
from ideology_review.lib.http import parse_int
from ideology_review.lib.periods import HALF_NAMES, QUARTER_NAMES, HalfYear, Period, Year, cn_date
from meetings.access import get_scope
from meetings.exports import sheets_xlsx
from meetings.models import Finding, today

from . import figures as precomputed
from . import pagecache, statistics
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


def ledger_links(reviewing_names, query):
    """The 问题台账 / 整改台账 addresses with the period's filter (and 审核范围
    for a reviewer), to which the page adds a cell's own filters."""
    reviewed = "reviewed=1&" if reviewing_names else ""
    return {
        "findings_at": f"{reverse('meetings:finding_ledger')}?{reviewed}{query}",
        "measures_at": f"{reverse('meetings:measure_ledger')}?{reviewed}{query}",
    }


def ledger_params(period):
    """The ledgers' filter for the period's records (问题台账 / 整改台账)."""
    if isinstance(period, Period):
        return f"year={period.year}&quarter={period.quarter}"
    if isinstance(period, HalfYear):
        return f"year={period.year}&half={period.half}"
    return f"year={period.year}"


def figures(scope, kind, period, bucket="", *, high_risk_limit=statistics.HIGH_RISK_SHOWN):
    """Every number of the page (and of its XLSX) for the kind and period."""
    reviewed = scope.reviewed_q()
    # The 报送截止日期 are the 审核单位's own; a user reviewing for several (or
    # an administrator) sees the defaults.
    reviewing = list(scope.reviewing.values())
    reviewing = reviewing[0] if len(reviewing) == 1 else None
    # The counts of findings and measures come precomputed (reports.figures);
    # what depends on the reports (status, on time) and the lists are live.
    units = None if scope.everything else list(scope.reviewing)
    data = precomputed.statistics_page(units, reviewed, period, kind, reviewing)
    rows = data["rows"]
    if bucket in statistics.BUCKETS:
        rows = rows.filter(report_status__in=statistics.BUCKETS[bucket][1])
    categories = data["categories"]
    high = statistics.RISK_LEVELS.index(Finding.RiskLevel.HIGH)
    return {
        "summary": data["summary"],
        "rows": rows,
        "categories": categories,
        "trends": data["trends"],
        "deadlines_of": reviewing,
        "high_risk": statistics.high_risk(reviewed, period, limit=high_risk_limit),
        "returns": statistics.return_reasons(reviewed, period, kind),
        "high_count": sum(row["cells"][high][1] for row in categories),
    }


def _scope(request):
    scope = get_scope(request.user)
    if not scope.sees_statistics:
        raise PermissionDenied("只有党委宣传部或上级党委的审核人可以查看统计分析。")
    return scope


@login_required
@require_safe
def dashboard(request):
    scope = _scope(request)
    kind, period, current = chosen_period(request.GET)
    bucket = request.GET.get("branch_status", "")
    bucket = bucket if bucket in statistics.BUCKETS else ""
    number = parse_int(request.GET.get("page"), low=1, high=1000) or 1  # keys stay few
    is_quarter = isinstance(period, Period)
    # Every number of the page is one cached pair of fragments (a new version
    # of the records, or a new day, is a new key: reports.pagecache).
    sections = pagecache.fragment(
        "statistics",
        (*pagecache.scope_key(scope), period_params(kind, period), bucket, number),
        lambda: _sections(scope, kind, period, current, bucket, number),
    )
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
    return render(
        request,
        "reports/dashboard.html",
        {
            "sections": {name: mark_safe(html) for name, html in sections.items()},
            "bundles": bundles,
            # 导出本季度报告 bundles quarterly reports: the 宣传部, on a quarter.
            "can_export": bool(scope.review_departments) and kind == Kind.QUARTERLY,
            "period": period,
            "year": period.year,
            "quarter": getattr(period, "quarter", None) if is_quarter else None,
        },
    )


def _sections(scope, kind, period, current, bucket, number):
    """The page's numbers rendered: {"top": the filter and the totals, "bottom":
    the tables and the trends' data} (around the request's own export list)."""
    data = figures(scope, kind, period, bucket)
    is_quarter = isinstance(period, Period)
    this_year = today().year
    trends = data["trends"]
    chart = {
        "labels": [[str(p.year) + "年", p.name] for p in trends["quarters"]],
        "onTime": {
            key: [row[key] for row in trends["on_time"]] for key in ("handed_in", "on_time", "rate")
        },
        "categories": [
            {"name": row["category"].name, "counts": row["counts"]} for row in trends["categories"]
        ],
        "rectification": {
            key: [row[key] for row in trends["rectification"]] for key in ("rate", "closed_rate")
        },
    }
    own = period_params(kind, period)
    reviewing = review_notice(scope)
    context = {
        **data,
        "reviewing": reviewing,
        "query": f"{own}&branch_status={bucket}",
        "period_query": own,
        "ledger_query": ledger_params(period),
        # the ledgers' links, built once (not a {% url %} per cell and row)
        **ledger_links(reviewing["names"], ledger_params(period)),
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
        "page": Paginator(data["rows"], 50).get_page(number),
        "levels": statistics.RISK_LEVELS,
        "is_duty": kind == Kind.DUTY,
        "chart": chart,
        "trend_columns": TREND_COLUMNS,
        "years": sorted({*range(this_year, this_year - 4, -1), period.year}, reverse=True),
    }
    return {
        part: str(render_to_string(f"reports/includes/statistics_{part}.html", context))
        for part in ("top", "bottom")
    }


# ---------------------------------------------------------------------------
# 导出统计表: every table of the page in one XLSX. Built in the request: the
# tables are the page's aggregates (a row per organisation at most, a few
# queries), well under a second for 1,000 branches, so there is nothing for a
# worker to take over; the ledgers' rows-by-the-thousand exports go through
# Celery instead.
# ---------------------------------------------------------------------------

STATUS_LABELS = {
    "": "未提交",
    QuarterlyReport.Status.DRAFT: "草稿（未提交）",
    **{value: str(label) for value, label in QuarterlyReport.Status.choices if value != "draft"},
}


TREND_COLUMNS = {
    "on_time": ["季度", "报送截止日期", "应报", "已报送", "按时报送", "按时报送率（%）"],
    "rectification": ["季度", "整改措施", "已完成", "整改完成率（%）", "已销号", "销号率（%）"],
}


def _percent(value):
    return "—" if value is None else value


def tables(kind, period, data):
    """The page's tables as (sheet, columns, rows), the numbers as on the page."""
    summary, levels = data["summary"], statistics.RISK_LEVELS
    is_duty = kind == Kind.DUTY
    overview = [
        ("统计期间", period.label),
        ("报告类型", str(Kind(kind).label)),
        ("应报", summary["should"]),
        *[(label, summary[key]) for key, (label, _) in statistics.BUCKETS.items()],
        ("逾期整改措施", summary["overdue"]),
        ("问题", summary["findings"]),
        ("整改措施", summary["measures"]),
        ("已完成", summary["done"]),
        ("整改完成率（%）", _percent(summary["rate"])),
        ("已销号", summary["closed"]),
        ("销号率（%）", _percent(summary["closed_rate"])),
        ("高风险问题", data["high_count"]),
    ]
    matrix = [
        (row["category"].name, *(n for _, n in row["cells"]), row["total"])
        for row in data["categories"]
    ]
    high = [
        (
            f.organisation.name,
            f"{f.year}年{f.get_quarter_display()}",
            f.category.name,
            f.title,
            f.measure_count,
            "未制定措施" if f.progress == Finding.Progress.NO_MEASURE else f.progress,
        )
        for f in data["high_risk"]
    ]
    branches = [
        (
            org.name,
            *([org.duty_person or "未设书记"] if is_duty else []),
            STATUS_LABELS.get(org.report_status, org.report_status),
            org.finding_count,
            org.measure_count,
            org.done_count,
            org.overdue_count,
        )
        for org in data["rows"]
    ]
    trends = data["trends"]
    quarter_labels = [p.label for p in trends["quarters"]]
    on_time = [
        (
            row["period"].label,
            cn_date(row["due"]),
            row["should"],
            row["handed_in"],
            row["on_time"],
            _percent(row["rate"]),
        )
        for row in trends["on_time"]
    ]
    by_category = [
        (row["category"].name, *row["counts"], row["total"]) for row in trends["categories"]
    ]
    rectification = [
        (
            row["period"].label,
            row["measures"],
            row["done"],
            _percent(row["rate"]),
            row["closed"],
            _percent(row["closed_rate"]),
        )
        for row in trends["rectification"]
    ]
    return [
        ("概况", ["项目", "数值"], overview),
        ("问题类别×风险等级", ["问题类别", *levels, "合计"], matrix),
        ("高风险问题", ["党组织", "季度", "问题类别", "问题概述", "整改措施", "整改状态"], high),
        (
            "退回原因",
            ["退回原因", "次数"],
            [*data["returns"]["reasons"], ("退回修改（次）", data["returns"]["returns"])],
        ),
        (
            "各党组织报送情况",
            [
                "党组织",
                *(["述职人（书记）"] if is_duty else []),
                "报告状态",
                "问题数",
                "整改措施",
                "已完成",
                "逾期措施",
            ],
            branches,
        ),
        ("按时报送趋势", TREND_COLUMNS["on_time"], on_time),
        ("问题类别趋势", ["问题类别", *quarter_labels, "合计"], by_category),
        ("整改与销号趋势", TREND_COLUMNS["rectification"], rectification),
    ]


@login_required
@require_safe
def dashboard_xlsx(request):
    scope = _scope(request)
    kind, period, _ = chosen_period(request.GET)
    bucket = request.GET.get("branch_status", "")
    data = figures(scope, kind, period, bucket, high_risk_limit=None)
    label = str(Kind(kind).label)
    audit.record(
        request.user, event="导出统计表", actor=request.user, 报告类型=label, 期间=period.label
    )
    response = HttpResponse(
        sheets_xlsx(tables(kind, period, data)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"统计分析{period.label}{label}.xlsx"
    )
    return response
