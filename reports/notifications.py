"""通知 and 催报 (issue 13 item 2).

Two sources of notifications:
- events, sent where they happen (`reports.services`): a report returned (to
  the branch's editors) or resubmitted (to its reviewers);
- reminders, computed once a day by `send_reminders` (the Celery beat task
  `reports.send_reminders`; in the embedded default `manage.py send_reminders`,
  which `make run` runs at start): a report due in 7 days and not handed in,
  a report overdue, a measure due in 7 days or overdue (to its 责任人 and the
  secretary), no analysis meeting yet this quarter after its sixth week.

Every notification has a key naming its event; (recipient, key) is unique, so a
reminder computed twice — or by two workers at once — is stored once. A 催报
is a notification the reviewer sends to the branches they choose, once a day
per report. Where EMAIL_URL is configured, a new notification is also mailed
(after the transaction commits, by a Celery task).
"""

import datetime

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from ideology_review.lib.periods import Period, cn_date
from meetings.access import (
    REVIEWING_PARTY_ROLES,
    REVIEWING_TYPES,
    WRITE_ROLES,
    organisations_reviewed_by,
    reviewing_organisation,
)
from meetings.models import Measure, Meeting, Membership, Organisation, today

from .choices import period_kind_name
from .deadlines import OVERDUE_DAYS, due_dates, period_columns, periods_around
from .kinds import OFFICE_HOLDERS
from .models import Notification, QuarterlyReport

Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status
N = Notification.Kind
SOON_DAYS = 7
# "每季度至少召开1次" — after the sixth week of a quarter without one, remind.
MEETING_WEEKS = 6
HANDED_IN = QuarterlyReport.HANDED_IN


def topic_of(kind, period):
    """The report a reminder or 催报 is about: "quarterly:2026-3-0"."""
    year, quarter, half = period_columns(period)
    return f"{kind}:{year}-{quarter}-{half}"


def notify(recipients, kind, key, text, *, url="", organisation=None, topic="", sender=None):
    """Store one notification per recipient for the event `key`, unless they
    have it already; mail the new ones where email is configured. Returns how
    many were new."""
    created = 0
    for user in {u.pk: u for u in recipients}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    key=key[:200],
                    text=text,
                    url=url,
                    organisation=organisation,
                    topic=topic,
                    sender=sender,
                )
        except IntegrityError:
            continue  # this user has this event already (or another run stored it)
        created += 1
        if settings.NOTIFY_BY_EMAIL and user.email:
            transaction.on_commit(lambda pk=note.pk: _queue_email(pk))
    return created


def _queue_email(pk):
    # By name: reports.tasks imports this module (the task is registered in ready()).
    current_app.tasks["reports.email_notification"].delay(notification_id=pk)


def send_email(notification_id):
    """Mail one notification (the worker side of EMAIL_URL); once."""
    note = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if note is None or not note.recipient.email:
        return False
    url = f"{settings.SITE_URL.rstrip('/')}{note.url}" if settings.SITE_URL and note.url else ""
    send_mail(
        f"【意识形态分析研判管理系统】{note.get_kind_display()}",
        note.text + (f"\n\n{url}" if url else ""),
        None,
        [note.recipient.email],
    )
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


def mark_read(user, pk):
    """标为已读 one of the user's own notifications (None: not theirs or none)."""
    note = Notification.objects.filter(recipient=user, pk=pk).first()
    if note is not None and note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
    return note


