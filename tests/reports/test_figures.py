"""统计分析 from precomputed rows (reports.figures, issue 14): after any sequence
of edits, submissions, approvals, returns, deletions, moves between 审核单位
and days passing, the precomputed page equals the live computation
(reports.statistics) for every reviewer — a property test (hypothesis)."""

import datetime
import random
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideology_review.lib.periods import HalfYear, Period, Year
from meetings.access import get_scope
from meetings.models import Finding, FindingCategory, Measure, Meeting, Organisation
from reports import figures, services, statistics
from reports.models import QuarterFigures, QuarterlyReport, UnitFigures

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, QuarterlyReportFactory

pytestmark = pytest.mark.django_db

S = Measure.Status
LEVELS = [level for level, _ in Finding.RiskLevel.choices]
QUARTERS = [(2025, 4), (2026, 1), (2026, 2), (2026, 3)]
START = datetime.date(2026, 10, 10)
Kind = QuarterlyReport.Kind


class Clock:
    def __init__(self, monkeypatch):
        self.day = START
        monkeypatch.setattr("meetings.models.today", lambda: self.day)


def live(scope, period, kind):
    """The page's numbers as reports.statistics computes them, counting records."""
    visible = scope.reviewed_q()
    rows = statistics.branch_rows(visible, period, kind)
    return {
        "summary": statistics.branch_totals(rows),
        "rows": _rows(rows),
        "categories": _matrix(statistics.category_matrix(visible, period)),
        "trends": _trends(statistics.trends(visible, period)),
    }


def precomputed(scope, period, kind):
    units = None if scope.everything else list(scope.reviewing)
    data = figures.statistics_page(units, scope.reviewed_q(), period, kind)
    return {
        "summary": data["summary"],
        "rows": _rows(data["rows"]),
        "categories": _matrix(data["categories"]),
        "trends": _trends(data["trends"]),
    }


def _rows(rows):
    return [
        (
            o.pk,
            o.report_status,
            o.finding_count,
            o.measure_count,
            o.done_count,
            o.closed_count,
            o.overdue_count,
        )
        for o in rows
    ]


def _matrix(categories):
    return [(row["category"].pk, row["cells"], row["total"]) for row in categories]


def _trends(trends):
    return {
        "on_time": [(r["handed_in"], r["on_time"], r["should"]) for r in trends["on_time"]],
        "categories": sorted(
            (r["category"].pk, r["counts"], r["total"]) for r in trends["categories"]
        ),
        "rectification": [
            (r["measures"], r["done"], r["closed"], r["rate"], r["closed_rate"])
            for r in trends["rectification"]
        ],
    }


TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
CACHED_PAGES = [("reports:dashboard", {"year": 2026, "quarter": 3}), ("reports:workbench", {})]


def served(client, users):
    """The reviewer pages as each user is served them (masked CSRF tokens)."""
    out = []
    for user in users:
        client.force_login(user)
        for name, params in CACHED_PAGES:
            response = client.get(reverse(name), params)
            out.append(TOKEN.sub(r"\1…", response.content.decode()))
    return out


def assert_pages_agree(world, chain, client, op):
    """The pages served (from reports.pagecache where it holds them) equal
    those built afresh with the cache emptied, or a change did not move the
    records' version on."""
    users = (world.reviewer, chain.committee_reviewer)
    cached = served(client, users)
    cache.clear()
    same = cached == served(client, users)
    assert same, f"after {op}, a cached reviewer page differs from a fresh one"


def assert_agree(world, chain):
    for user in (world.reviewer, chain.committee_reviewer, world.admin):
        user._ideology_scope = None
        scope = get_scope(user)
        for period, kind in (
            (Period(2026, 3), Kind.QUARTERLY),
            (HalfYear(2026, 1), Kind.HALF_YEAR),
            (Year(2026), Kind.ANNUAL),
        ):
            assert precomputed(scope, period, kind) == live(scope, period, kind), (
                user.username,
                period,
            )


OPERATIONS = [
    "finding",
    "finding",
    "finding",
    "measure",
    "measure",
    "measure",
    "measure_status",
    "finding_edit",
    "meeting_move",
    "delete_measure",
    "delete_finding",
    "delete_meeting",
    "report",
    "report",
    "must_report",
    "reviewing",
    "reviewer_leaves",
    "days",
]
STEPS = 30


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32))
def test_precomputed_statistics_equal_the_live_computation(world, chain, client, monkeypatch, seed):
    """30 steps in a random order (each kind at least once, hypothesis chooses
    the seed), the two computations compared every fifth step; after every
    step the cached reviewer pages (reports.pagecache) equal fresh ones."""
    rng = random.Random(seed)
    ops = OPERATIONS + [rng.choice(OPERATIONS) for _ in range(STEPS - len(OPERATIONS))]
    rng.shuffle(ops)
    steps = [(op, rng.randrange(10_000), rng.randrange(10_000)) for op in ops]
    clock = Clock(monkeypatch)
    categories = list(FindingCategory.objects.all())
    branches = [world.branch, world.other_branch, chain.village, chain.township]
    # each example from the same start: its changes are rolled back after it
    # (and the cached pages emptied: a rollback restores the records without
    # moving their version on — a test's doing; the pages are built outside
    # transactions, GETs running in autocommit)
    cache.clear()
    with transaction.atomic():
        for obj in [*branches, chain.committee_reviewer]:
            obj.refresh_from_db()
        for i, (op, a, b) in enumerate(steps, 1):
            apply(op, a, b, world, chain, branches, categories, clock)
            assert_pages_agree(world, chain, client, op)
            if i % 5 == 0 or i == len(steps):
                assert_agree(world, chain)
        transaction.set_rollback(True)


