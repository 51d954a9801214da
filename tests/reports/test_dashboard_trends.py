"""统计分析's trends over the last eight quarters (issue 13 item 7): quarterly
reports on time against their 报送截止日期, findings by category, 整改完成率 and
销号率; and the page's query count, the same for 1 branch or 50."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from ideology_review.lib.periods import HalfYear, Period, Year
from meetings.models import Measure, Organisation
from reports import statistics
from reports.models import Deadline, QuarterlyReport

from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    OrganisationFactory,
    QuarterlyReportFactory,
)

pytestmark = pytest.mark.django_db
Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status
S = Measure.Status
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=LOCAL)


def test_the_eight_quarters_end_with_the_periods_last():
    assert statistics.trend_quarters(Period(2026, 3))[0] == Period(2024, 4)
    assert statistics.trend_quarters(Period(2026, 3))[-1] == Period(2026, 3)
    assert statistics.trend_quarters(HalfYear(2026, 1))[-1] == Period(2026, 2)
    assert statistics.trend_quarters(Year(2025)) == [
        *(Period(2024, q) for q in (1, 2, 3, 4)),
        *(Period(2025, q) for q in (1, 2, 3, 4)),
    ]


def reported(org, quarter, submitted_at, status=Status.SUBMITTED):
    return QuarterlyReportFactory(
        organisation=org, quarter=quarter, status=status, submitted_at=submitted_at, round=1
    )


def test_reports_on_time_are_those_handed_in_by_their_due_date(world):
    school, hospital = world.branch, world.other_branch
    reported(school, 3, at(2026, 10, 10, 23, 59))  # the last minute of the due day
    reported(hospital, 3, at(2026, 10, 11, 0, 1), Status.APPROVED)  # a minute late
    reported(school, 2, at(2026, 7, 3), Status.APPROVED)
    reported(hospital, 2, at(2026, 7, 3), Status.RETURNED)  # not handed in
    # the 宣传部 set the second quarter's date earlier than the default
    Deadline.objects.create(
        organisation=world.department,
        kind=Kind.QUARTERLY,
        year=2026,
        quarter=2,
        due_date=datetime.date(2026, 7, 2),
    )
    visible = statistics.Q(pk__in=[school.pk, hospital.pk])
    rows = {
        row["period"]: row
        for row in statistics.trends(visible, Period(2026, 3), world.department)["on_time"]
    }
    q3, q2 = rows[Period(2026, 3)], rows[Period(2026, 2)]
    assert (q3["should"], q3["handed_in"], q3["on_time"], q3["rate"]) == (2, 2, 1, 50.0)
    assert q3["due"] == datetime.date(2026, 10, 10)
    assert (q2["handed_in"], q2["on_time"], q2["due"]) == (1, 0, datetime.date(2026, 7, 2))
    # without the 审核单位, the default dates
    defaults = statistics.trends(visible, Period(2026, 3))["on_time"]
    assert [r["on_time"] for r in defaults if r["period"] == Period(2026, 2)] == [1]


def test_findings_by_category_and_rectification_per_quarter(world, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 12, 3))
    school = world.branch

    def finding(date, *statuses):
        f = FindingFactory(meeting=MeetingFactory(organisation=school, date=date))
        for status in statuses:
            MeasureFactory(finding=f, status=status)
        return f

    finding(datetime.date(2026, 5, 1), S.CLOSED, S.DONE, S.IN_PROGRESS, S.NOT_STARTED)
    finding(datetime.date(2026, 8, 1), S.CLOSED)
    finding(datetime.date(2024, 9, 1), S.DONE)  # before the eight quarters
    # another committee's branch is not in the reviewer's numbers
    other = OrganisationFactory(parent=world.other_committee, must_report=True)
    FindingFactory(meeting=MeetingFactory(organisation=other, date=datetime.date(2026, 8, 2)))
    visible = statistics.Q(pk__in=[world.branch.pk, world.other_branch.pk])
    trends = statistics.trends(visible, Period(2026, 3))
    (row,) = trends["categories"]
    assert row["counts"] == [0, 0, 0, 0, 0, 0, 1, 1] and row["total"] == 2
    rectification = {r["period"]: r for r in trends["rectification"]}
    q2, q3 = rectification[Period(2026, 2)], rectification[Period(2026, 3)]
    assert (q2["measures"], q2["done"], q2["rate"], q2["closed"], q2["closed_rate"]) == (
        4,
        2,
        50.0,
        1,
        25.0,
    )
    assert (q3["rate"], q3["closed_rate"]) == (100.0, 100.0)
    assert rectification[Period(2025, 1)]["rate"] is None


def test_the_page_shows_each_chart_with_its_table(client, world):
    client.force_login(world.reviewer)
    body = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3}).content.decode()
    assert body.count('class="trend-chart"') == 3
    assert '<script id="trend-data" type="application/json">' in body
    assert "/static/vendor/echarts/echarts.min.js" in body
    assert "/static/js/trends.js" in body
    assert "近八个季度趋势（2024年第四季度至2026年第三季度）" in body


def branches(world, n):
    for i in range(n):
        org = OrganisationFactory(
            parent=world.committee, must_report=True, name=f"中共青山县第{i}号支部委员会"
        )
        f = FindingFactory(
            meeting=MeetingFactory(organisation=org, date=datetime.date(2026, 8, 1)),
            risk_level="高",
        )
        MeasureFactory(finding=f)
        reported(org, 3, at(2026, 10, 9))
    assert Organisation.objects.filter(must_report=True).count() == n + 2


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize("kind", [Kind.QUARTERLY, Kind.DUTY])
def test_the_page_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, n, kind):
    branches(world, n)
    client.force_login(world.reviewer)
    # session, user, scope; the precomputed rows (reports.figures): those stale
    # by the date, the units' eight quarters, the categories of the matrix and of
    # the trends; the reports by status and 应报 (a 述职报告: one aggregate of the
    # secretaries' rows); on time (deadlines, reports); page count, rows;
    # 报告审核's count and the 通知 bell (base.html), the user's person; bundles
    # (a quarter's only), high risk (chosen, then annotated), 退回原因 (2); the
    # session's save (3); the records' version (reports.pagecache)
    with django_assert_num_queries(25 if kind == Kind.QUARTERLY else 23):
        response = client.get(reverse("reports:dashboard"), {"kind": kind, "year": 2026})
    assert response.context["summary"]["should"] == n + 2
    assert len(response.context["high_risk"]) == min(n, statistics.HIGH_RISK_SHOWN)


@pytest.mark.parametrize("n", [1, 50])
def test_the_xlsx_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, n):
    branches(world, n)
    client.force_login(world.reviewer)
    with django_assert_num_queries(19):  # the page's, less its menu and list; with 退回原因 (2)
        response = client.get(reverse("reports:dashboard_xlsx"), {"year": 2026, "quarter": 3})
    assert response.status_code == 200
