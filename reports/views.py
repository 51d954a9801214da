from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ideology_review import audit
from ideology_review.lib.forms import CONFLICT, VersionConflict
from ideology_review.lib.http import history_page, paginate, parse_int
from ideology_review.lib.urls import pk_url
from meetings.access import (
    NotPermitted,
    get_comment_for_user,
    get_file_for_user,
    get_organisation_for_new_record,
    get_report_for_user,
    get_report_item_for_user,
    get_scope,
)
from meetings.models import today

from . import exports, files, notifications, pagecache, services
from .assembly import CLOSING_TEMPLATES
from .changes import for_display
from .checks import check_report
from .comments import place_comments
from .content import build_report_data
from .dashboard import review_notice
from .forms import ReportCreateForm, ReportInfoForm, ReportItemForm, ReviewForm, SubmitForm
from .models import GeneratedFile, Notification, QuarterlyReport, ReportComment, ReportItem
from .workbench import waiting_days

Status = QuarterlyReport.Status
Kind = QuarterlyReport.Kind


UNSAVED = "报告已提交或已审核，不能修改；您填写的内容未保存。"


def _refuse_if_locked(request, report):
    if report.is_editable:
        return None
    messages.error(request, f"报告{report.get_status_display()}，不能修改。")
    return redirect(report)


def _show_error(request, error):
    messages.error(request, error.message)
    for problem in error.problems:
        messages.warning(request, str(problem))


@login_required
@require_safe
def report_list(request):
    scope = get_scope(request.user)
    qs = QuarterlyReport.objects.for_user(request.user).select_related("organisation", "person")
    qs, filters = _filtered(qs, request.GET)
    return render(
        request,
        "reports/report_list.html",
        {
            "page": paginate(request, qs, 20),
            "create_form": ReportCreateForm(organisations=scope.editable_organisations)
            if scope.editable_organisations
            else None,
            "organisations": scope.editable_organisations,
            **filters,
        },
    )


# The filters of 研判报告 and 报告审核: 党组织 (by name), 报告类型, period, status, order.
SORTS = {
    "period": ("报告期间（新的在前）", ("-year", "-quarter", "-half", "organisation__path")),
    "waiting": ("等待最久的在前", ("submitted_at", "pk")),
    "newest": ("最近提交的在前", ("-submitted_at", "-pk")),
}


FILTER_PARAMS = ("org", "kind", "year", "quarter", "half", "status", "sort")


def _filtered(qs, params, *, status="", sort="period"):
    """Apply the list filters in `params` (a bad value drops only its own filter);
    returns the queryset and what the filter form shows."""
    org = " ".join(params.get("org", "").split())[:50]
    kind = params.get("kind", "")
    year, quarter, half = (params.get(k, "") for k in ("year", "quarter", "half"))
    status = params.get("status", status)
    sort = params.get("sort", sort) if params.get("sort") in SORTS else sort
    if org:
        qs = qs.filter(
            Q(organisation__name__icontains=org) | Q(organisation__short_name__icontains=org)
        )
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if (number := parse_int(year, low=1, high=9999)) is not None:
        qs = qs.filter(year=number)
    if (number := parse_int(quarter, low=1, high=4)) is not None:
        qs = qs.filter(quarter=number)
    if (number := parse_int(half, low=1, high=2)) is not None:
        qs = qs.filter(half=number)
    if status in Status.values:
        qs = qs.filter(status=status)
    # the pagination's links keep the list's own parameters (no others)
    query = QueryDict(mutable=True)
    for key in FILTER_PARAMS:
        if params.get(key):
            query[key] = params[key]
    return qs.order_by(*SORTS[sort][1]), {
        "org": org,
        "kind": kind,
        "kinds": Kind.choices,
        "year": year,
        "quarter": quarter,
        "half": half,
        "status": status,
        "statuses": Status.choices,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "query": query.urlencode(),
    }


@login_required
@require_POST
def report_create(request):
    organisation, _ = get_organisation_for_new_record(
        request.user, request.POST.get("org"), refused="您没有新建报告的权限。"
    )
    form = ReportCreateForm(request.POST, organisations=[organisation])
    if not form.is_valid():
        messages.error(request, "请选择报告类型、年度和报告期间。")
        return redirect("reports:list")
    data = form.cleaned_data
    try:
        report = services.report_create(
            organisation=organisation,
            kind=data["kind"],
            year=data["year"],
            quarter=data["quarter"],
            half=data["half"],
            person=data["person"],
            by=request.user,
        )
    except services.ReportError as error:
        messages.error(request, error.message)
        return redirect(error.existing or "reports:list")
    messages.success(request, "操作成功：报告已新建。点击“一键汇总”从本期记录生成内容。")
    return redirect(report)