def pick(queryset, n):
    count = queryset.count()
    return queryset.order_by("pk")[n % count] if count else None


def apply(op, a, b, world, chain, branches, categories, clock):
    org = branches[a % len(branches)]
    if op == "finding":
        year, quarter = QUARTERS[b % len(QUARTERS)]
        meeting = MeetingFactory(
            organisation=org, date=datetime.date(year, 3 * quarter - 1, 1 + b % 28)
        )
        FindingFactory(
            organisation=org,
            meeting=meeting,
            category=categories[b % len(categories)],
            risk_level=LEVELS[a % len(LEVELS)],
        )
    elif op == "measure" and (finding := pick(Finding.objects, a)):
        MeasureFactory(
            finding=finding,
            status=list(S)[b % len(S)],
            deadline=clock.day + datetime.timedelta(days=b % 40 - 20),
            long_term=b % 7 == 0,
        )
    elif op == "measure_status" and (measure := pick(Measure.objects, a)):
        measure.status = list(S)[b % len(S)]
        measure.deadline = clock.day + datetime.timedelta(days=b % 30 - 10)
        measure.save()
    elif op == "finding_edit" and (finding := pick(Finding.objects, a)):
        finding.risk_level = LEVELS[b % len(LEVELS)]
        finding.category = categories[b % len(categories)]
        finding.save()
    elif op == "meeting_move" and (meeting := pick(Meeting.objects, a)):
        year, quarter = QUARTERS[b % len(QUARTERS)]
        meeting.date = datetime.date(year, 3 * quarter - 2, 1 + b % 28)
        meeting.save()
    elif op == "delete_measure" and (measure := pick(Measure.objects, a)):
        measure.delete()
    elif op == "delete_finding" and (finding := pick(Finding.objects, a)):
        finding.delete()
    elif op == "delete_meeting" and (meeting := pick(Meeting.objects, a)):
        meeting.delete()
    elif op == "report":
        report_step(org, a, b, world, chain)
    elif op == "must_report":
        org.must_report = not org.must_report
        org.save()
    elif op == "reviewing":
        # a branch's 审核单位 set to the 宣传部 (or back to the default rule)
        org.reviewing_organisation = None if org.reviewing_organisation_id else world.department
        org.save()
    elif op == "reviewer_leaves":
        # the 镇党委's 书记 loses (or regains) the account: its villages go up
        user = chain.committee_reviewer
        user.is_active = not user.is_active
        user.save()
    elif op == "days":
        clock.day += datetime.timedelta(days=1 + b % 15)


def report_step(org, a, b, world, chain):
    """A quarterly report of 2026 Q3 written, submitted, approved or returned."""
    report = QuarterlyReport.objects.filter(
        organisation=org, kind=Kind.QUARTERLY, year=2026, quarter=3
    ).first()
    if report is None:
        QuarterlyReportFactory(organisation=org, year=2026, quarter=3)
        return
    secretary = {
        world.branch.pk: world.secretary,
        world.other_branch.pk: world.outsider,
        chain.village.pk: chain.village_secretary,
        chain.township.pk: chain.committee_reviewer,
    }[org.pk]
    Status = QuarterlyReport.Status
    reviewer = chain.committee_reviewer if org == chain.village else world.reviewer
    try:
        if report.status in (Status.DRAFT, Status.RETURNED):
            if not report.items.exists():
                services.report_assemble(report=report, by=secretary)
            if report.status == Status.RETURNED:
                services.report_resubmit(report=report, by=secretary, accept_warnings=True)
            else:
                services.report_submit(report=report, by=secretary, accept_warnings=True)
        elif report.status == Status.SUBMITTED and b % 2:
            services.report_approve(report=report, by=reviewer)
        elif report.status == Status.SUBMITTED:
            services.report_return(report=report, by=reviewer, comment="请补充整改情况。")
    except (services.ReportError, PermissionDenied):
        pass  # refused (a check failed, an account gone): nothing changed


