"""统计分析: the page of a reviewer (a 宣传部 or a committee) over the organisations that
report to them; the numbers are reports.statistics."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ideology_review.lib.http import parse_int
from ideology_review.lib.periods import QUARTER_NAMES, Period
from meetings.access import get_scope
from meetings.models import today

from . import statistics
from .models import GeneratedFile


def review_notice(scope):
    """What the reviewer reviews for, told on the reviewer-facing pages (a
    committee's reviewer is not the 宣传部: its own report goes up)."""
    return {
        "names": [org.name for org in scope.reviewing.values()],
        "short_names": [org.display_short_name for org in scope.reviewing.values()],
        "committees": [org.display_short_name for org in scope.review_committees],
    }


@login_required
@require_safe
def dashboard(request):
    scope = get_scope(request.user)
    if not scope.sees_statistics:
        raise PermissionDenied("只有党委宣传部或上级党委的审核人可以查看统计分析。")
    year, quarter = statistics.current_reporting_quarter()
    year = parse_int(request.GET.get("year"), low=2000, high=2100) or year
    quarter = parse_int(request.GET.get("quarter"), low=1, high=4) or quarter

    # The organisations that report to this user (a committee: its branches).
    reviewed = scope.reviewed_q()
    period = Period(year, quarter)
    rows = statistics.branch_rows(reviewed, period)
    summary = statistics.branch_totals(rows)
    bucket = request.GET.get("branch_status", "")
    if bucket in statistics.BUCKETS:
        rows = rows.filter(report_status__in=statistics.BUCKETS[bucket][1])
    categories = statistics.category_matrix(reviewed, period)
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
            "reviewing": review_notice(scope),
            "can_export": bool(scope.review_departments),
            "query": f"year={year}&quarter={quarter}&branch_status={bucket}",
            "year": year,
            "quarter": quarter,
            "quarter_name": QUARTER_NAMES[quarter],
            "summary": summary,
            "buckets": [(key, label) for key, (label, _) in statistics.BUCKETS.items()],
            "bucket": bucket,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "levels": statistics.RISK_LEVELS,
            "categories": categories,
            "years": range(today().year, today().year - 4, -1),
        },
    )
