from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from ideology_review import audit
from ideology_review.lib.forms import CONFLICT, VersionConflict
from ideology_review.lib.http import history_page, paginate, parse_int
from ideology_review.lib.models import load_users
from ideology_review.lib.periods import QUARTER_NAMES, quarter_of
from ideology_review.lib.urls import pk_url
from reports import deadlines, pagecache
from reports import exports as report_exports
from reports import files as report_files
from reports.models import GeneratedFile, Notification, QuarterlyReport

from . import ledgers, records, services
from .access import (
    check_measure_closure,
    get_attachment_for_user,
    get_evidence_for_user,
    get_finding_for_user,
    get_measure_for_user,
    get_meeting_for_user,
    get_organisation_for_new_record,
    get_organisation_for_user,
    get_scope,
)
from .forms import (
    AttachmentForm,
    EvidenceForm,
    FindingCorrectionForm,
    FindingForm,
    MeasureCorrectionForm,
    MeasureForm,
    MeasureProgressForm,
    MeasureReturnForm,
    MeetingForm,
)
from .models import (
    Finding,
    Measure,
    Meeting,
    today,
)

PAGE_SIZE = 20
LOCKED_MESSAGE = "会议记录已确认，除整改进展外不能再修改。"
UNSAVED = LOCKED_MESSAGE + "您填写的内容未保存。"
CORRECTION_REFUSED = "该问题已纳入已通过的季度报告，不能更正。"


def _redirect(request, url):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _refuse_locked(request, record, message=LOCKED_MESSAGE):
    """The record is confirmed (a service found it so under the lock, or the
    page did before): say so and go back to it."""
    messages.error(request, message)
    return _redirect(request, record.get_absolute_url())


def _report_cleaned_text(request, form):
    if form.removed_characters:
        messages.warning(
            request,
            f"已自动移除{form.removed_characters}个无法保存的控制字符（多来自Word或网页粘贴），"
            "其余内容均已保存。",
        )


# A list joins the organisations and people it names and reads only the columns
# it shows of them (a dozen each); the 工作台 reads only those of its meetings,
# findings and measures too (reports.signals notes what a row was counted under
# from the columns loaded with it, and looks the rest up if such a row is saved).
def _org_name(path):
    """The columns of Organisation.display_short_name, reached through `path`."""
    return (f"{path}__name", f"{path}__short_name")


def _page(request, queryset):
    return paginate(request, queryset, PAGE_SIZE)


# ---------------------------------------------------------------------------
# 工作台
# ---------------------------------------------------------------------------


@login_required
@require_safe
def dashboard(request):
    scope = get_scope(request.user)
    if scope.is_reviewer and not scope.own_organisations:
        # A 宣传部's reviewer has no branch work of their own: home is 审核工作台.
        return redirect("reports:workbench")
    now = today()
    year, quarter = now.year, quarter_of(now)
    can_create = bool(scope.editable_organisations)

    def records():
        # the meetings, overdue measures, reports and unrectified findings: one
        # fragment, cached by the versions of the organisations they belong to
        return render_to_string(
            "meetings/includes/dashboard_records.html",
            _dashboard_records(request.user, scope, year, quarter) | {"can_create": can_create},
        )

    # 报送提醒: what the user's organisations owe in the next 30 days, and overdue.
    due, next_due = deadlines.due_reports(request.user, scope.own_organisations, now)
    # 通知 not yet read: 催报, returns, reminders (the bell counts them all).
    unread = list(Notification.objects.filter(recipient=request.user, read_at__isnull=True)[:5])
    context = {
        "unread": unread,
        "due_reports": due,
        "next_due": next_due,
        "due_window": deadlines.WINDOW_DAYS,
        "year": year,
        "quarter": quarter,
        "quarter_name": QUARTER_NAMES[quarter],
        # (the roles: the reports listed are those of the user's own organisations)
        "records": pagecache.branch_fragment(
            "dashboard", scope, (year, quarter, sorted(scope.roles.items())), records
        ),
    }
    if len(unread) < 5:
        # Fewer than the five shown: they are all, and the bell needs no COUNT of its own.
        context["unread_notifications"] = len(unread)
    return render(request, "meetings/dashboard.html", context)


