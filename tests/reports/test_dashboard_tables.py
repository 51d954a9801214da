"""统计分析's 高风险问题 (with drill-down) and 导出统计表 (issue 13 item 7): the XLSX
holds every table of the page with the same numbers."""

import datetime
import io

import lxml.html
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ideology_review.demo import load_demo
from meetings.models import Finding, Measure
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory

pytestmark = pytest.mark.django_db
HIGH = Finding.RiskLevel.HIGH
# data-stat on the page → the row of the 概况 sheet
OVERVIEW = {
    "should": "应报",
    "submitted": "已提交",
    "pending": "待审核",
    "returned": "退回",
    "approved": "已通过",
    "missing": "未提交",
    "overdue": "逾期整改措施",
    "findings": "问题",
    "rate": "整改完成率（%）",
    "closed_rate": "销号率（%）",
    "high": "高风险问题",
}


@pytest.fixture
def demo_reviewer(client, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 11, 22))
    monkeypatch.setattr("reports.dashboard.today", lambda: datetime.date(2026, 11, 22))
    load_demo()
    assert client.login(username="zhouxiaofeng", password="qingshan2026")
    return client


def page_tables(body):
    """{sheet name: [[cell text, …], …]} of every table of the page that has a sheet."""
    tree = lxml.html.fromstring(body)
    out = {}
    for table in tree.xpath("//table[@data-sheet]"):
        header = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
        rows = [
            [td.text_content().strip() for td in tr.xpath("./td")]
            for tr in table.xpath("./tbody/tr")
            if not tr.xpath("./td[@colspan]")
        ]
        out[table.get("data-sheet")] = [header, *rows]
    return out


def text(value):
    return "" if value is None else str(value)


def number(value):
    """A figure as a number ("—" stays as it is): 50.0 on the page, 50 in a cell."""
    try:
        return float(value)
    except ValueError:
        return value


def sheets(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {
        ws.title: [[text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for ws in book.worksheets
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"year": 2026, "quarter": 4},
        {"kind": "half", "year": 2026, "half": 2},
        {"kind": "duty", "year": 2025},
        {"year": 2026, "quarter": 3, "branch_status": "missing"},
    ],
)
def test_the_xlsx_holds_the_same_numbers_as_the_tables(demo_reviewer, params):
    page = demo_reviewer.get(reverse("reports:dashboard"), params)
    xlsx = demo_reviewer.get(reverse("reports:dashboard_xlsx"), params)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    workbook = sheets(xlsx)
    tables = page_tables(page.content.decode())
    assert tables, "the page has tables"
    assert set(tables) == {
        "问题类别×风险等级",
        "高风险问题",
        "退回原因",
        "各党组织报送情况",
        "按时报送趋势",
        "问题类别趋势",
        "整改与销号趋势",
    }
    for name, rows in tables.items():
        assert [[number(c) for c in r] for r in workbook[name]] == [
            [number(c) for c in r] for r in rows
        ], name
    overview = dict(workbook["概况"][1:])
    tree = lxml.html.fromstring(page.content.decode())
    for key, label in OVERVIEW.items():
        shown = tree.xpath(f'//*[@data-stat="{key}"]')[0].text_content().strip()
        assert number(shown.removesuffix("%")) == number(overview[label]), label
    assert overview["统计期间"] == page.context["period"].label


def test_the_export_is_recorded(demo_reviewer):
    from auditlog.models import LogEntry

    demo_reviewer.get(reverse("reports:dashboard_xlsx"), {"year": 2026, "quarter": 3})
    entry = LogEntry.objects.filter(additional_data__事件="导出统计表").get()
    assert entry.additional_data["期间"] == "2026年第三季度"


@pytest.fixture
def high_risk(world, monkeypatch):
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 12, 3))

    def finding(org, date, title, level=HIGH):
        meeting = MeetingFactory(organisation=org, date=date)
        return FindingFactory(meeting=meeting, title=title, risk_level=level)

    late = finding(world.branch, datetime.date(2026, 8, 1), "校园网站留言未及时处置")
    MeasureFactory(finding=late, deadline=datetime.date(2026, 10, 1))
    finding(world.other_branch, datetime.date(2026, 9, 1), "宗教渗透苗头")
    finding(world.branch, datetime.date(2026, 9, 5), "一般问题", level=Finding.RiskLevel.LOW)
    finding(world.branch, datetime.date(2026, 5, 5), "上季度的高风险问题")
    return world


def test_high_risk_findings_of_the_period_lead_to_their_records(client, high_risk):
    world = high_risk
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    body = response.content.decode()
    rows = page_tables(body)["高风险问题"][1:]
    assert [(r[0], r[3], r[5]) for r in rows] == [
        (world.branch.name, "校园网站留言未及时处置", "已逾期"),
        (world.other_branch.name, "宗教渗透苗头", "未制定措施"),
    ]
    tree = lxml.html.fromstring(body)
    links = tree.xpath('//*[@id="high-risk"]//tbody//a/@href')
    assert client.get(links[0]).context["finding"].title == "校园网站留言未及时处置"
    # the count leads to the same findings in 问题台账
    total = tree.xpath('//*[@data-stat="high"]')[0]
    assert total.text_content() == "2"
    ledger = client.get(total.get("href"))
    assert {f.title for f in ledger.context["page"]} == {"校园网站留言未及时处置", "宗教渗透苗头"}


def test_a_formula_in_a_title_stays_text(client, world):
    finding = FindingFactory(
        meeting=MeetingFactory(organisation=world.branch), title="=HYPERLINK(1)", risk_level=HIGH
    )
    MeasureFactory(finding=finding, status=Measure.Status.DONE)
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:dashboard_xlsx"), {"year": 2026, "quarter": 3})
    book = load_workbook(io.BytesIO(response.content))
    assert book["高风险问题"]["D2"].value == "'=HYPERLINK(1)"
    assert book["高风险问题"]["D2"].data_type == "s"


def test_only_reviewers_export_the_statistics(client, world):
    client.force_login(world.secretary)
    assert client.get(reverse("reports:dashboard_xlsx")).status_code == 403
    assert QuarterlyReport.objects.count() == 0
