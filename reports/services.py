"""Everything that changes a quarterly report: its status, assembly and content.

Each public function takes keyword-only arguments. Status changes go through
`_transition`, which checks the move against `QuarterlyReport.TRANSITIONS`,
checks the actor's right, locks the row, stamps times, freezes the content of
a submission and writes a ReportEvent (审核记录). Content writes (报告信息,
paragraphs, 一键汇总) take the same row lock (`_editable`) and refuse a report
that was submitted in the meantime, so that nothing is written into a report
under review.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ideology_review import audit
from ideology_review.lib.periods import HALF_NAMES, QUARTER_NAMES, Period, period_of
from meetings.access import NotPermitted, check_report_action, get_scope

from . import assembly, kinds, notifications, summaries
from .changes import round_changes
from .checks import check_report
from .comments import find_anchor
from .content import build_report_data
from .models import (
    QuarterlyReport,
    ReportComment,
    ReportEvent,
    ReportItem,
    ReportSubmission,
    ReviewPoint,
)

Status = QuarterlyReport.Status
Kind = QuarterlyReport.Kind
Action = QuarterlyReport.Action


class ReportError(Exception):
    """A refused action, with a message for the user."""

    def __init__(self, message, problems=(), existing=None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.existing = existing  # report_create: the report of that period, to go to


class ReportLocked(ReportError):
    """The report is no longer a draft (submitted or reviewed, perhaps a moment
    ago): nothing was written."""


class ActionRefused(ReportError, NotPermitted):
    """The actor may not take this action at all: a ReportError to the
    service's callers, a 403 to the views (which let NotPermitted through)."""


def default_title(organisation, year, quarter):
    """中共{组织全称}关于{年}年第{季度}季度意识形态领域分析研判情况的报告"""
    return kinds.default_title(Kind.QUARTERLY, organisation, Period(year, quarter))


def report_create(*, organisation, year, quarter=0, by, kind=Kind.QUARTERLY, half=0, person=None):
    """A new draft of the kind for the period, with the kind's default title,
    addressee and 落款; a 述职报告 belongs to `person`, an office-holder of the
    organisation (one report per person and year)."""
    if not get_scope(by).can_edit(organisation.pk):
        raise ReportError("您没有为该组织新建报告的权限。")
    period_type = QuarterlyReport.PERIOD_OF_KIND[kind]
    quarter = quarter if period_type == "quarter" else 0
    half = half if period_type == "half" else 0
    if (period_type == "quarter" and quarter not in QUARTER_NAMES) or (
        period_type == "half" and half not in HALF_NAMES
    ):
        raise ReportError("请选择正确的报告期间。")
    if kind == Kind.DUTY:
        if person is None or not kinds.office_holders(organisation).filter(person=person).exists():
            raise ReportError("述职报告须选择本组织的述职人（书记、副书记或委员）。")
    else:
        person = None
    period = period_of(year, quarter, half)
    try:
        with transaction.atomic():
            return QuarterlyReport.objects.create(
                organisation=organisation,
                kind=kind,
                year=year,
                quarter=quarter,
                half=half,
                person=person,
                title=kinds.default_title(kind, organisation, period),
                addressee=kinds.default_addressee(kind, organisation),
                signatory=kinds.default_signatory(kind, organisation, person),
                created_by=by,
            )
    except IntegrityError:
        existing = QuarterlyReport.objects.filter(
            organisation=organisation, kind=kind, year=year, quarter=quarter, half=half
        )
        existing = existing.filter(person=person).first()
        label = Kind(kind).label
        whose = f"{person.name}的" if person else ""
        if kind == Kind.QUARTERLY:
            raise ReportError(f"{period.label}的报告已存在。", existing=existing) from None
        raise ReportError(f"{whose}{period.label}{label}已存在。", existing=existing) from None