def test_the_rows_are_kept_on_every_change(world, monkeypatch):
    """The precomputed rows themselves, step by step (what the property test
    sums): a measure that turns 已逾期 overnight is counted once the day comes."""
    clock = Clock(monkeypatch)
    meeting = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 8, 1))
    finding = FindingFactory(organisation=world.branch, meeting=meeting, risk_level="高")
    row = QuarterFigures.objects.get(organisation=world.branch, year=2026, quarter=3)
    assert (row.findings, row.high, row.measures) == (1, 1, 0)
    measure = MeasureFactory(
        finding=finding, status=S.IN_PROGRESS, deadline=clock.day, long_term=False
    )
    row.refresh_from_db()
    assert (row.measures, row.overdue, row.overdue_from) == (
        1,
        0,
        clock.day + datetime.timedelta(days=1),
    )
    clock.day += datetime.timedelta(days=1)
    assert figures.refresh_due() == 1
    row.refresh_from_db()
    assert row.overdue == 1 and row.overdue_from is None
    unit = UnitFigures.objects.get(unit=world.department.pk, year=2026, quarter=3)
    assert (unit.findings, unit.overdue) == (1, 1)
    measure.status = S.DONE
    measure.save()
    unit.refresh_from_db()
    assert (unit.done, unit.overdue) == (1, 0)
    meeting.date = datetime.date(2026, 4, 1)  # to the second quarter
    meeting.save()
    assert not QuarterFigures.objects.filter(year=2026, quarter=3).exists()
    assert QuarterFigures.objects.get(year=2026, quarter=2).findings == 1
    world.branch.must_report = False
    world.branch.save()
    assert UnitFigures.objects.get(unit=world.department.pk, year=2026, quarter=2).findings == 0
    meeting.delete()
    assert not QuarterFigures.objects.exists()
    assert figures.rebuild() == 0


def test_rows_loaded_with_some_columns_keep_the_figures_right(world, monkeypatch):
    """A finding, measure or meeting read with only() a few columns (as the
    pages read them) and then saved or deleted moves the rows it was counted in."""
    Clock(monkeypatch)
    meeting = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 8, 1))
    finding = FindingFactory(organisation=world.branch, meeting=meeting, risk_level="高")
    MeasureFactory(finding=finding, status=S.NOT_STARTED, deadline=START)
    other = FindingFactory(organisation=world.branch, meeting=meeting)

    def counts(quarter):
        row = QuarterFigures.objects.filter(
            organisation=world.branch, year=2026, quarter=quarter
        ).first()
        return (row.findings, row.measures) if row else (0, 0)

    assert counts(3) == (2, 1)
    spring = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 5, 1))
    moved = Finding.objects.only("pk").get(pk=other.pk)  # year, quarter deferred
    moved.meeting = spring
    moved.save()
    assert (counts(3), counts(2)) == ((1, 1), (1, 0))
    Measure.objects.only("pk").get(finding=finding).delete()
    assert counts(3) == (1, 0)
    Finding.objects.only("title").get(pk=finding.pk).delete()
    assert counts(3) == (0, 0)
    renamed = Meeting.objects.only("pk", "title").get(pk=meeting.pk)
    renamed.title = "改了名的会议"
    renamed.save()
    assert counts(2) == (1, 0)
    assert_rows_match_a_rebuild()


def assert_rows_match_a_rebuild():
    kept = sorted(
        QuarterFigures.objects.values_list(
            "organisation_id", "year", "quarter", "findings", "measures"
        )
    )
    figures.rebuild()
    assert (
        sorted(
            QuarterFigures.objects.values_list(
                "organisation_id", "year", "quarter", "findings", "measures"
            )
        )
        == kept
    )


def test_rebuild_gives_the_rows_the_changes_kept(world, chain, monkeypatch):
    Clock(monkeypatch)
    for org in (world.branch, chain.village):
        meeting = MeetingFactory(organisation=org, date=datetime.date(2026, 8, 1))
        finding = FindingFactory(organisation=org, meeting=meeting)
        MeasureFactory(finding=finding, status=S.NOT_STARTED, deadline=START)
    kept = sorted(QuarterFigures.objects.values_list("organisation_id", "findings", "measures"))
    units = sorted(UnitFigures.objects.values_list("unit", "year", "quarter", "findings"))
    assert figures.rebuild() == 2
    assert (
        sorted(QuarterFigures.objects.values_list("organisation_id", "findings", "measures"))
        == kept
    )
    assert sorted(UnitFigures.objects.values_list("unit", "year", "quarter", "findings")) == units
    assert {u for u, *_ in units} == {world.department.pk, chain.township.pk}
    assert Organisation.objects.get(pk=chain.village.pk).review_unit_id == chain.township.pk


def test_the_demo_loaded_in_one_deferred_pass_has_the_same_numbers(monkeypatch):
    """load_demo recomputes review units and precomputed rows once, at the end
    of its records (meetings.signals.deferred): what it leaves equals the live
    computation, and every organisation's unit is the live rule's."""
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    from ideology_review.demo import load_demo
    from meetings.access import reviewing_organisation

    load_demo()
    for org in Organisation.objects.all():
        expected = reviewing_organisation(org)
        assert org.review_unit_id == (expected.pk if expected else None), org.name
    assert QuarterFigures.objects.exists() and UnitFigures.objects.exists()
    User = get_user_model()
    for username in ("zhouxiaofeng", "luojianhua", "admin"):
        scope = get_scope(User.objects.get(username=username))
        for period, kind in ((Period(2026, 3), Kind.QUARTERLY), (Year(2026), Kind.ANNUAL)):
            assert precomputed(scope, period, kind) == live(scope, period, kind), username
