"""报送截止日期 (issue 12 item 4): each kind's default date from the seeds'
cadence, a reviewing organisation's own dates in the admin, and the 工作台's
list of the reports due in the next 30 days with their state."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ideology_review.lib.periods import HalfYear, Period, Year
from meetings.models import today
from reports import deadlines, services
from reports.models import Deadline, QuarterlyReport

from ..factories import make_report

Kind = QuarterlyReport.Kind
D = datetime.date


@pytest.mark.parametrize(
    "kind, period, due",
    [
        (Kind.QUARTERLY, Period(2026, 3), D(2026, 10, 10)),
        (Kind.QUARTERLY, Period(2026, 4), D(2027, 1, 10)),
        (Kind.HALF_YEAR, HalfYear(2026, 1), D(2026, 7, 15)),
        (Kind.HALF_YEAR, HalfYear(2026, 2), D(2027, 1, 15)),
        (Kind.ANNUAL, Year(2026), D(2027, 1, 20)),
        (Kind.DUTY, Year(2026), D(2027, 1, 20)),
        (Kind.NETWORK, Year(2026), D(2027, 1, 20)),
    ],
)
def test_each_kind_has_the_seeds_default_date(world, kind, period, due):
    assert deadlines.due_date(world.branch, kind, period) == due


def test_the_reviewing_organisation_sets_its_own_date(world, chain):
    Deadline.objects.create(
        organisation=world.department,
        kind=Kind.QUARTERLY,
        year=2026,
        quarter=3,
        due_date=D(2026, 10, 8),
    )
    # another 审核单位's date does not move it; another kind or period neither
    Deadline.objects.create(
        organisation=chain.township,
        kind=Kind.QUARTERLY,
        year=2026,
        quarter=3,
        due_date=D(2026, 10, 5),
    )
    Deadline.objects.create(
        organisation=world.department, kind=Kind.ANNUAL, year=2025, due_date=D(2026, 1, 10)
    )
    assert deadlines.due_date(world.branch, Kind.QUARTERLY, Period(2026, 3)) == D(2026, 10, 8)
    assert deadlines.due_date(world.branch, Kind.QUARTERLY, Period(2026, 2)) == D(2026, 7, 10)
    assert deadlines.due_date(world.branch, Kind.ANNUAL, Year(2026)) == D(2027, 1, 20)
    # the village reports to the 镇党委 (issue 12 item 3): the 镇党委's date holds
    assert deadlines.due_date(chain.village, Kind.QUARTERLY, Period(2026, 3)) == D(2026, 10, 5)


def test_a_deadline_names_a_period_of_its_kind():
    with pytest.raises(ValidationError) as error:
        Deadline(kind=Kind.QUARTERLY, year=2026, due_date=D(2026, 10, 1)).clean()
    assert "须选择季度" in str(error.value)
    with pytest.raises(ValidationError) as error:
        Deadline(kind=Kind.ANNUAL, year=2026, quarter=2, due_date=D(2026, 10, 1)).clean()
    assert "只有季度分析研判报告按季度报送" in str(error.value)


def due_names(user, organisations, on):
    items, _ = deadlines.due_reports(user, organisations, on)
    return [(item.name, item.due, item.state, item.person and item.person.name) for item in items]


def test_the_list_holds_what_is_due_in_30_days_and_what_is_late(world):
    on = D(2026, 10, 1)  # Q3 due 10月10日; 上半年 late since 7月15日; 2025年度 too long ago
    assert due_names(world.secretary, [world.branch], on) == [
        ("2026年上半年分析研判报告", D(2026, 7, 15), "未新建", None),
        ("2026年第三季度分析研判报告", D(2026, 10, 10), "未新建", None),
    ]
    # 12月25日: the year's reports (1月20日) and Q4 (1月10日) come into the window;
    # the 述职报告 is the secretary's own; 上半年 and Q3 are still late
    assert due_names(world.secretary, [world.branch], D(2026, 12, 25)) == [
        ("2026年上半年分析研判报告", D(2026, 7, 15), "未新建", None),
        ("2026年第三季度分析研判报告", D(2026, 10, 10), "未新建", None),
        ("2026年第四季度分析研判报告", D(2027, 1, 10), "未新建", None),
        ("2026年下半年分析研判报告", D(2027, 1, 15), "未新建", None),
        ("2026年度意识形态工作总结", D(2027, 1, 20), "未新建", None),
        ("2026年度落实意识形态工作责任制述职报告", D(2027, 1, 20), "未新建", "王丽华"),
        ("2026年度网络意识形态工作情况报告", D(2027, 1, 20), "未新建", None),
    ]


def test_each_item_shows_its_reports_state_and_a_handed_in_report_is_not_late(world):
    report = make_report(world, year=2026, quarter=3)
    on = D(2026, 10, 1)
    assert ("2026年第三季度分析研判报告", D(2026, 10, 10), "草稿", None) in due_names(
        world.secretary, [world.branch], on
    )
    # a draft after its date is late; submitted, it leaves the list once the date has passed
    late, _ = deadlines.due_reports(world.secretary, [world.branch], D(2026, 10, 13))
    quarter = next(item for item in late if item.kind == Kind.QUARTERLY)
    assert (quarter.overdue, quarter.days_overdue, quarter.report) == (True, 3, report)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    still_due = due_names(world.secretary, [world.branch], on)
    assert ("2026年第三季度分析研判报告", D(2026, 10, 10), "待审核", None) in still_due
    names = [name for name, *_ in due_names(world.secretary, [world.branch], D(2026, 10, 13))]
    assert "2026年第三季度分析研判报告" not in names


def test_a_duty_report_is_listed_for_its_own_office_holder_only(world):
    on = D(2026, 12, 25)
    services.report_create(
        organisation=world.branch,
        kind=Kind.DUTY,
        year=2026,
        person=world.publicity.person_record,
        by=world.publicity,
    )
    duty = [row for row in due_names(world.publicity, [world.branch], on) if row[3]]
    assert duty == [("2026年度落实意识形态工作责任制述职报告", D(2027, 1, 20), "草稿", "张敏")]
    # the secretary's own is not yet created, whatever the publicity member did
    duty = [row for row in due_names(world.secretary, [world.branch], on) if row[3]]
    assert duty == [("2026年度落实意识形态工作责任制述职报告", D(2027, 1, 20), "未新建", "王丽华")]
    # an organisation that does not report owes nothing; a reviewer has no own list
    assert due_names(world.reviewer, [world.department], on) == []


def test_the_next_date_after_the_window_is_told(world):
    items, next_due = deadlines.due_reports(world.secretary, [world.branch], D(2026, 11, 1))
    assert [(item.name, item.days_overdue) for item in items] == [
        ("2026年上半年分析研判报告", 109),
        ("2026年第三季度分析研判报告", 22),
    ]
    assert (next_due.name, next_due.due) == ("2026年第四季度分析研判报告", D(2027, 1, 10))


def test_the_dashboard_lists_due_reports_and_creates_one(client, world):
    now = today()
    period = Period.of(now)
    Deadline.objects.create(
        organisation=world.department,
        kind=Kind.QUARTERLY,
        year=period.year,
        quarter=period.quarter,
        due_date=now + datetime.timedelta(days=5),
    )
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:dashboard")).content.decode()
    assert "报送提醒" in page
    assert f"{period.label}分析研判报告" in page
    assert "还剩5天" in page
    assert "未新建" in page
    # the item's 新建报告 makes that report
    response = client.post(
        reverse("reports:create"),
        {
            "org": world.branch.pk,
            "kind": Kind.QUARTERLY,
            "year": period.year,
            "quarter": period.quarter,
        },
    )
    report = QuarterlyReport.objects.get(
        organisation=world.branch, year=period.year, quarter=period.quarter
    )
    assert response.url == report.get_absolute_url()
    page = client.get(reverse("meetings:dashboard")).content.decode()
    assert report.get_absolute_url() in page and "草稿" in page
    # a reader sees the list but no button
    client.force_login(world.reader)
    page = client.get(reverse("meetings:dashboard")).content.decode()
    assert "报送提醒" in page and 'action="/reports/new/"' not in page


def test_the_admin_lists_and_adds_deadlines(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("admin:reports_deadline_changelist")).status_code == 200
    response = client.post(
        reverse("admin:reports_deadline_add"),
        {
            "organisation": world.department.pk,
            "kind": Kind.HALF_YEAR,
            "year": 2026,
            "quarter": 0,
            "half": 1,
            "due_date": "2026-07-10",
        },
    )
    assert response.status_code == 302
    assert deadlines.due_date(world.branch, Kind.HALF_YEAR, HalfYear(2026, 1)) == D(2026, 7, 10)
