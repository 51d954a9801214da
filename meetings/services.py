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
from reports.models import QuarterlyReport

from .models import Meeting


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
            # A queryset update sends no signal: the audit row is written here.
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


def measure_create(*, finding, form):
    with transaction.atomic():
        _lock_draft(finding.meeting)
        measure = form.save(commit=False)
        measure.finding = finding
        measure.order = finding.measures.count() + 1
        measure.save()
    return measure


def measure_update(*, measure, form, progress_only=False):
    """A measure of a draft meeting, or only its progress (整改进展), which
    goes on after the record is confirmed."""
    with transaction.atomic():
        if not progress_only:
            _lock_draft(measure.finding.meeting)
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