def report_assemble(*, report, by):
    """一键汇总: refresh the assembled parts, keep everything written by hand."""
    if not get_scope(by).can_edit(report.organisation_id):
        raise ReportError("您没有修改该报告的权限。")
    with _editable(report) as locked:
        # The quarterly report has its own assembly; the other kinds share summaries'.
        generate = assembly.generate if locked.is_quarterly else summaries.generate
        written = assembly.apply(locked, generate(locked))
        # bulk_create sends no signals: one audit row for the whole assembly.
        audit.record(locked, event="一键汇总", actor=by, action=audit.UPDATE, 生成段落=written)
        locked.assembled_at = timezone.now()
        locked.save(update_fields=["assembled_at", "updated_at"])
    return written


def report_submit(*, report, by, accept_warnings=False):
    return _transition(report, Action.SUBMIT, by, accept_warnings=accept_warnings)


def report_resubmit(*, report, by, accept_warnings=False):
    return _transition(report, Action.RESUBMIT, by, accept_warnings=accept_warnings)


def report_withdraw(*, report, by):
    return _transition(report, Action.WITHDRAW, by)


def report_approve(*, report, by, comment="", points=None):
    """`points`: the 审核要点 the reviewer ticked (None: no checklist was offered)."""
    return _transition(report, Action.APPROVE, by, comment=comment, points=points)


def report_return(*, report, by, comment="", points=None):
    """A return needs a 审核意见, an unticked 审核要点 (its reason) or a 批注 on the round."""
    return _transition(report, Action.RETURN, by, comment=comment, points=points)


def _checklist(points):
    """The active 审核要点 as decided: a copy for the record, and the unmet ones.
    Nothing ticked is a checklist not used (no reasons), not six reasons."""
    if not points:
        return [], []
    ticked = {point.pk for point in points}
    active = list(ReviewPoint.objects.filter(is_active=True))
    checklist = [{"name": p.name, "reason": p.return_reason, "met": p.pk in ticked} for p in active]
    return checklist, [p for p in active if p.pk not in ticked]


def _transition(
    report, action, by, *, comment="", accept_warnings=False, run_checks=True, points=None
):
    # Who may is a matter of memberships, not of the row: checked first, so that
    # someone who may never do this is refused (403) before anything else is said.
    try:
        check_report_action(by, report, action)
    except NotPermitted as refused:
        raise ActionRefused(refused.message) from None
    comment = (comment or "").strip()
    checklist, unmet = _checklist(points) if action in (Action.APPROVE, Action.RETURN) else ([], [])
    # A return without a word needs its reasons elsewhere: the points left
    # unticked, or the 批注 on the round (counted under the lock, below).
    needs_comments = action == Action.RETURN and not comment and not unmet
    if action == Action.RETURN and not comment and unmet:
        comment = "退回原因：" + "、".join(point.return_reason for point in unmet) + "。"
    with transaction.atomic():
        # The row lock makes two reviewers acting at once take turns; the
        # second then sees the status the first left and is refused.
        locked = (
            QuarterlyReport.objects.select_for_update(of=("self",))
            .select_related("organisation__parent")
            .get(pk=report.pk)
        )
        target = QuarterlyReport.TRANSITIONS.get((locked.status, action))
        if target is None:
            if _already_done(locked.status, action):
                return locked, None  # a repeated click: nothing to do
            raise ReportError(
                f"该报告当前状态为“{locked.get_status_display()}”，"
                f"不能执行“{Action(action).label}”。可能已被其他人处理，请刷新页面查看。"
            )
        if needs_comments:
            comments = locked.comments.filter(submission__round=locked.round).count()
            if not comments:
                raise ReportError(
                    "退回修改必须填写审核意见。也可以勾选已达到的审核要点，未勾选的即为退回原因；"
                    "或对段落、台账添加批注。"
                )
            comment = f"请按{comments}条批注修改。"
        submission = None
        now = timezone.now()
        if action in (Action.SUBMIT, Action.RESUBMIT):
            items = list(locked.items.filter(excluded=False))
            # run_checks=False exists for the demo data only, which recreates a
            # report that was submitted (and returned) with mistakes in it.
            problems = check_report(locked, items) if run_checks else []
            errors = [p for p in problems if p.is_error]
            if errors:
                raise ReportError("报告未通过提交前检查，请修改后再提交。", errors)
            warnings = [p for p in problems if not p.is_error]
            if warnings and not accept_warnings:
                raise ReportError("报告有需要确认的提示，请确认后再提交。", warnings)
            locked.round += 1
            locked.submitted_at = now
            if locked.issue_date is None:
                # A submitted report always carries its 成文日期 (editable before submitting).
                locked.issue_date = timezone.localdate(now)
            content = build_report_data(locked, items)
            previous = locked.submissions.order_by("-round").only("content").first()
            submission = ReportSubmission.objects.create(
                report=locked,
                round=locked.round,
                content=content,
                # the reviewer's “与上一轮相比的修改”, computed once, here
                changes=round_changes(previous.content, content) if previous else None,
                submitted_by=by,
            )
        if action in (Action.APPROVE, Action.RETURN):
            locked.reviewed_at = now
            locked.review_comment = comment
        from_status = locked.status
        locked.status = target
        locked.save(
            update_fields=[
                "status",
                "round",
                "submitted_at",
                "reviewed_at",
                "review_comment",
                "issue_date",
                "updated_at",
            ]
        )
        audit.record(
            locked,
            event=str(Action(action).label),
            actor=by,
            action=audit.UPDATE,
            changes={"status": [str(Status(from_status).label), str(Status(target).label)]},
            意见=comment,
        )
        event = ReportEvent.objects.create(
            report=locked,
            action=action,
            from_status=from_status,
            to_status=target,
            actor=by,
            comment=comment,
            submission=submission,
            checklist=checklist,
        )
        if action == Action.RETURN and unmet:
            event.unmet_points.set(unmet)
        # 通知: the branch hears of a return, the reviewers of a resubmission.
        if action == Action.RETURN:
            notifications.report_returned(locked, by)
        elif action == Action.RESUBMIT:
            notifications.report_resubmitted(locked, by)
    return locked, event


