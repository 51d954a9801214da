"""Every write to meetings, their attachments, findings and measures.

Views check who may (meetings.access) and validate (the forms); the functions
here write. Each takes keyword-only arguments and a validated form where there
is one (the form claims its version and builds the instance; the service
decides when, under which lock, and saves).

A meeting's content may change only while it is a draft. Every such write
first locks the meeting's row and reads its status again (`_lock_draft`), so
that a confirmation under way is waited for and then refuses the write: a
status read earlier, before the lock, may already be stale.
"""

from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from django.db import transaction
from django.utils import timezone

from ideology_review import audit
from reports import pagecache
from reports.models import QuarterlyReport

from .access import check_measure_closure
from .models import Measure, Meeting


class RecordLocked(Exception):
    """The meeting is confirmed (perhaps a moment ago): nothing was written."""


def _lock_draft(meeting):
    """Lock the meeting's row (inside a transaction) and make sure it is still a
    draft; a finding without a meeting (另行发现) is never locked."""
    if meeting is None:
        return None
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if current.is_confirmed:
        raise RecordLocked
    return current


def meeting_create(*, form, by):
    """登记会议: the form's meeting with its attendees."""
    with transaction.atomic():
        meeting = form.save(commit=False)
        meeting.created_by = by
        meeting.save()
        form.save_m2m()
    return meeting


def meeting_update(*, meeting, form):
    """Save the form's fields of a draft meeting (VersionConflict if it was
    saved by someone else since the form was opened, RecordLocked if confirmed)."""
    with transaction.atomic():
        _lock_draft(meeting)
        edited = form.save(commit=False)  # claims the version
        # Only the form's own fields: never write back a stale status.
        edited.save(
            update_fields=[f for f in form.Meta.fields if f != "attendees"]
            + ["year", "quarter", "updated_at"]
        )
        form.save_m2m()
    return edited


def meeting_delete(*, meeting):
    with transaction.atomic():
        _lock_draft(meeting)
        meeting.delete()


def meeting_confirm(*, meeting, by, request=None):
    """确认会议记录: the record is locked from now on. False if it was confirmed
    already (a repeated click)."""
    with transaction.atomic():
        updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.DRAFT).update(
            status=Meeting.Status.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=by
        )
        if updated:
            # A queryset update sends no signal: the 工作台's cache is told, and
            # the audit row is written, here.
            pagecache.organisations_changed({meeting.organisation_id})
            audit.record(
                meeting,
                event="确认会议记录",
                request=request,
                actor=by,
                action=audit.UPDATE,
                changes={"status": ["草稿", "已确认"]},
            )
    return bool(updated)


def attachment_add(*, meeting, form, by):
    """An attachment (签到表, 会议照片 …) of a draft meeting."""
    with transaction.atomic():
        _lock_draft(meeting)
        attachment = form.save(commit=False)
        attachment.meeting = meeting
        attachment.uploaded_by = by
        attachment.save()
    return attachment


def finding_create(*, form, by, meeting=None):
    """A finding of a draft meeting (numbered after the others), or one found
    elsewhere (另行发现, meeting=None)."""
    with transaction.atomic():
        _lock_draft(meeting)  # also keeps two findings added at once from sharing a number
        finding = form.save(commit=False)
        finding.created_by = by
        if meeting is not None:
            finding.order = meeting.findings.count() + 1
        finding.save()
    return finding


def finding_update(*, finding, form):
    with transaction.atomic():
        _lock_draft(finding.meeting)
        return form.save()  # claims the version


def finding_delete(*, finding):
    with transaction.atomic():
        _lock_draft(finding.meeting)
        finding.delete()


def mark_done(measure, *, previous, by):
    """A measure set to 已完成 (by its 责任人 or anyone who edits it) waits for
    销号 as 待销号, stamped with who and when; one reopened loses the stamp.
    `previous` is the status before the form changed it."""
    S = Measure.Status
    if measure.status in (S.DONE, S.PENDING_CLOSURE):
        if previous == S.PENDING_CLOSURE:
            measure.status = S.PENDING_CLOSURE  # still waiting: the first stamp stands
            return
        measure.status = S.PENDING_CLOSURE
        measure.done_by, measure.done_at = by, timezone.now()
        measure.return_reason = ""
    elif measure.status != S.CLOSED:
        measure.done_by = measure.done_at = None


def measure_create(*, finding, form, by=None):
    with transaction.atomic():
        _lock_draft(finding.meeting)
        measure = form.save(commit=False)
        measure.finding = finding
        measure.order = finding.measures.count() + 1
        mark_done(measure, previous=None, by=by)
        measure.save()
    return measure


def measure_update(*, measure, form, progress_only=False, by=None):
    """A measure of a draft meeting, or only its progress (整改进展), which
    goes on after the record is confirmed."""
    with transaction.atomic():
        if not progress_only:
            _lock_draft(measure.finding.meeting)
        mark_done(form.instance, previous=form.initial.get("status"), by=by)
        return form.save()  # claims the version


def measure_delete(*, measure):
    with transaction.atomic():
        _lock_draft(measure.finding.meeting)
        measure.delete()