def _dashboard_records(user, scope, year, quarter):
    meetings = (
        Meeting.objects.for_user(user)
        .of_quarter(year, quarter)
        .select_related("organisation")
        .only("title", "date", "status", "organisation", *_org_name("organisation"))
        .annotate(finding_count=Count("findings"))
        .order_by("-date", "-pk")[:20]
    )
    open_findings = (
        Finding.objects.for_user(user)
        .unfinished()
        .select_related("organisation", "category")
        .only(
            "title",
            "risk_level",
            "year",
            "quarter",
            "organisation",
            "category",
            "category__name",
            *_org_name("organisation"),
        )
        .order_by("-year", "-quarter", "pk")[:20]
    )
    overdue = Measure.objects.for_user(user).overdue()
    # A short list is its own count: COUNT only when the 20 shown may not be all.
    overdue_measures = list(
        overdue.select_related("finding__organisation", "responsible_person")
        .only(
            "content",
            "deadline",
            "finding",
            "finding__organisation",
            "responsible_person",
            "responsible_person__name",
            *_org_name("finding__organisation"),
        )
        .order_by("deadline", "pk")[:20]
    )
    overdue_count = len(overdue_measures) if len(overdue_measures) < 20 else overdue.count()
    reports = (
        QuarterlyReport.objects.filter(
            organisation_id__in=[org.pk for org in scope.own_organisations]
        )
        .select_related("organisation", "person")
        .only(
            "kind",
            "year",
            "quarter",
            "half",
            "status",
            "review_comment",
            "person__name",
            *_org_name("organisation"),
        )
        .order_by("-year", "-quarter", "organisation__path")[:6]
    )
    return {
        "reports": reports,
        "meetings": meetings,
        "open_findings": open_findings,
        "overdue_measures": overdue_measures,
        "overdue_count": overdue_count,
    }


# ---------------------------------------------------------------------------
# 研判会议
# ---------------------------------------------------------------------------


@login_required
@require_safe
def meeting_list(request):
    qs = (
        Meeting.objects.for_user(request.user)
        .select_related("organisation", "chair")
        .annotate(finding_count=Count("findings"))
        .order_by("-date", "-pk")
    )
    year = request.GET.get("year", "")
    quarter = request.GET.get("quarter", "")
    if (number := parse_int(year, low=1, high=9999)) is not None:
        qs = qs.filter(year=number)
    if (number := parse_int(quarter, low=1, high=4)) is not None:
        qs = qs.filter(quarter=number)
    scope = get_scope(request.user)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "rows": _rows(
                request,
                "meetings/includes/meeting_rows.html",
                (year, quarter),
                lambda: _page(request, qs),
            ),
            "year": year,
            "quarter": quarter,
            "can_create": bool(scope.editable_organisations),
            "years": range(today().year + 1, today().year - 5, -1),
            # 导出会议记录本: a year (this one unless chosen) of one organisation the user sees
            "book_years": range(today().year, today().year - 6, -1),
            "book_year": today().year,
            "book_organisations": ledgers.visible_organisations(request.user),
            "book_organisation": records.default_organisation_id(request.user, scope_only=True),
            "book_files": records.book_files(request.user),
        },
    )


def _organisation_for_new_record(request):
    org_id = request.GET.get("org") or request.POST.get("org")
    return get_organisation_for_new_record(request.user, org_id)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    return _new_record(
        request, MeetingForm, services.meeting_create, "会议已登记", "meetings/meeting_form.html"
    )