def _already_done(status, action):
    """The state asked for is the state the report is in (a double click):
    derived from the transition table, so a new move brings its own no-op."""
    return (action, status) in ALREADY_DONE


# (action, status) pairs where the action would lead to the status the report is in.
ALREADY_DONE = {(action, target) for (_, action), target in QuarterlyReport.TRANSITIONS.items()}


# ---------------------------------------------------------------------------
# Content: 报告信息 and paragraphs
# ---------------------------------------------------------------------------


@contextmanager
def _editable(report):
    """The report's row, locked for a change to its content (inside a
    transaction); ReportLocked if it can no longer be edited."""
    with transaction.atomic():
        current = QuarterlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if not current.is_editable:
            raise ReportLocked(f"报告{current.get_status_display()}，不能修改。")
        yield current


def report_update_info(*, report, form):
    """报告信息 (the form's fields; VersionConflict on a lost race). A chosen
    结束语 template replaces the closing paragraph in the same locked write."""
    with _editable(report) as current:
        form.claim_version()
        # Only the form's own fields: never write back a stale status or round.
        form.save(commit=False).save(update_fields=[*form.Meta.fields, "updated_at"])
        template = form.cleaned_data.get("closing_template")
        if template is not None:
            text = assembly.CLOSING_TEMPLATES[template].format(self=report.organisation.self_name)
            current.items.filter(section=ReportItem.Section.CLOSING, excluded=False).delete()
            ReportItem.objects.create(
                report=current,
                section=ReportItem.Section.CLOSING,
                order=10,
                body=text,
                source_key="closing",
            )


def item_add(*, report, section, form):
    """A paragraph written by hand, after the others of its section."""
    with _editable(report) as current:
        item = form.save(commit=False)
        item.report = current
        item.section = section
        last = current.items.filter(section=section).aggregate(m=Max("order"))["m"] or 0
        item.order = last + 10
        item.origin = ReportItem.Origin.MANUAL
        item.save()
    return item


