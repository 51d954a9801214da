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

from django.db import transaction
from django.utils import timezone

from ideology_review import audit

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
