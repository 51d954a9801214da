"""统计分析 per report kind and period (issue 12 acceptance 6): 应报/已提交/… and the
branch table count the chosen kind's reports of the chosen period; the default
period is the one being reported on now, and the page says which."""

import datetime

import lxml.html
import pytest
from django.urls import reverse

from meetings.models import Measure
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory, QuarterlyReportFactory

pytestmark = pytest.mark.django_db
Kind = QuarterlyReport.Kind
Status = QuarterlyReport.Status


@pytest.fixture
def reviewer(client, world, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    monkeypatch.setattr("reports.dashboard.today", lambda: datetime.date(2026, 11, 22))
    client.force_login(world.reviewer)
    return client


def page(client, **params):
    return client.get(reverse("reports:dashboard"), params)


def stats(response):
    tree = lxml.html.fromstring(response.content.decode())
    return {
        node.get("data-stat"): node.text_content().strip() for node in tree.xpath("//*[@data-stat]")
    }


def statuses(response):
    return {org.name: org.report_status for org in response.context["page"]}


@pytest.mark.parametrize(
    "kind, label",
    [
        (Kind.QUARTERLY, "2026年第三季度"),
        (Kind.HALF_YEAR, "2026年上半年"),
        (Kind.ANNUAL, "2025年度"),
        (Kind.DUTY, "2025年度"),
        (Kind.NETWORK, "2025年度"),
    ],
)
def test_the_default_period_is_the_one_being_reported_on_now(reviewer, kind, label):
    response = page(reviewer, kind=kind)
    assert response.context["period"].label == label
    note = lxml.html.fromstring(response.content.decode()).get_element_by_id("period-note")
    assert f"统计期间：{label}" in note.text_content()
    assert "即当前报送的期间（默认）" in note.text_content()


def test_another_period_names_the_current_one(reviewer):
    response = page(reviewer, year=2026, quarter=2)
    note = lxml.html.fromstring(response.content.decode()).get_element_by_id("period-note")
    assert "统计期间：2026年第二季度" in note.text_content()
    assert "当前报送的期间为2026年第三季度" in note.text_content()


def test_the_period_selector_matches_the_kind(reviewer):
    def selects(response):
        tree = lxml.html.fromstring(response.content.decode())
        form = tree.get_element_by_id("period-form")
        labels = [label.text_content() for label in form.xpath(".//label")]
        return labels, [s.get("name") for s in form.xpath(".//select")]

    quarterly = page(reviewer)
    assert selects(quarterly) == (["报告类型", "年度", "报告期间"], ["kind", "year", "quarter"])
    half = page(reviewer, kind=Kind.HALF_YEAR)
    assert selects(half) == (["报告类型", "年度", "报告期间"], ["kind", "year", "half"])
    options = lxml.html.fromstring(half.content.decode()).xpath('//select[@name="half"]/option')
    assert [o.text_content() for o in options] == ["上半年", "下半年"]
    assert selects(page(reviewer, kind=Kind.ANNUAL)) == (["报告类型", "年度"], ["kind", "year"])


def test_switching_kinds_keeps_the_period_that_fits(reviewer):
    assert page(reviewer, kind=Kind.HALF_YEAR, year=2026, quarter=3).context["period"].label == (
        "2026年下半年"
    )
    assert page(reviewer, kind=Kind.QUARTERLY, year=2026, half=1).context["period"].label == (
        "2026年第二季度"
    )
    assert page(reviewer, kind=Kind.ANNUAL, year=2026, quarter=3).context["period"].label == (
        "2026年度"
    )
    assert page(reviewer, kind="nonsense").context["kind"] == Kind.QUARTERLY


def test_counts_are_of_the_kind_and_period(reviewer, world):
    school, hospital = world.branch, world.other_branch
    QuarterlyReportFactory(organisation=school, quarter=3, status=Status.APPROVED)
    QuarterlyReportFactory(
        organisation=school, kind=Kind.HALF_YEAR, quarter=0, half=1, status=Status.SUBMITTED
    )
    QuarterlyReportFactory(
        organisation=hospital, kind=Kind.HALF_YEAR, quarter=0, half=2, status=Status.RETURNED
    )
    QuarterlyReportFactory(
        organisation=hospital, kind=Kind.NETWORK, year=2025, quarter=0, status=Status.APPROVED
    )
    first_half = page(reviewer, kind=Kind.HALF_YEAR, year=2026, half=1)
    assert statuses(first_half) == {school.name: Status.SUBMITTED, hospital.name: ""}
    numbers = stats(first_half)
    assert [numbers[k] for k in ("should", "submitted", "pending", "approved", "missing")] == [
        "2",
        "1",
        "1",
        "0",
        "1",
    ]
    second_half = page(reviewer, kind=Kind.HALF_YEAR, year=2026, half=2)
    assert statuses(second_half) == {school.name: "", hospital.name: Status.RETURNED}
    quarter = page(reviewer, year=2026, quarter=3)
    assert statuses(quarter) == {school.name: Status.APPROVED, hospital.name: ""}
    network = page(reviewer, kind=Kind.NETWORK, year=2025)
    assert statuses(network) == {school.name: "", hospital.name: Status.APPROVED}
    assert stats(page(reviewer, kind=Kind.ANNUAL, year=2025))["missing"] == "2"


def test_a_half_year_counts_the_findings_and_measures_of_its_two_quarters(reviewer, world):
    for date in (datetime.date(2026, 2, 1), datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)):
        finding = FindingFactory(meeting=MeetingFactory(organisation=world.branch, date=date))
        MeasureFactory(finding=finding, status=Measure.Status.IN_PROGRESS)
    response = page(reviewer, kind=Kind.HALF_YEAR, year=2026, half=1)
    assert stats(response)["findings"] == "2"
    row = next(o for o in response.context["page"])
    assert (row.finding_count, row.measure_count) == (2, 2)
    assert stats(page(reviewer, kind=Kind.ANNUAL, year=2026))["findings"] == "3"