def _new_record(request, form_class, create, done, template):
    """A page that records something new for one of the user's organisations."""
    organisation, editable = _organisation_for_new_record(request)
    form = form_class(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        record = create(form=form, by=request.user)
        _report_cleaned_text(request, form)
        messages.success(request, f"操作成功：{done}。")
        return redirect(record)
    return render(
        request, template, {"form": form, "organisation": organisation, "organisations": editable}
    )


def _findings_context(request, findings_qs, *, meeting=None, finding=None, flags=None):
    findings = findings_qs.select_related("category").prefetch_related(
        Prefetch(
            "measures",
            queryset=Measure.objects.select_related("responsible_person").prefetch_related(
                "evidence"
            ),
        )
    )
    flags = flags or _block_flags(get_scope(request.user), meeting or finding)
    findings = list(findings)
    # Who marked each measure 已完成 and who closed it (销号), with their names.
    load_users([m for f in findings for m in f.measures.all()], "done_by", "closed_by")
    if flags["locked"]:
        # One query for the whole block, however many findings and measures it shows.
        _mark_corrections(findings)
    return {
        "meeting": meeting,
        "findings": findings,
        "section_url": (meeting or finding).get_absolute_url(),
        **flags,
    }


def _block_flags(scope, record):
    """What the user may do in a meeting's (or a finding's) 问题与整改措施 block."""
    # A finding's own page is as locked as the meeting it came from.
    locked = record.is_confirmed if isinstance(record, Meeting) else record.is_locked
    return {
        "can_edit": scope.can_edit(record.organisation_id),
        "locked": locked,
        "can_correct": (
            locked
            and scope.can_manage(record.organisation_id)
            and not services.quarter_approved(record)
        ),
        # 销号/退回 (each measure's own owner excepted, in the template)
        "can_close": scope.can_manage(record.organisation_id)
        or (scope.is_reviewer and scope.can_review(record.organisation)),
    }


def _mark_corrections(findings):
    """`finding.corrected`, `finding.correction`: whether the finding or one of its
    measures was corrected, and the latest 更正说明."""
    measures = {m.pk: f for f in findings for m in f.measures.all()}
    latest = audit.latest_with_event(
        "更正", findings, [m for f in findings for m in f.measures.all()]
    )
    by_pk = {f.pk: f for f in findings}
    for finding in findings:
        finding.corrected, finding.correction = False, ""
    for (model, pk), data in latest:  # oldest first: the newest reason wins
        finding = by_pk.get(pk) if model is Finding else measures.get(pk)
        if finding is not None:
            finding.corrected, finding.correction = True, data.get("更正说明", "")


@login_required
@require_safe
def meeting_detail(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    scope = get_scope(request.user)
    flags = _block_flags(scope, meeting)

    def findings_section():
        # the findings, their measures and buttons: cached by the versions of
        # the organisations the user sees (reports.pagecache), CSRF token apart
        context = _findings_context(request, meeting.findings.all(), meeting=meeting, flags=flags)
        return pagecache.render_shared(
            "meetings/includes/findings_section.html", context, request=request
        )

    if request.htmx:  # (its messages are the request's own)
        section = findings_section()
    else:
        section = pagecache.branch_fragment(
            "meeting", scope, (meeting.pk, request.user.pk, sorted(flags.items())), findings_section
        )
    context = {
        "meeting": meeting,
        "findings_section": pagecache.with_csrf(section, request),
        **flags,
        "attendees": meeting.attendees.all(),
        "attachments": meeting.attachments.all(),
        "can_manage": scope.can_manage(meeting.organisation_id),
        "attachment_form": AttachmentForm(),
        "history_url": pk_url("meetings:history", meeting.pk),
        "record_files": records.meeting_files(meeting),
        "not_confirmed": records.NOT_CONFIRMED,
    }
    return render(request, "meetings/meeting_detail.html", context)


def _meeting_history(meeting, **rows):
    # A confirmed record's findings change only by 更正: those rows belong here too.
    related = []
    if meeting.is_confirmed:
        related = [
            Finding.objects.filter(meeting=meeting),
            Measure.objects.filter(finding__meeting=meeting),
        ]
    history = audit.history_for(meeting, related=related, related_event="更正", **rows)
    history.url = pk_url("meetings:history", meeting.pk)
    return history


def _finding_history(finding, **rows):
    history = audit.history_for(finding, *finding.measures.all(), **rows)
    history.url = pk_url("meetings:finding_history", finding.pk)
    return history


@login_required
@require_safe
def meeting_history(request, pk):
    meeting = get_meeting_for_user(request.user, pk)
    return history_page(request, meeting, partial(_meeting_history, meeting))


@login_required
@require_safe
def finding_history(request, pk):
    finding = get_finding_for_user(request.user, pk)
    return history_page(request, finding, partial(_finding_history, finding))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    if meeting.is_confirmed:
        messages.error(request, LOCKED_MESSAGE)
        return redirect(meeting)
    form = MeetingForm(request.POST or None, instance=meeting, organisation=meeting.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, form=form)
        except services.RecordLocked:
            # Confirmed in the meantime: nothing is written (and nothing is lost
            # on screen: the user is told, the record stays as confirmed).
            messages.error(request, UNSAVED)
            return redirect(meeting)
        except VersionConflict:
            form.add_error(None, CONFLICT)
        else:
            _report_cleaned_text(request, form)
            messages.success(request, "操作成功：会议记录已保存。")
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "organisation": meeting.organisation, "meeting": meeting},
    )


