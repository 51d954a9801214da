"""审核工作台 (issue 13 item 1): the reviewer's home page — what waits for review
(oldest first, with the days it has waited), what was returned and not yet
resubmitted, who has not submitted what is due (with the date and the days
overdue), and the open high-risk problems of the organisations reviewed.

The same queries for 4 branches or 1,000: each list is a slice, each count one
aggregate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from ideology_review.lib.http import parse_int
from ideology_review.lib.periods import period_of
from meetings.access import NotPermitted, get_scope
from meetings.models import Finding, Organisation, today

from . import deadlines, notifications, pagecache, statistics
from . import figures as precomputed
from .dashboard import review_notice
from .models import QuarterlyReport

Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status
LIST_SIZE = 20
HANDED_IN = QuarterlyReport.HANDED_IN


def waiting_days(reports, stamp, now, *, status=None):
    """Stamp each report with the days since `stamp` (submitted_at, reviewed_at);
    None without one, or where `status` is given and the report is not in it."""
    for report in reports:
        moment = getattr(report, stamp)
        if status is not None and report.status != status:
            moment = None
        report.waiting_days = (now - timezone.localdate(moment)).days if moment else None
    return reports


def due_now(reviewing, now):
    """The (kind, period, due date) being reported on now: for each kind, the
    period that ended last, once its date is within 30 days or has passed
    (within deadlines.OVERDUE_DAYS)."""
    wanted = [(kind, deadlines.periods_around(kind, now)[0]) for kind in Kind]
    dates = deadlines.due_dates(reviewing, wanted)
    out = []
    for (kind, period), due in dates.items():
        days = (due - now).days
        if days <= deadlines.WINDOW_DAYS and -days <= deadlines.OVERDUE_DAYS:
            out.append((kind, period, due))
    return out


def missing(reviewed_q, kind, period):
    """The organisations that must report and have not handed in `kind` for
    `period` (a 述职报告: none of their office-holders has)."""
    year, quarter, half = deadlines.period_columns(period)
    handed_in = QuarterlyReport.objects.filter(
        kind=kind, year=year, quarter=quarter, half=half, status__in=HANDED_IN
    )
    return Organisation.objects.filter(reviewed_q, must_report=True).exclude(
        pk__in=handed_in.values("organisation_id")
    )


@login_required
@require_safe
def workbench(request):
    scope = get_scope(request.user)
    if not scope.is_reviewer:
        raise NotPermitted("只有党委宣传部或上级党委的审核人可以使用审核工作台。")
    # The lists are one cached fragment (a new version of the records, or a
    # new day, is a new key: reports.pagecache).
    sections = pagecache.fragment("workbench", pagecache.scope_key(scope), lambda: _sections(scope))
    return render(
        request,
        "reports/workbench.html",
        {"sections": {"html": mark_safe(sections["html"]), "forms": sections["forms"]}},
    )


def _sections(scope):
    """The page rendered: {"html": the lists, "forms": the ids of its 催报 forms}."""
    now = today()
    reviewed = scope.reviewed_rows_q()
    reports = QuarterlyReport.objects.filter(reviewed).select_related("organisation", "person")
    pending = reports.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")
    returned = reports.filter(status=Status.RETURNED).order_by("reviewed_at", "pk")

    # 未提交: per kind being reported on now, the organisations that have not handed in.
    reviewing = next(iter(scope.reviewing.values()), None)
    overdue = []
    for kind, period, due in due_now(reviewing, now):
        organisations = missing(scope.reviewed_q(), kind, period).order_by("path")
        overdue.append(
            {
                "name": deadlines.period_kind_name(kind, period),
                "kind": kind,
                "period": period,
                "topic": notifications.topic_of(kind, period),
                "due": due,
                "days_overdue": (now - due).days,
                "count": organisations.count(),
                "organisations": list(organisations[:LIST_SIZE]),
            }
        )
    # 催报: who was reminded of what, when (one query for every list).
    urged = notifications.last_urged(
        {org.pk for due in overdue for org in due["organisations"]},
        {due["topic"] for due in overdue},
    )
    for due in overdue:
        for org in due["organisations"]:
            org.urged_at = urged.get((org.pk, due["topic"]))
    # 高风险问题 not yet rectified (无措施, or a measure still open): counted from
    # the precomputed rows, the first of them chosen by an index and only those
    # annotated with their 整改状态.
    high_risk_count = precomputed.open_high_risk(scope.reviewing)
    high_risk = statistics.with_progress_of_first(
        precomputed.not_rectified(
            Finding.objects.filter(reviewed, risk_level=Finding.RiskLevel.HIGH)
        ),
        ("-year", "-quarter", "pk"),
        LIST_SIZE,
    )
    html = render_to_string(
        "reports/includes/workbench_body.html",
        {
            "now": now,
            "reviewing": review_notice(scope),
            "pending_count": pending.count(),
            "pending": waiting_days(list(pending[:LIST_SIZE]), "submitted_at", now),
            "returned_count": returned.count(),
            "returned": waiting_days(list(returned[:LIST_SIZE]), "reviewed_at", now),
            "overdue": overdue,
            "high_risk_count": high_risk_count,
            "high_risk": high_risk,
            "list_size": LIST_SIZE,
        },
    )
    forms = [f"urge-{n}" for n, due in enumerate(overdue, 1) if due["organisations"]]
    return {"html": str(html), "forms": forms}


def pending_count(user):
    """The 报告审核 badge: the reports waiting for this reviewer (one query)."""
    scope = get_scope(user)
    if not scope.is_reviewer:
        return 0
    return QuarterlyReport.objects.filter(scope.reviewed_rows_q(), status=Status.SUBMITTED).count()


@login_required
@require_POST
def urge(request):
    """催报: remind the chosen organisations (among those reviewed) of a report."""
    scope = get_scope(request.user)
    if not scope.is_reviewer:
        raise NotPermitted("只有党委宣传部或上级党委的审核人可以催报。")
    kind = request.POST.get("kind", "")
    year = parse_int(request.POST.get("year"), low=2000, high=2100)
    quarter = parse_int(request.POST.get("quarter"), low=0, high=4) or 0
    half = parse_int(request.POST.get("half"), low=0, high=2) or 0
    if kind not in Kind.values or year is None:
        raise Http404("报告类型或期间不正确。")
    period = period_of(year, quarter, half)
    ids = {parse_int(value, low=1) for value in request.POST.getlist("org")} - {None}
    organisations = list(
        Organisation.objects.filter(pk__in=ids & scope.reviewed_ids).order_by("path")
    )
    if not organisations:
        messages.error(request, "请先勾选要催报的党组织。")
        return redirect("reports:workbench")
    reminded = notifications.urge(
        reviewer=request.user, organisations=organisations, kind=kind, period=period
    )
    name = deadlines.period_kind_name(kind, period)
    if reminded:
        messages.success(request, f"操作成功：已向{len(reminded)}个党组织发送{name}催报。")
    else:
        messages.info(request, f"今天已向所选党组织发送过{name}催报。")
    return redirect(reverse("reports:workbench") + "#missing")
