"""统计分析 and the 汇总 DOCX for one period (issue 13 item 7, acceptance 5): every
count comes from that period's records only — a branch with measures in three
quarters shows each quarter its own, overdue among them, and the quarter's
汇总 document says the same as the page."""

import datetime
import io

import lxml.html
import pytest
from django.urls import reverse
from docx import Document

from meetings.models import Measure
from reports import rendering
from reports.docx import Layout, Properties, render_docx

from ..factories import FindingFactory, MeasureFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)
S = Measure.Status


@pytest.fixture
def three_quarters(world, monkeypatch):
    """The school's measures in the second, third and fourth quarters of 2026
    (one overdue in each), and one of the hospital's in the third."""
    monkeypatch.setattr("meetings.models.today", lambda: TODAY)

    def finding(org, date, *measures):
        meeting = MeetingFactory(organisation=org, date=date)
        f = FindingFactory(meeting=meeting)
        for status, deadline in measures:
            MeasureFactory(finding=f, status=status, deadline=deadline)
        return f

    school, hospital = world.branch, world.other_branch
    late, later = datetime.date(2026, 11, 1), datetime.date(2027, 3, 31)
    finding(school, datetime.date(2026, 5, 10), (S.IN_PROGRESS, late), (S.DONE, late))
    finding(school, datetime.date(2026, 8, 20), (S.NOT_STARTED, late), (S.CLOSED, late))
    finding(school, datetime.date(2026, 9, 1), (S.IN_PROGRESS, later))
    finding(school, datetime.date(2026, 10, 15), (S.IN_PROGRESS, late))
    finding(hospital, datetime.date(2026, 7, 5), (S.DONE, late))
    return world


# (findings, measures, done, overdue) of the school and of the hospital
EXPECTED = {
    2: [(1, 2, 1, 1), (0, 0, 0, 0)],
    3: [(2, 3, 1, 1), (1, 1, 1, 0)],
    4: [(1, 1, 0, 1), (0, 0, 0, 0)],
}


def page_branch_table(body):
    """The numbers of 各党组织报送情况 as shown: {name: (问题数, 整改措施, 已完成, 逾期措施)}."""
    tree = lxml.html.fromstring(body)
    rows = tree.xpath('//*[@id="branches"]//tbody/tr')
    return {
        cells[0]: tuple(int(c) for c in cells[2:6])
        for cells in ([td.text_content().strip() for td in tr.xpath("td")] for tr in rows)
    }


def stat(body, key):
    tree = lxml.html.fromstring(body)
    return tree.xpath(f'//*[@data-stat="{key}"]')[0].text_content().strip()


def summary_docx(world, quarter):
    data = rendering.quarter_summary(world.department, 2026, quarter)
    return Document(io.BytesIO(render_docx(data, Layout(), Properties())))


@pytest.mark.parametrize("quarter", [2, 3, 4])
def test_every_count_is_of_the_chosen_quarter_on_the_page_and_in_the_summary(
    client, three_quarters, quarter
):
    world = three_quarters
    client.force_login(world.reviewer)
    body = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": quarter})
    body = body.content.decode()
    school, hospital = EXPECTED[quarter]
    expected = {world.branch.name: school, world.other_branch.name: hospital}
    assert page_branch_table(body) == expected
    totals = [sum(column) for column in zip(school, hospital, strict=True)]
    findings, measures, done, overdue = totals
    assert int(stat(body, "findings")) == findings
    assert int(stat(body, "overdue")) == overdue
    rate = f"{100 * done / measures:.1f}%" if measures else "—"
    assert stat(body, "rate") == rate

    document = summary_docx(world, quarter)
    table = document.tables[0]
    in_docx = {
        row.cells[0].text: tuple(int(c.text) for c in row.cells[2:6]) for row in table.rows[1:]
    }
    assert in_docx == expected
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"本季度共制定整改措施{measures}项，已完成{done}项，整改完成率{rate}" in text
    assert f"其中逾期未完成{overdue}项" in text
    assert f"本季度各党组织共查找问题和风险隐患{findings}项" in text


def test_the_overdue_links_lead_to_the_quarters_overdue_measures(client, three_quarters):
    world = three_quarters
    client.force_login(world.reviewer)
    body = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3}).content.decode()
    link = lxml.html.fromstring(body).xpath('//*[@data-stat="overdue"]/ancestor::a/@href')[0]
    ledger = client.get(link)
    assert [m.finding.raised_on for m in ledger.context["page"]] == [datetime.date(2026, 8, 20)]