def _sections(report, items):
    """Items grouped by the sections of the report's kind, in the kind's order
    and with its headings, for the working page (a quarterly report shows no
    part of the network report's skeleton)."""
    grouped = {key: [] for key, _ in ReportItem.Section.choices}
    for item in items:
        grouped[item.section].append(item)
    return [(key, label, grouped[key]) for key, label in report.spec.sections(report)]


@login_required
@require_safe
def report_detail(request, pk):
    report = get_report_for_user(request.user, pk)
    scope = get_scope(request.user)
    can_edit = scope.can_edit(report.organisation_id)
    items = list(report.items.filter(excluded=False).order_by("section", "order", "pk"))
    submissions = list(report.submissions.order_by("-round")[:2])
    # Each event's round (查看提交版本), not its submission's frozen content.
    events = (
        report.events.select_related("actor__person", "submission")
        .defer("submission__content", "submission__changes")
        .order_by("created_at", "pk")
    )
    can_review = scope.can_review(report.organisation)
    # 批注 of the latest round and of the one before (its 已修改 state), one query.
    current, earlier = [], []
    if submissions:
        comments = ReportComment.objects.filter(
            submission__in=[s.pk for s in submissions]
        ).select_related("author__person", "addressed_by__person")
        for comment in comments:
            (current if comment.submission_id == submissions[0].pk else earlier).append(comment)
    context = {
        "report": report,
        "can_edit": can_edit and report.is_editable,
        "can_manage": scope.can_manage(report.organisation_id),
        "can_review": can_review,
        "can_comment": can_review and report.status == Status.SUBMITTED,
        "can_mark": can_edit and report.status == Status.RETURNED,
        "comments": current,
        "earlier_comments": earlier,
        "addressed": sum(comment.is_addressed for comment in current),
        "earlier_addressed": sum(comment.is_addressed for comment in earlier),
        "previous_round": submissions[1].round if len(submissions) == 2 else None,
        # Where the report goes (the secretary is told on 提交审核; a reviewer
        # of another level sees whose review it is). One query (the stored
        # Organisation.review_unit), only on a page that says it: most reports
        # are approved, and theirs does not.
        "reviewing_organisation": SimpleLazyObject(lambda: report.organisation.review_unit),
        "events": events,
        "latest": submissions[0] if submissions else None,
        "files": files.listed(report.files.all()).order_by("-pk")[:5],
        "history_url": pk_url("reports:history", report.pk),
        "submit_form": SubmitForm(),
        "review_form": ReviewForm(),
    }
    if can_edit:
        # What the paragraphs and the report hold (the key of the two caches below).
        held = pagecache.held(report, *items)
        context["sections"] = _sections(report, items)
        if report.is_editable:
            # 提交前检查: cached by the report's text and the versions of the
            # organisations whose meetings, findings and measures it reads
            context["problems"] = pagecache.branch_fragment(
                "report-checks", scope, (report.pk, held), lambda: check_report(report, items)
            )
        else:
            context["problems"] = []
        context["closing_templates"] = CLOSING_TEMPLATES
        # The branch sees each 批注 of the round beside its paragraph; those on
        # 台账 rows (and on paragraphs since removed) in the 审核批注 card.
        by_item = {}
        for comment in current:
            by_item.setdefault(comment.anchor, []).append(comment)
        for item in items:
            item.comments = by_item.pop(f"item-{item.pk}", [])
        context["other_comments"] = [c for cs in by_item.values() for c in cs]

        def paragraphs():
            return pagecache.render_shared(
                "reports/includes/sections.html", context, request=request
            )

        if any(item.comments for item in items):  # (their authors: not in the key)
            html = paragraphs()
        else:
            # the paragraphs and their buttons are a function of what they hold
            html = pagecache.held_fragment(
                "report-sections", (held, context["can_edit"], context["can_mark"]), paragraphs
            )
        context["sections_html"] = pagecache.with_csrf(html, request)
    else:
        # Reviewers read what was submitted, frozen, and what changed since the last round.
        if submissions:
            context["content"] = submissions[0].content
            context["unplaced_comments"] = place_comments(context["content"], current, earlier)
            if len(submissions) == 2:
                # frozen with the submission: nothing is compared on a page view
                context["changes"] = for_display(submissions[0].changes or [])
                context["previous_round"] = submissions[1].round
        else:
            context["content"] = build_report_data(report, items)
    return render(request, "reports/report_detail.html", context)


