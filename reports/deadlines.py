"""报送截止日期 and what is due (issue 12 item 4): each kind's period and default
due date from the seeds' cadence, overridden per 审核单位 by a `Deadline` row
(admin), and the 工作台's list of the reports due in the next 30 days.

Defaults (ideology_review.lib.periods): a quarterly report by the 10th day after
the quarter ends; the first half-year's by 7月15日 (the second's by 1月15日);
the year's summary, 述职报告 and network report by 1月20日 of the next year.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from ideology_review.lib.periods import HalfYear, Period, Year
from meetings.access import get_scope
from meetings.models import Organisation, Person

from .choices import period_kind_name
from .kinds import OFFICE_HOLDERS
from .models import Deadline, QuarterlyReport

Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status
WINDOW_DAYS = 30
# An unsubmitted report stays on the list this long after its date has passed.
OVERDUE_DAYS = 180
PERIOD_TYPES = {"quarter": Period, "half": HalfYear, "year": Year}


def period_columns(period):
    """The (year, quarter, half) columns of a report or deadline of `period`."""
    return period.year, getattr(period, "quarter", 0), getattr(period, "half", 0)


def periods_around(kind, today):
    """The kind's period that has just ended and the one under way."""
    current = PERIOD_TYPES[QuarterlyReport.PERIOD_OF_KIND[kind]].of(today)
    return [current.previous(), current]


def due_dates(reviewing, wanted):
    """{(kind, period): due date} for `wanted` (kind, period) pairs, as set by
    the reviewing organisation `reviewing` (an Organisation or its id, or None),
    the default otherwise. One query."""
    wanted = list(wanted)
    overrides = {}
    if reviewing is not None and wanted:
        # The organisation's few rows of those years, matched here: one plain WHERE
        # instead of an OR of every (kind, period) wanted, which cost more to build
        # than to run.
        years = {period.year for _, period in wanted}
        for row in Deadline.objects.filter(organisation=reviewing, year__in=years):
            overrides[(row.kind, row.period)] = row.due_date
    return {pair: overrides.get(pair, pair[1].due_date()) for pair in wanted}


def due_date(organisation, kind, period):
    """The 报送截止日期 of `organisation`'s report of `kind` for `period`."""
    # the stored 审核单位, read afresh (the instance may predate a change): one query
    unit = Organisation.objects.filter(pk=organisation.pk).values_list("review_unit_id", flat=True)
    return due_dates(unit.first(), [(kind, period)])[(kind, period)]


@dataclass
class Due:
    """One report an organisation owes: its kind, period, due date and, once
    created, the report (its state)."""

    organisation: object
    kind: str
    period: object
    due: datetime.date
    report: QuarterlyReport | None
    person: Person | None = None
    today: datetime.date | None = None

    @property
    def label(self):
        return Kind(self.kind).label

    @property
    def name(self):
        return period_kind_name(self.kind, self.period)

    @property
    def days_left(self):
        return (self.due - self.today).days

    @property
    def days_overdue(self):
        return -self.days_left

    @property
    def overdue(self):
        return self.days_left < 0 and not self.handed_in

    @property
    def handed_in(self):
        return self.report is not None and self.report.status in QuarterlyReport.HANDED_IN

    @property
    def state(self):
        return self.report.get_status_display() if self.report else "未新建"


def due_reports(user, organisations, today, window=WINDOW_DAYS):
    """What `organisations` (the user's own, that report) owe: every report due
    within `window` days, and every one whose date passed in the last
    OVERDUE_DAYS and that is not handed in, soonest first; and the next due
    date after the window (for the empty list). A 述职报告 is the user's own,
    where they hold an office.
    Queries: 1 per organisation (its 审核单位's dates) and 1 in all (the user's
    offices come with their scope)."""
    organisations = [org for org in organisations if org.must_report]
    if not organisations:
        return [], None
    wanted = [(kind, period) for kind in Kind for period in periods_around(kind, today)]
    reports = {}
    rows = QuarterlyReport.objects.filter(
        organisation__in=organisations,
        year__in={period.year for _, period in wanted},
    ).filter(Q(person__isnull=True) | Q(person__user=user))
    # The list shows a report's state and links to it: not its 22 columns.
    rows = rows.only("organisation", "kind", "year", "quarter", "half", "status")
    for report in rows:
        reports[(report.organisation_id, report.kind, report.period)] = report
    # The offices the user holds there: their memberships came with the scope.
    memberships = get_scope(user).memberships
    holders = {
        org.pk: memberships[org.pk].person
        for org in organisations
        if org.pk in memberships and memberships[org.pk].party_role in OFFICE_HOLDERS
    }
    out, later = [], []
    for org in organisations:
        dates = due_dates(org.review_unit_id, wanted)
        for (kind, period), due in dates.items():
            if kind == Kind.DUTY and org.pk not in holders:
                continue
            item = Due(
                organisation=org,
                kind=kind,
                period=period,
                due=due,
                report=reports.get((org.pk, kind, period)),
                person=holders.get(org.pk) if kind == Kind.DUTY else None,
                today=today,
            )
            late = item.overdue and item.days_overdue <= OVERDUE_DAYS
            if 0 <= item.days_left <= window or late:
                out.append(item)
            elif item.days_left > window:
                later.append(item)
    out.sort(key=lambda item: (item.due, item.organisation.path, item.kind))
    return out, min(later, key=lambda item: item.due, default=None)