@login_required
@require_POST
def meeting_delete(request, pk):
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    try:
        services.meeting_delete(meeting=meeting)
    except services.RecordLocked:
        messages.error(request, "已确认的会议记录不能删除。")
        return redirect(meeting)
    messages.success(request, "操作成功：会议已删除。")
    return redirect("meetings:list")


@login_required
@require_POST
def meeting_confirm(request, pk):
    meeting = get_meeting_for_user(request.user, pk, manage=True)
    if services.meeting_confirm(meeting=meeting, by=request.user, request=request):
        messages.success(request, "操作成功：会议记录已确认，记录已锁定。")
    else:
        messages.info(request, "会议记录此前已确认。")
    return redirect(meeting)


@login_required
@require_POST
def attachment_upload(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    if meeting.is_confirmed:
        messages.error(request, LOCKED_MESSAGE)
        return redirect(meeting)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(meeting=meeting, form=form, by=request.user)
        except services.RecordLocked:
            messages.error(request, LOCKED_MESSAGE)
            return redirect(meeting)
        messages.success(request, "操作成功：附件已上传。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"附件未上传：{error}")
    return redirect(meeting)


def _file_response(request, stored):
    try:
        handle = services.open_upload(stored, by=request.user)
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=stored.original_name)


@login_required
@require_safe
def attachment_download(request, pk):
    return _file_response(request, get_attachment_for_user(request.user, pk))


@login_required
@require_safe
def evidence_download(request, pk):
    return _file_response(request, get_evidence_for_user(request.user, pk))


# ---------------------------------------------------------------------------
# Findings and measures, edited inline on the meeting page (htmx), or on
# their own pages when JavaScript is off.
# ---------------------------------------------------------------------------


def _render_findings(request, *, meeting=None, finding=None):
    """After a change: the refreshed findings block (htmx) or the page it lives on."""
    target = meeting or finding
    if not request.htmx:
        return redirect(target)
    # The block may sit on the meeting's page or on the finding's own page.
    on_finding_page = (
        finding is not None and request.htmx.current_url_abs_path == finding.get_absolute_url()
    )
    if meeting is not None and not on_finding_page:
        context = _findings_context(request, meeting.findings.all(), meeting=meeting)
        context["history"] = _meeting_history(meeting)
    else:
        context = _findings_context(request, Finding.objects.filter(pk=finding.pk), finding=finding)
        context["history"] = _finding_history(finding)
    context["history_oob"] = True  # the page's 历史记录 shows the change at once
    return render(request, "meetings/includes/findings_section.html", context)


def _render_form(request, template, context, slot):
    if request.htmx:
        response = render(request, f"meetings/includes/{template}", context)
        # The form replaces its slot; a valid POST later replaces the whole section.
        return reswap(retarget(response, slot), "innerHTML")
    return render(
        request,
        "meetings/inline_form_page.html",
        {**context, "partial": template, "standalone": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request, pk):
    meeting = get_meeting_for_user(request.user, pk, write=True)
    if meeting.is_confirmed:
        messages.error(request, LOCKED_MESSAGE)
        return _redirect(request, meeting.get_absolute_url())
    form = FindingForm(request.POST or None, organisation=meeting.organisation, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_create(form=form, by=request.user, meeting=meeting)
        except services.RecordLocked:
            return _refuse_locked(request, meeting, UNSAVED)
        _report_cleaned_text(request, form)
        messages.success(request, "操作成功：问题已新增。")
        return _render_findings(request, meeting=meeting)
    context = {
        "form": form,
        "action": reverse("meetings:finding_create", args=[meeting.pk]),
        "title": "新增问题",
        "back_url": meeting.get_absolute_url(),
    }
    return _render_form(request, "record_form.html", context, "#finding-form-slot")


@login_required
@require_http_methods(["GET", "POST"])
def finding_create_standalone(request):
    return _new_record(
        request,
        FindingForm,
        services.finding_create,
        "问题已新增",
        "meetings/finding_standalone_form.html",
    )


@login_required
@require_safe
def finding_detail(request, pk):
    finding = get_finding_for_user(request.user, pk)
    context = _findings_context(request, Finding.objects.filter(pk=finding.pk), finding=finding)
    context["finding"] = finding
    context["history_url"] = pk_url("meetings:finding_history", finding.pk)
    return render(request, "meetings/finding_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request, pk):
    finding = get_finding_for_user(request.user, pk, write=True)
    back = finding.meeting or finding
    if finding.is_locked:
        messages.error(request, LOCKED_MESSAGE)
        return _redirect(request, back.get_absolute_url())
    form = FindingForm(
        request.POST or None,
        instance=finding,
        organisation=finding.organisation,
        meeting=finding.meeting,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(finding=finding, form=form)
        except services.RecordLocked:
            return _refuse_locked(request, back, UNSAVED)
        except VersionConflict:
            form.add_error(None, CONFLICT)
        else:
            _report_cleaned_text(request, form)
            messages.success(request, "操作成功：问题已保存。")
            return _render_findings(request, meeting=finding.meeting, finding=finding)
    context = {
        "form": form,
        "action": reverse("meetings:finding_edit", args=[finding.pk]),
        "title": "编辑问题",
        "back_url": back.get_absolute_url(),
    }
    return _render_form(request, "record_form.html", context, f"#finding-{finding.pk}")


@login_required
@require_POST
def finding_delete(request, pk):
    finding = get_finding_for_user(request.user, pk, write=True)
    meeting = finding.meeting
    try:
        services.finding_delete(finding=finding)
    except services.RecordLocked:
        return _refuse_locked(request, meeting)
    messages.success(request, "操作成功：问题已删除。")
    if meeting is None:
        return _redirect(request, reverse("meetings:finding_ledger"))
    return _render_findings(request, meeting=meeting)


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, pk):
    finding = get_finding_for_user(request.user, pk, write=True)
    back = finding.meeting or finding
    if finding.is_locked:
        messages.error(request, LOCKED_MESSAGE)
        return _redirect(request, back.get_absolute_url())
    form = MeasureForm(request.POST or None, organisation=finding.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_create(finding=finding, form=form, by=request.user)
        except services.RecordLocked:
            return _refuse_locked(request, back, UNSAVED)
        _report_cleaned_text(request, form)
        messages.success(request, "操作成功：整改措施已新增。")
        return _render_findings(request, meeting=finding.meeting, finding=finding)
    context = {
        "form": form,
        "action": reverse("meetings:measure_create", args=[finding.pk]),
        "title": f"新增整改措施：{finding.title}",
        "back_url": back.get_absolute_url(),
    }
    return _render_form(request, "record_form.html", context, f"#measure-slot-{finding.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    measure = get_measure_for_user(request.user, pk, write=True)
    finding = measure.finding
    back = finding.meeting or finding
    # Once the record is confirmed, only the progress of a measure may change.
    form_class = MeasureProgressForm if finding.is_locked else MeasureForm
    kwargs = {} if finding.is_locked else {"organisation": finding.organisation}
    form = form_class(request.POST or None, instance=measure, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                measure=measure, form=form, progress_only=finding.is_locked, by=request.user
            )
        except services.RecordLocked:
            return _refuse_locked(request, back, UNSAVED)
        except VersionConflict:
            form.add_error(None, CONFLICT)
        else:
            _report_cleaned_text(request, form)
            messages.success(request, "操作成功：整改措施已保存。")
            return _render_findings(request, meeting=finding.meeting, finding=finding)
    context = {
        "form": form,
        "action": reverse("meetings:measure_edit", args=[measure.pk]),
        "title": "更新整改进展" if finding.is_locked else "编辑整改措施",
        "back_url": back.get_absolute_url(),
    }
    return _render_form(request, "record_form.html", context, f"#measure-slot-{finding.pk}")


@login_required
@require_POST
def measure_delete(request, pk):
    measure = get_measure_for_user(request.user, pk, write=True)
    finding = measure.finding
    try:
        services.measure_delete(measure=measure)
    except services.RecordLocked:
        return _refuse_locked(request, finding.meeting or finding)
    messages.success(request, "操作成功：整改措施已删除。")
    return _render_findings(request, meeting=finding.meeting, finding=finding)


# ---------------------------------------------------------------------------
# 更正: a confirmed record corrected by the secretary, with a reason, as long
# as its quarter's report has not been approved.
# ---------------------------------------------------------------------------


def _save_correction(request, form, finding):
    """False (with the reason on the form) if the correction was refused."""
    try:
        services.record_correct(form=form, finding=finding, by=request.user, request=request)
    except services.CorrectionRefused:
        form.add_error(None, CORRECTION_REFUSED)
        return False
    except VersionConflict:
        form.add_error(None, CONFLICT)
        return False
    return True


def _correct(request, *, obj, finding, form_class, template, slot, **form_kwargs):
    back = (finding.meeting or finding).get_absolute_url()
    if not finding.is_locked:
        messages.info(request, "会议记录尚未确认，可直接编辑。")
        return _redirect(request, back)
    if services.quarter_approved(finding):
        messages.error(request, CORRECTION_REFUSED)
        return _redirect(request, back)
    form = form_class(request.POST or None, instance=obj, **form_kwargs)
    if request.method == "POST" and form.is_valid() and _save_correction(request, form, finding):
        _report_cleaned_text(request, form)
        messages.success(request, "操作成功：已更正，更正说明已记入历史记录。")
        return _render_findings(request, meeting=finding.meeting, finding=finding)
    context = {
        "form": form,
        "action": request.path,
        "title": "更正问题" if obj is finding else f"更正整改措施：{finding.title}",
        "back_url": back,
    }
    return _render_form(request, template, context, slot)


@login_required
@require_http_methods(["GET", "POST"])
def finding_correct(request, pk):
    finding = get_finding_for_user(request.user, pk, manage=True)
    return _correct(
        request,
        obj=finding,
        finding=finding,
        form_class=FindingCorrectionForm,
        template="record_form.html",
        slot=f"#finding-{finding.pk}",
        organisation=finding.organisation,
        meeting=finding.meeting,
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_correct(request, pk):
    measure = get_measure_for_user(request.user, pk, manage=True)
    return _correct(
        request,
        obj=measure,
        finding=measure.finding,
        form_class=MeasureCorrectionForm,
        template="record_form.html",
        slot=f"#measure-slot-{measure.finding_id}",
        organisation=measure.finding.organisation,
    )


@login_required
@require_POST
def measure_close(request, pk):
    measure = get_measure_for_user(request.user, pk)
    finding = measure.finding
    try:
        closed = services.measure_close(measure=measure, by=request.user, request=request)
    except services.ClosureRefused as refused:
        messages.error(request, f"未销号：{refused.message}")
    else:
        if closed:
            messages.success(request, "操作成功：整改措施已销号。")
        else:
            messages.info(request, "该整改措施此前已销号。")
    return redirect(finding.meeting or finding)


@login_required
@require_POST
def measure_return(request, pk):
    measure = get_measure_for_user(request.user, pk)
    finding = measure.finding
    check_measure_closure(request.user, measure)  # a refusal before a missing reason
    form = MeasureReturnForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, f"未退回：{error}")
        return redirect(finding.meeting or finding)
    try:
        services.measure_return(
            measure=measure, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except services.ClosureRefused as refused:
        messages.error(request, f"未退回：{refused.message}")
    else:
        messages.success(request, "操作成功：整改措施已退回整改中，退回原因已显示在措施上。")
    return redirect(finding.meeting or finding)


@login_required
@require_POST
def evidence_upload(request, pk):
    measure = get_measure_for_user(request.user, pk, write=True)
    finding = measure.finding
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        services.evidence_add(measure=measure, form=form, by=request.user)
        messages.success(request, "操作成功：佐证材料已上传。")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"佐证材料未上传：{error}")
    return redirect(finding.meeting or finding)


# ---------------------------------------------------------------------------
# 问题台账 / 整改台账
# ---------------------------------------------------------------------------


LEDGER_PAGES = {"findings": "meetings:finding_ledger", "measures": "meetings:measure_ledger"}
RECENT_EXPORTS = 5


def _ledger_context(request, kind):
    """The ledger page's filters, rows and the user's own recent exports of it."""
    form = ledgers.filter_form(kind, request.user, request.GET)
    filters = form.filters()
    exports = report_files.listed(
        GeneratedFile.objects.filter(
            kind=GeneratedFile.Kind.LEDGER, requested_by=request.user, content__ledger=kind
        )
    ).order_by("-pk")[:RECENT_EXPORTS]
    return {
        "form": form,
        "rows": _rows(
            request,
            f"meetings/includes/{ledgers.ROW_NAMES[kind]}_rows.html",
            (kind, sorted(filters.items())),
            lambda: _page(request, ledgers.page_rows(kind, request.user, filters)),
        ),
        "export_filters": list(filters.items()),
        "exports": exports,
    }


def _rows(request, template, parts, page):
    """A list's rows and pages, cached by the versions of the organisations the
    user sees (reports.pagecache.branch_fragment): `parts`, the list's valid
    filters, and the page asked for; `page()`, that page of rows."""
    query = _query_without_page(request)
    return pagecache.branch_fragment(
        template,
        get_scope(request.user),
        (*parts, request.GET.get("page", ""), query),
        lambda: render_to_string(template, {"page": page(), "query": query}, request),
    )


@login_required
@require_safe
def finding_ledger(request):
    context = _ledger_context(request, "findings")
    context["can_create"] = bool(get_scope(request.user).editable_organisations)
    return render(request, "meetings/finding_ledger.html", context)


@login_required
@require_safe
def measure_ledger(request):
    return render(request, "meetings/measure_ledger.html", _ledger_context(request, "measures"))


@login_required
@require_POST
@transaction.non_atomic_requests  # the record is committed before its task is queued
def ledger_export(request, kind):
    """导出台账: record the export with the valid filters on screen and queue its
    task; the worker builds the XLSX in the requester's scope."""
    if kind not in ledgers.KINDS:
        raise Http404("没有该台账。")  # and no audit row: nothing was exported
    form = ledgers.filter_form(kind, request.user, request.POST)
    filters = form.filters()
    summary = ledgers.describe(form, filters)
    query = urlencode(filters)
    target = f"{reverse(LEDGER_PAGES[kind])}{'?' + query if query else ''}#exports"
    file, new = ledgers.record_export(kind=kind, filters=filters, summary=summary, by=request.user)
    if not new:
        messages.info(request, "相同筛选条件的台账正在导出，完成后可在下方下载。")
        return redirect(target)
    try:
        file = ledgers.queue_export(file)
    except report_exports.ExportError as error:
        messages.error(request, error.message)
        return redirect(target)
    if file.status == GeneratedFile.Status.DONE:
        messages.success(request, "台账已生成，可在下方下载。")
    elif file.status == GeneratedFile.Status.FAILED:
        messages.error(request, "台账导出失败，原因见下方，可重试。")
    else:
        messages.success(request, "已开始导出台账，完成后可在下方下载。")
    return redirect(target)


# ---------------------------------------------------------------------------
# 导出会议记录 / 导出会议记录本: through Celery, shown with the usual status
# ---------------------------------------------------------------------------


def _queue_record(request, file, new, target, what):
    if new:
        try:
            file = records.queue(file)
        except report_exports.ExportError as error:
            messages.error(request, error.message)
            return redirect(target)
    if file.status == GeneratedFile.Status.DONE:
        messages.info(request, f"{what}已生成，可在下方下载。")
    elif file.status == GeneratedFile.Status.FAILED:
        messages.error(request, f"{what}导出失败，原因见下方，可重试。")
    elif new:
        messages.success(request, f"已开始导出{what}，完成后可在下方下载。")
    else:
        messages.info(request, f"相同内容的{what}正在导出，完成后可在下方下载。")
    return redirect(target)


@login_required
@require_POST
@transaction.non_atomic_requests  # the record is committed before its task is queued
def record_export(request, pk):
    """导出会议记录: whoever sees a confirmed meeting exports its record."""
    meeting = get_meeting_for_user(request.user, pk)
    target = f"{meeting.get_absolute_url()}#exports"
    try:
        file, new = records.record_file(meeting=meeting, by=request.user)
    except records.NotExported as refused:
        messages.error(request, refused.message)
        return redirect(target)
    return _queue_record(request, file, new, target, "会议记录")


@login_required
@require_POST
@transaction.non_atomic_requests  # the record is committed before its task is queued
def record_book_export(request):
    """导出会议记录本: a year's confirmed meetings of one organisation the user sees."""
    target = f"{reverse('meetings:list')}#exports"
    year = parse_int(request.POST.get("year") or str(today().year), low=2000, high=today().year + 1)
    if year is None:
        messages.error(request, "请选择正确的年度。")
        return redirect(target)
    chosen = request.POST.get("organisation") or records.default_organisation_id(request.user)
    organisation = get_organisation_for_user(request.user, chosen)  # another's: 404
    try:
        file, new = records.book_file(organisation=organisation, year=year, by=request.user)
    except records.NotExported as refused:
        messages.error(request, refused.message)
        return redirect(target)
    return _queue_record(request, file, new, target, "会议记录本")


def _query_without_page(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