def evidence_add(*, measure, form, by):
    """佐证材料 of a measure: evidence of progress, also after confirmation."""
    evidence = form.save(commit=False)
    evidence.measure = measure
    evidence.uploaded_by = by
    evidence.save()
    return evidence


def open_upload(stored, *, by):
    """下载 an attachment or evidence: the audit row, then the open file
    (FileNotFoundError when the stored file is gone). The request's address is
    stamped by the audit middleware."""
    audit.record(stored, event="下载", actor=by)
    return stored.file.open("rb")


# ---------------------------------------------------------------------------
# 更正: a confirmed record corrected by the secretary, with a reason, as long
# as its quarter's report has not been approved.
# ---------------------------------------------------------------------------


class CorrectionRefused(Exception):
    """The quarter's report has been approved: its records are closed."""


def quarter_approved(record, *, lock=False):
    """Has the quarter of this meeting or finding an approved report? Then its
    records are part of what the propaganda department accepted: no 更正."""
    reports = QuarterlyReport.objects.filter(
        organisation_id=record.organisation_id, year=record.year, quarter=record.quarter
    )
    if lock:
        # Wait for an approval under way (it locks the report row) and see its outcome.
        return any(r.status == QuarterlyReport.Status.APPROVED for r in reports.select_for_update())
    return reports.filter(status=QuarterlyReport.Status.APPROVED).exists()


def record_correct(*, form, finding, by, request=None):
    """更正 a confirmed finding or measure (the form's instance): under a row
    lock, against the version the form was opened at, with one audit row
    holding every changed field (old → new) and the 更正说明. CorrectionRefused
    if the quarter's report was approved, VersionConflict on a lost race."""
    model = type(form.instance)
    with transaction.atomic():
        before = model.objects.select_for_update().get(pk=form.instance.pk)
        if quarter_approved(finding, lock=True):
            raise CorrectionRefused
        form.claim_version()
        if model is Measure:
            mark_done(form.instance, previous=before.status, by=by)
        # The signal-written row would hold the changes without the reason:
        # this one row holds both.
        with disable_auditlog():
            corrected = form.save()
        audit.record(
            corrected,
            event="更正",
            request=request,
            actor=by,
            action=audit.UPDATE,
            changes=model_instance_diff(before, corrected),
            更正说明=form.cleaned_data["reason"],
        )
    return corrected


# ---------------------------------------------------------------------------
# 销号: a measure its owner marked 已完成 is 待销号 until someone else — a
# secretary of its organisation or a reviewer of it — verifies it against its
# 佐证材料 (已销号) or sends it back with a reason (整改中).
# ---------------------------------------------------------------------------


class ClosureRefused(Exception):
    """销号 or 退回 refused, with the reason to show; nothing was written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _lock_measure(measure, by):
    """The measure's row, locked and read again, after the permission check
    (NotPermitted) on what it holds now: who marked it done may have changed."""
    current = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("finding__organisation", "responsible_person")
        .get(pk=measure.pk)
    )
    check_measure_closure(by, current)
    return current


def _close_or_return(current, *, to, by, event, request, fields, **data):
    before = current.status
    current.status = to
    current.version += 1  # a progress form opened before this is now stale
    # One audit row with the event (and reason) instead of the signal's.
    with disable_auditlog():
        current.save(update_fields=["status", "version", "updated_at", *fields])
    audit.record(
        current,
        event=event,
        request=request,
        actor=by,
        action=audit.UPDATE,
        changes={"status": [before, to]},
        **data,
    )


def measure_close(*, measure, by, request=None):
    """销号: verify a 待销号 measure that has 佐证材料 as 已销号, stamped with the
    verifier and the time. NotPermitted for its owner and for users who neither
    manage nor review its organisation; ClosureRefused without evidence or when
    it is not awaiting 销号. False if it was 已销号 already (a repeated click)."""
    with transaction.atomic():
        current = _lock_measure(measure, by)
        if current.status == Measure.Status.CLOSED:
            return False
        if not current.awaits_closure:
            raise ClosureRefused("该整改措施尚未标记为已完成，不能销号。")
        if not current.evidence.exists():
            raise ClosureRefused("该整改措施还没有佐证材料，须上传佐证材料后才能销号。")
        current.closed_by, current.closed_at = by, timezone.now()
        current.return_reason = ""
        _close_or_return(
            current,
            to=Measure.Status.CLOSED,
            by=by,
            event="销号",
            request=request,
            fields=["closed_by", "closed_at", "return_reason"],
        )
    return True


def measure_return(*, measure, by, reason, request=None):
    """退回: send a 待销号 measure back to 整改中 with a reason, which the measure
    shows until it is marked 已完成 again. The same people as 销号 may."""
    with transaction.atomic():
        current = _lock_measure(measure, by)
        if not current.awaits_closure:
            raise ClosureRefused("该整改措施不是待销号状态，不能退回。")
        current.return_reason = reason
        current.done_by = current.done_at = current.completed_at = None
        _close_or_return(
            current,
            to=Measure.Status.IN_PROGRESS,
            by=by,
            event="退回",
            request=request,
            fields=["return_reason", "done_by", "done_at", "completed_at"],
            退回原因=reason,
        )
    return current