def mark_all_read(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# ---------------------------------------------------------------------------
# Who hears about what
# ---------------------------------------------------------------------------


def branch_users(organisation_ids, roles=WRITE_ROLES):
    """{organisation id: [users]}: the editors (书记、宣传委员 …) with an account;
    `roles=(MANAGER,)`: the secretaries."""
    out = {}
    memberships = Membership.objects.filter(
        organisation_id__in=list(organisation_ids),
        role__in=roles,
        person__user__isnull=False,
        person__user__is_active=True,
    ).select_related("person__user")
    for m in memberships:
        out.setdefault(m.organisation_id, []).append(m.person.user)
    return out


def reviewers_of(reviewing):
    """The users who review for `reviewing` (a 宣传部's reviewers, a committee's
    书记/副书记/宣传委员 with an account)."""
    if reviewing is None:
        return []
    if reviewing.org_type == Organisation.OrgType.PROPAGANDA:
        q = Q(role=Membership.Role.REVIEWER)
    else:
        q = Q(party_role__in=REVIEWING_PARTY_ROLES, person__is_active=True)
    return [
        m.person.user
        for m in Membership.objects.filter(
            q, organisation=reviewing, person__user__isnull=False, person__user__is_active=True
        ).select_related("person__user")
    ]


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def report_returned(report, by):
    users = branch_users([report.organisation_id]).get(report.organisation_id, [])
    return notify(
        users,
        N.RETURNED,
        f"returned:{report.pk}:{report.round}",
        f"{report.name}被退回修改：{report.review_comment[:80]}",
        url=report.get_absolute_url(),
        organisation=report.organisation,
        sender=by,
    )


def report_resubmitted(report, by):
    users = reviewers_of(reviewing_organisation(report.organisation))
    return notify(
        users,
        N.RESUBMITTED,
        f"resubmitted:{report.pk}:{report.round}",
        f"{report.organisation.display_short_name}已重新提交{report.name}（第{report.round}次提交）",
        url=report.get_absolute_url(),
        organisation=report.organisation,
        sender=by,
    )


# ---------------------------------------------------------------------------
# 催报
# ---------------------------------------------------------------------------


def urge(*, reviewer, organisations, kind, period, on=None):
    """催报 to the editors of `organisations` about `kind` for `period`: once a
    day per organisation and report. Returns the organisations reminded now."""
    on = on or today()
    topic = topic_of(kind, period)
    users = branch_users([org.pk for org in organisations])
    name = period_kind_name(kind, period)
    sender = getattr(reviewer, "person", None)
    reminded = []
    for org in organisations:
        count = notify(
            users.get(org.pk, []),
            N.URGE,
            f"urge:{org.pk}:{topic}:{on.isoformat()}",
            f"催报：请尽快报送{name}。（{sender.name if sender else reviewer.get_username()}）",
            url=reverse("reports:list"),
            organisation=org,
            topic=topic,
            sender=reviewer,
        )
        if count:
            reminded.append(org)
    return reminded


def last_urged(organisation_ids, topics):
    """{(organisation id, topic): when last urged} for the 审核工作台 (one query)."""
    rows = (
        Notification.objects.filter(
            kind=N.URGE, organisation_id__in=list(organisation_ids), topic__in=list(topics)
        )
        .values("organisation_id", "topic")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    return {(row["organisation_id"], row["topic"]): row["last"] for row in rows}


# ---------------------------------------------------------------------------
# The daily reminders
# ---------------------------------------------------------------------------


def send_reminders(on=None):
    """Every reminder due on `on` (default today); what was sent before is not
    sent again. Returns {kind: how many new notifications}."""
    on = on or today()
    counts = {}
    for kind, n in (
        *_report_reminders(on),
        *_measure_reminders(on),
        *_meeting_reminders(on),
    ):
        counts[kind] = counts.get(kind, 0) + n
    return counts


def _reviewing_organisations():
    """Every organisation reports go to: the 宣传部, and the committees with a reviewer."""
    departments = list(Organisation.objects.filter(org_type=Organisation.OrgType.PROPAGANDA))
    committees = Organisation.objects.filter(
        org_type__in=REVIEWING_TYPES,
        memberships__party_role__in=REVIEWING_PARTY_ROLES,
        memberships__person__user__isnull=False,
        memberships__person__is_active=True,
    ).distinct()
    return departments + list(committees)


def _report_reminders(on):
    for reviewing in _reviewing_organisations():
        ids = set(
            Organisation.objects.filter(
                pk__in=list(organisations_reviewed_by([reviewing])), must_report=True
            ).values_list("pk", flat=True)
        )
        if not ids:
            continue
        wanted = [(kind, period) for kind in Kind for period in periods_around(kind, on)]
        for (kind, period), due in due_dates(reviewing, wanted).items():
            days, name = (due - on).days, period_kind_name(kind, period)
            if 0 <= days <= SOON_DAYS:
                what, text = N.DUE, f"{name}将于{cn_date(due)}截止报送，尚未提交。"
            elif 0 < -days <= OVERDUE_DAYS:
                what, text = N.OVERDUE, f"{name}已逾期（截止{cn_date(due)}），请尽快报送。"
            else:
                continue
            yield what, _remind_missing(ids, kind, period, what, text)


def _remind_missing(ids, kind, period, what, text):
    year, quarter, half = period_columns(period)
    handed_in = QuarterlyReport.objects.filter(
        organisation_id__in=ids, kind=kind, year=year, quarter=quarter, half=half
    ).filter(status__in=HANDED_IN)
    topic = topic_of(kind, period)
    sent = 0
    if kind == Kind.DUTY:
        # 述职报告: each office-holder with an account whose own is not handed in.
        done = set(handed_in.values_list("person_id", flat=True))
        holders = Membership.objects.filter(
            organisation_id__in=ids,
            party_role__in=OFFICE_HOLDERS,
            person__user__isnull=False,
            person__user__is_active=True,
        ).select_related("person__user", "organisation")
        for m in holders:
            if m.person_id not in done:
                sent += notify(
                    [m.person.user],
                    what,
                    f"{what}:{m.organisation_id}:{topic}:{m.person_id}",
                    text,
                    url=reverse("reports:list"),
                    organisation=m.organisation,
                    topic=topic,
                )
        return sent
    missing = ids - set(handed_in.values_list("organisation_id", flat=True))
    organisations = Organisation.objects.in_bulk(missing)
    for org_id, users in branch_users(missing).items():
        sent += notify(
            users,
            what,
            f"{what}:{org_id}:{topic}",
            text,
            url=reverse("reports:list"),
            organisation=organisations[org_id],
            topic=topic,
        )
    return sent


def _measure_reminders(on):
    soon = Measure.objects.filter(
        status__in=Measure.OPEN_STATUSES,
        deadline__gte=on,
        deadline__lte=on + datetime.timedelta(days=SOON_DAYS),
    )
    overdue = Measure.objects.filter(status__in=Measure.OPEN_STATUSES, deadline__lt=on)
    for what, measures in ((N.MEASURE_DUE, soon), (N.MEASURE_OVERDUE, overdue)):
        measures = list(
            measures.select_related("finding__organisation", "responsible_person__user")
        )
        secretaries = branch_users(
            {m.finding.organisation_id for m in measures}, roles=(Membership.Role.MANAGER,)
        )
        sent = 0
        for m in measures:
            users = list(secretaries.get(m.finding.organisation_id, []))
            owner = m.responsible_person.user if m.responsible_person_id else None
            if owner is not None and owner.is_active:
                users.append(owner)
            state = "将于" if what == N.MEASURE_DUE else "已于"
            sent += notify(
                users,
                what,
                f"{what}:{m.pk}:{m.deadline.isoformat()}",
                f"整改措施“{m.content[:40]}”{state}{cn_date(m.deadline)}到期"
                + ("。" if what == N.MEASURE_DUE else "，尚未完成。"),
                url=m.finding.get_absolute_url(),
                organisation=m.finding.organisation,
            )
        yield what, sent


def _meeting_reminders(on):
    period = Period.of(on)
    start, _ = period.bounds()
    if on < start + datetime.timedelta(weeks=MEETING_WEEKS):
        return
    held = Meeting.objects.filter(year=period.year, quarter=period.quarter).values(
        "organisation_id"
    )
    missing = set(
        Organisation.objects.filter(must_report=True)
        .exclude(pk__in=held)
        .values_list("pk", flat=True)
    )
    sent = 0
    organisations = Organisation.objects.in_bulk(missing)
    for org_id, users in branch_users(missing).items():
        sent += notify(
            users,
            N.NO_MEETING,
            f"no_meeting:{org_id}:{period.year}-{period.quarter}",
            f"{period.label}已过六周，尚未召开意识形态分析研判会议。",
            url=reverse("meetings:create"),
            organisation=organisations[org_id],
        )
    yield N.NO_MEETING, sent