def _report_history(report, **rows):
    # The paragraphs' own rows too (an edited paragraph shows old → new), in the same query.
    history = audit.history_for(report, related=[ReportItem.objects.filter(report=report)], **rows)
    history.url = pk_url("reports:history", report.pk)
    return history


@login_required
@require_safe
def report_history(request, pk):
    report = get_report_for_user(request.user, pk)
    return history_page(request, report, partial(_report_history, report))


@login_required
@require_safe
def report_preview(request, pk):
    report = get_report_for_user(request.user, pk)
    round_ = parse_int(request.GET.get("round"), low=1, high=32767)
    if round_ is not None:
        submission = report.submissions.filter(round=round_).first()
        if submission is None:
            raise Http404("没有该次提交的版本。")
        content, label = submission.content, f"第{submission.round}次提交的版本"
    else:
        content, label = build_report_data(report), "当前内容"
    return render(
        request,
        "reports/report_preview.html",
        {"report": report, "content": content, "label": label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    if refused := _refuse_if_locked(request, report):
        return refused
    form = ReportInfoForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        if _save_content(request, form, services.report_update_info, report=report):
            messages.success(request, "操作成功：报告信息已保存。")
            return redirect(report)
        if not form.errors:  # the report was locked meanwhile
            return redirect(report)
    return render(request, "reports/report_form.html", {"report": report, "form": form})


def _save_content(request, form, save, **target):
    """Run a content write; whether it was saved. A report locked meanwhile or a
    version conflict is told to the user (the typed text stays in the form)."""
    try:
        save(form=form, **target)
    except services.ReportLocked:
        messages.error(request, UNSAVED)
    except VersionConflict:
        form.add_error(None, CONFLICT)
    else:
        return True
    return False


@login_required
@require_POST
def report_assemble(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    try:
        written = services.report_assemble(report=report, by=request.user)
    except services.ReportError as error:
        _show_error(request, error)
    else:
        messages.success(
            request,
            f"操作成功：已从{report.period_label}的记录汇总生成{written}段内容，手写的段落均已保留。",
        )
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk, section):
    report = get_report_for_user(request.user, pk, write=True)
    if section not in ReportItem.Section.values:
        raise Http404("没有该部分。")
    if refused := _refuse_if_locked(request, report):
        return refused
    form = ReportItemForm(request.POST or None, section=section)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(report=report, section=section, form=form)
        except services.ReportLocked:
            messages.error(request, UNSAVED)
            return redirect(report)
        messages.success(request, "操作成功：段落已添加。")
        return redirect(f"{report.get_absolute_url()}#item-{item.pk}")
    return render(
        request,
        "reports/item_form.html",
        {"report": report, "form": form, "section": ReportItem.Section(section).label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = get_report_item_for_user(request.user, pk)
    report = item.report
    if refused := _refuse_if_locked(request, report):
        return refused
    form = ReportItemForm(request.POST or None, instance=item, section=item.section)
    if request.method == "POST" and form.is_valid():
        if _save_content(request, form, services.item_update, item=item):
            messages.success(request, "操作成功：段落已保存。")
            return redirect(f"{report.get_absolute_url()}#item-{item.pk}")
        if not form.errors:  # the report was locked meanwhile
            return redirect(report)
    return render(
        request,
        "reports/item_form.html",
        {"report": report, "form": form, "section": item.get_section_display(), "item": item},
    )


@login_required
@require_POST
def item_delete(request, pk):
    item = get_report_item_for_user(request.user, pk)
    report = item.report
    try:
        services.item_delete(item=item)
    except services.ReportLocked as error:
        messages.error(request, error.message)
        return redirect(report)
    messages.success(request, "操作成功：段落已删除。")
    return redirect(report)


@login_required
@require_POST
def item_move(request, pk, direction):
    item = get_report_item_for_user(request.user, pk)
    report = item.report
    try:
        services.item_move(item=item, direction=direction, by=request.user, request=request)
    except services.ReportLocked as error:
        messages.error(request, error.message)
        return redirect(report)
    return redirect(f"{report.get_absolute_url()}#item-{item.pk}")


def _transition_view(request, pk, action):
    report = get_report_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    points = list(form.cleaned_data.get("points") or [])
    accept = request.POST.get("accept_warnings") == "on"
    calls = {
        "submit": lambda: services.report_submit(
            report=report, by=request.user, accept_warnings=accept
        ),
        "resubmit": lambda: services.report_resubmit(
            report=report, by=request.user, accept_warnings=accept
        ),
        "withdraw": lambda: services.report_withdraw(report=report, by=request.user),
        "approve": lambda: services.report_approve(
            report=report, by=request.user, comment=comment, points=points
        ),
        "return": lambda: services.report_return(
            report=report, by=request.user, comment=comment, points=points
        ),
    }
    try:
        _, event = calls[action]()
    except NotPermitted:
        raise  # who may never do this: a 403, not a message
    except services.ReportError as error:
        _show_error(request, error)
    else:
        if event is None:
            messages.info(request, "报告状态未变化（可能是重复提交）。")
        else:
            messages.success(request, f"操作成功：{event.get_action_display()}。")
    return redirect(report)


@login_required
@require_POST
def report_submit(request, pk):
    return _transition_view(request, pk, "submit")


@login_required
@require_POST
def report_resubmit(request, pk):
    return _transition_view(request, pk, "resubmit")


@login_required
@require_POST
def report_withdraw(request, pk):
    return _transition_view(request, pk, "withdraw")


@login_required
@require_POST
def report_approve(request, pk):
    return _transition_view(request, pk, "approve")


@login_required
@require_POST
def report_return(request, pk):
    return _transition_view(request, pk, "return")


@login_required
@require_POST
def comment_add(request, pk):
    report = get_report_for_user(request.user, pk)
    anchor = request.POST.get("anchor", "")
    try:
        services.comment_add(
            report=report, by=request.user, anchor=anchor, body=request.POST.get("body", "")
        )
    except NotPermitted:
        raise
    except services.ReportError as error:
        messages.error(request, f"未批注：{error.message}")
        return redirect(report)
    messages.success(request, "操作成功：批注已添加。")
    return redirect(f"{report.get_absolute_url()}#anchor-{anchor}")


@login_required
@require_POST
def comment_delete(request, pk):
    comment = get_comment_for_user(request.user, pk)
    try:
        services.comment_delete(comment=comment, by=request.user)
    except NotPermitted:
        raise
    except services.ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "操作成功：批注已删除。")
    return redirect(f"{comment.report.get_absolute_url()}#anchor-{comment.anchor}")


@login_required
@require_POST
def comment_mark_addressed(request, pk):
    comment = get_comment_for_user(request.user, pk)
    try:
        marked = services.comment_mark_addressed(comment=comment, by=request.user)
    except NotPermitted:
        raise
    except services.ReportError as error:
        messages.error(request, error.message)
        return redirect(comment.report)
    if marked:
        messages.success(request, "操作成功：批注已标记为已修改。")
    else:
        messages.info(request, "该批注此前已标记为已修改。")
    # A paragraph's anchor is its row's id on the working page; the rest are in 审核批注.
    target = comment.anchor if comment.anchor.startswith("item-") else "comments"
    return redirect(f"{comment.report.get_absolute_url()}#{target}")


@login_required
@require_safe
def inbox(request):
    scope = get_scope(request.user)
    if not scope.is_reviewer:
        raise NotPermitted("只有党委宣传部或上级党委的审核人可以使用报告审核。")
    # The list is a fragment cached by version for this user and query (a new
    # version of the records, or a new day, is a new key: reports.pagecache).
    # keyed by the list's own parameters (others change nothing) and a page
    # number within bounds: what a user can vary stays small
    _, filters = _filtered(QuarterlyReport.objects.none(), request.GET)
    number = parse_int(request.GET.get("page"), low=1, high=1000) or 1
    body = pagecache.fragment(
        "inbox",
        (request.user.pk, *pagecache.scope_key(scope), filters["query"], number),
        lambda: _inbox_body(request, scope, number),
    )
    return render(request, "reports/inbox.html", {"body": mark_safe(body)})


def _inbox_body(request, scope, number):
    # Only the reports this user reviews: a 宣传部 sees the whole tree (研判报告)
    # but the reports of a committee's branches are that committee's to review.
    reports = (
        QuarterlyReport.objects.for_user(request.user)
        .filter(scope.reviewed_rows_q())
        .exclude(status=Status.DRAFT)
        .select_related("organisation", "person")
    )
    reports, filters = _filtered(reports, request.GET, status=Status.SUBMITTED, sort="waiting")
    page = Paginator(reports, 50).get_page(number)
    waiting_days(page, "submitted_at", today(), status=Status.SUBMITTED)
    context = {
        "request": request,  # the filter's 重置 link (no context processors here)
        "page": page,
        "reports": page.object_list,
        "reviewing": review_notice(scope),
        **filters,
        "statuses": [c for c in Status.choices if c[0] != Status.DRAFT],
    }
    return str(render_to_string("reports/includes/inbox_body.html", context))


# ---------------------------------------------------------------------------
# 导出DOCX / 导出本季度报告
# ---------------------------------------------------------------------------


def _after_export(request, file, fallback):
    if request.htmx:
        return render(request, "reports/includes/file_status.html", {"file": file})
    return redirect(fallback)


@login_required
@require_POST
@transaction.non_atomic_requests  # the file record is committed before its task is queued
def export_docx(request, pk):
    report = get_report_for_user(request.user, pk)
    try:
        file = exports.request_report_docx(report=report, by=request.user)
    except exports.ExportError as error:
        messages.error(request, error.message)
        return redirect(report)
    if file.status == GeneratedFile.Status.DONE:
        messages.info(request, "该版本的DOCX已生成，可直接下载。")
    else:
        messages.success(request, "已开始生成DOCX，完成后可下载。")
    return redirect(f"{report.get_absolute_url()}#exports")


@login_required
@require_safe
def file_status(request, pk):
    return render(
        request, "reports/includes/file_status.html", {"file": get_file_for_user(request.user, pk)}
    )


@login_required
@require_safe
def file_download(request, pk):
    file = get_file_for_user(request.user, pk)
    if file.status != GeneratedFile.Status.DONE or not file.file:
        raise Http404("文件尚未生成。")
    try:
        handle = exports.open_file(file, by=request.user)
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=file.filename)


@login_required
@require_POST
@transaction.non_atomic_requests  # the file record is committed before its task is queued
def file_retry(request, pk):
    file = get_file_for_user(request.user, pk, retry=True)
    try:
        file = exports.retry_file(file=file, by=request.user)
    except exports.ExportError as error:
        messages.error(request, error.message)
    if file.kind == GeneratedFile.Kind.LEDGER:
        findings = (file.content or {}).get("ledger") == "findings"
        fallback = reverse(f"meetings:{'finding' if findings else 'measure'}_ledger") + "#exports"
    elif file.kind == GeneratedFile.Kind.RECORD:
        meeting = (file.content or {}).get("meeting")
        fallback = reverse("meetings:detail", args=[meeting]) + "#exports"
    elif file.kind == GeneratedFile.Kind.RECORD_BOOK:
        fallback = reverse("meetings:list") + "#exports"
    elif file.report_id:
        fallback = file.report.get_absolute_url()
    else:
        fallback = reverse("reports:dashboard")
    return _after_export(request, file, fallback)


@login_required
@require_POST
@transaction.non_atomic_requests  # the file record is committed before its task is queued
def export_quarter(request):
    departments = get_scope(request.user).review_departments
    if not departments:
        raise NotPermitted("只有党委宣传部的审核人可以导出本季度报告。")
    # Years the product has data for: 2000 to next year (a smallint column on PostgreSQL).
    year = parse_int(request.POST.get("year"), low=2000, high=today().year + 1)
    quarter = parse_int(request.POST.get("quarter"), low=1, high=4)
    if year is None or quarter is None:
        messages.error(request, "请选择正确的年度和季度。")
        return redirect("reports:dashboard")
    target = f"{reverse('reports:dashboard')}?year={year}&quarter={quarter}#exports"
    try:
        exports.request_quarter_bundle(
            department=departments[0], year=year, quarter=quarter, by=request.user
        )
    except exports.ExportError as error:
        messages.error(request, error.message)
        return redirect(target)
    messages.success(request, "已开始导出本季度报告，完成后可下载压缩包。")
    return redirect(target)


# ---------------------------------------------------------------------------
# 通知
# ---------------------------------------------------------------------------


@login_required
@require_safe
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).select_related(
        "sender__person", "organisation"
    )
    return render(
        request,
        "reports/notifications.html",
        {"page": paginate(request, notes, 20)},
    )


@login_required
@require_POST
def notification_read(request, pk):
    """标为已读 (one's own only: another user's notification is not found)."""
    note = notifications.mark_read(request.user, pk)
    if note is None:
        raise Http404("通知不存在。")
    if request.POST.get("open") and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect(note.url)
    return redirect("reports:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.mark_all_read(request.user)
    messages.success(request, f"操作成功：{count}条通知已标为已读。")
    return redirect("reports:notifications")