def test_a_duty_report_row_is_the_secretarys(reviewer, world):
    secretary = world.secretary.person_record
    publicity = world.publicity.person_record
    QuarterlyReportFactory(
        organisation=world.branch,
        kind=Kind.DUTY,
        year=2025,
        quarter=0,
        person=publicity,
        status=Status.APPROVED,
    )
    response = page(reviewer, kind=Kind.DUTY, year=2025)
    # only the 宣传委员's report is in: the school's row (its 书记's) is still missing
    assert statuses(response) == {world.branch.name: "", world.other_branch.name: ""}
    body = response.content.decode()
    assert "按其<strong>书记</strong>" in body
    rows = {o.name: o.duty_person for o in response.context["page"]}
    assert rows == {world.branch.name: secretary.name, world.other_branch.name: "李卫东"}
    QuarterlyReportFactory(
        organisation=world.branch,
        kind=Kind.DUTY,
        year=2025,
        quarter=0,
        person=secretary,
        status=Status.SUBMITTED,
    )
    response = page(reviewer, kind=Kind.DUTY, year=2025)
    assert statuses(response) == {world.branch.name: Status.SUBMITTED, world.other_branch.name: ""}
    assert [stats(response)[k] for k in ("submitted", "pending", "missing")] == ["1", "1", "1"]


def test_the_quarter_export_is_offered_for_quarterly_reports_only(reviewer):
    assert "导出本季度报告" in page(reviewer).content.decode()
    assert "导出本季度报告" not in page(reviewer, kind=Kind.HALF_YEAR).content.decode()


def test_the_filter_button_does_not_wrap(reviewer):
    tree = lxml.html.fromstring(page(reviewer).content.decode())
    button = tree.get_element_by_id("period-form").xpath(".//button")[0]
    assert button.text_content() == "筛选"
    assert {"text-nowrap", "flex-shrink-0"} <= set(button.get("class").split())


def test_a_half_years_numbers_lead_to_its_records(reviewer, world):
    for date in (datetime.date(2026, 2, 1), datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)):
        finding = FindingFactory(meeting=MeetingFactory(organisation=world.branch, date=date))
        MeasureFactory(finding=finding, status=Measure.Status.IN_PROGRESS)
    body = page(reviewer, kind=Kind.HALF_YEAR, year=2026, half=1).content.decode()
    tree = lxml.html.fromstring(body)
    findings = tree.xpath('//*[@data-stat="findings"]')[0]
    ledger = reviewer.get(findings.get("href"))
    assert findings.text_content() == "2"
    assert sorted(f.raised_on.month for f in ledger.context["page"]) == [2, 5]
    measures = tree.xpath('//*[@data-stat="rate"]/ancestor::a/@href')[0]
    assert reviewer.get(measures).context["page"].paginator.count == 2