def item_update(*, item, form):
    """Save an edited paragraph (VersionConflict on a lost race)."""
    with _editable(item.report):
        form.claim_version()
        item = form.save(commit=False)
        # An edited assembled paragraph becomes the secretary's own: 一键汇总 keeps it.
        item.origin = ReportItem.Origin.MANUAL
        item.save()
    return item


def item_delete(*, item):
    with _editable(item.report):
        item_exclude(item=item)


def item_move(*, item, direction, by, request=None):
    """Move a paragraph one place up or down within its section."""
    with _editable(item.report) as current:
        siblings = list(
            current.items.filter(section=item.section, excluded=False).order_by("order", "pk")
        )
        index = siblings.index(item)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, sibling in enumerate(siblings, start=1):
                sibling.order = position * 10
            ReportItem.objects.bulk_update(siblings, ["order"])
            audit.record(
                current, event="调整段落顺序", request=request, actor=by, action=audit.UPDATE
            )


def item_exclude(*, item):
    """Remove a paragraph; one that came from a record (even if edited since) is
    remembered, so that 一键汇总 does not bring it back."""
    if item.source_key:
        item.excluded = True
        item.save(update_fields=["excluded"])
    else:
        item.delete()


# ---------------------------------------------------------------------------
# 批注: the reviewer's comments on a submitted round, marked 已修改 by the branch
# ---------------------------------------------------------------------------


class CommentRefused(ReportError):
    """A 批注 that cannot be written now (the report is no longer under review …)."""


COMMENT_MAX = 2000


def comment_add(*, report, by, anchor, body):
    """批注 on one paragraph or 台账 row of the round under review, by a reviewer
    of the report (ActionRefused otherwise), while it is 待审核. The quoted
    words are copied from the round's frozen content."""
    if not get_scope(by).can_review(report.organisation):
        raise ActionRefused("只有该报告审核单位的审核人可以批注该报告。")
    body = (body or "").strip()
    if not body:
        raise CommentRefused("请填写批注内容。")
    if len(body) > COMMENT_MAX:
        raise CommentRefused(f"批注不能超过{COMMENT_MAX}字。")
    with transaction.atomic():
        # Under the report's lock: a 审核通过/退回修改 at the same moment either
        # sees this 批注 or makes it refused.
        locked = QuarterlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if locked.status != Status.SUBMITTED:
            raise CommentRefused(
                f"报告{locked.get_status_display()}，只能在待审核时批注。可能已被其他人处理，请刷新页面查看。"
            )
        submission = locked.submissions.get(round=locked.round)
        place = find_anchor(submission.content, anchor or "")
        if place is None:
            raise CommentRefused("批注的段落不存在，请刷新页面后重试。")
        kind, quote = place
        return ReportComment.objects.create(
            report=locked,
            submission=submission,
            kind=kind,
            anchor=anchor,
            quote=quote,
            body=body,
            author=by,
        )


def comment_delete(*, comment, by):
    """删除 one's own 批注 while the round is still under review."""
    if comment.author_id != by.pk:
        raise ActionRefused("只能删除自己的批注。")
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update(of=("self",)).get(pk=comment.report_id)
        if locked.status != Status.SUBMITTED or comment.submission.round != locked.round:
            raise CommentRefused("报告已审核，批注不能再删除。")
        comment.delete()


def comment_mark_addressed(*, comment, by):
    """已修改: an editor of the branch marks a 批注 of the returned round as
    dealt with (who and when); the next round's reviewer sees it. False if it
    was marked already (a repeated click)."""
    report = comment.report
    if not get_scope(by).can_edit(report.organisation_id):
        raise ActionRefused("只有本组织的书记、副书记或宣传委员可以标记批注已修改。")
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
        if locked.status != Status.RETURNED or comment.submission.round != locked.round:
            raise CommentRefused("只有退回修改的报告可以标记批注已修改。")
        current = ReportComment.objects.select_for_update().get(pk=comment.pk)
        if current.is_addressed:
            return False
        current.addressed_at, current.addressed_by = timezone.now(), by
        current.save(update_fields=["addressed_at", "addressed_by"])
    return True
