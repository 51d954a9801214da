"""审核工作台 (issue 13 item 1): what waits for review and for how long, what
was returned, who has not submitted what is due, the open high-risk problems;
the 报告审核 badge."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Finding, Measure
from reports import services
from reports.models import Deadline, QuarterlyReport

from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    OrganisationFactory,
    make_report,
)

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status
Kind = QuarterlyReport.Kind
ON = datetime.date(2026, 10, 13)  # Q3's reports were due 10月10日


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("reports.workbench.today", lambda: ON)


def days_ago(days):
    return timezone.make_aware(
        datetime.datetime.combine(ON, datetime.time(10)) - datetime.timedelta(days=days)
    )


def submitted(world, organisation, days):
    report = make_report(world, organisation, via_services=False)
    QuarterlyReport.objects.filter(pk=report.pk).update(
        status=Status.SUBMITTED, round=1, submitted_at=days_ago(days)
    )
    return report


def test_a_reviewer_lands_on_the_workbench_and_a_branch_may_not_open_it(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("meetings:dashboard")).url == reverse("reports:workbench")
    assert client.get(reverse("reports:workbench")).status_code == 200
    client.force_login(world.secretary)
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert client.get(reverse("reports:workbench")).status_code == 403


def test_pending_oldest_first_with_the_days_waited(client, world, frozen):
    newer = submitted(world, world.branch, 1)
    older = submitted(world, world.other_branch, 6)
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:workbench"))
    assert [r.pk for r in response.context["pending"]] == [older.pk, newer.pk]
    assert [r.waiting_days for r in response.context["pending"]] == [6, 1]
    page = response.content.decode()
    assert "待审核（2份）" in page and "已等待6天" in page


def test_returned_reports_waiting_for_the_branch(client, world, frozen):
    report = make_report(world)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    services.report_return(report=report, by=world.reviewer, comment="请补充佐证材料")
    QuarterlyReport.objects.filter(pk=report.pk).update(reviewed_at=days_ago(4))
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:workbench")).content.decode()
    assert "已退回待重新提交（1份）" in page
    assert "已4天未重新提交" in page and "请补充佐证材料" in page


def test_missing_reports_with_their_date_and_days_overdue(client, world, frozen):
    submitted(world, world.branch, 2)  # handed in: not missing
    late = OrganisationFactory(
        parent=world.committee,
        must_report=True,
        name="中共青山县林业局支部委员会",
        short_name="林业局党支部",
    )
    Deadline.objects.create(
        organisation=world.department,
        kind=Kind.QUARTERLY,
        year=2026,
        quarter=3,
        due_date=ON - datetime.timedelta(days=5),
    )
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:workbench"))
    quarter = next(d for d in response.context["overdue"] if d["kind"] == Kind.QUARTERLY)
    assert quarter["name"] == "2026年第三季度分析研判报告"
    assert quarter["days_overdue"] == 5
    names = [org.name for org in quarter["organisations"]]
    assert names == [world.other_branch.name, late.name]
    assert quarter["count"] == 2
    page = response.content.decode()
    assert "报送截止日期：2026年10月8日" in page and "已逾期5天" in page and "林业局党支部" in page


def test_open_high_risk_problems_of_the_reviewed_branches_only(client, world, frozen, chain):
    meeting = MeetingFactory(organisation=world.branch, date=datetime.date(2026, 8, 3))
    open_high = FindingFactory(meeting=meeting, title="意识形态阵地管理存在漏洞", risk_level="高")
    MeasureFactory(finding=open_high, status=Measure.Status.IN_PROGRESS)
    done_high = FindingFactory(meeting=meeting, title="已整改的高风险问题", risk_level="高")
    MeasureFactory(finding=done_high, status=Measure.Status.DONE)
    FindingFactory(meeting=meeting, title="中风险问题", risk_level=Finding.RiskLevel.MEDIUM)
    # the village reports to the 镇党委: its problems are the township's to watch
    village = FindingFactory(
        meeting=MeetingFactory(organisation=chain.village, date=datetime.date(2026, 8, 3)),
        title="村级微信群管理不严",
        risk_level="高",
    )
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:workbench"))
    assert [f.title for f in response.context["high_risk"]] == ["意识形态阵地管理存在漏洞"]
    client.force_login(chain.committee_reviewer)
    response = client.get(reverse("reports:workbench"))
    assert [f.pk for f in response.context["high_risk"]] == [village.pk]


def test_the_review_menu_shows_the_count_waiting(client, world):
    submitted(world, world.branch, 1)
    submitted(world, world.other_branch, 1)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:inbox")).content.decode()
    assert 'title="待审核">2</span>' in page
    client.force_login(world.secretary)
    page = client.get(reverse("reports:list")).content.decode()
    assert 'title="待审核"' not in page and "审核工作台" not in page


@pytest.mark.parametrize("n", [1, 50])
def test_the_workbench_runs_a_fixed_number_of_queries(
    client, world, frozen, django_assert_num_queries, n
):
    for i in range(n):
        org = OrganisationFactory(
            parent=world.committee, must_report=True, name=f"中共青山县第{i}号支部委员会"
        )
        submitted(world, org, i % 7)
        finding = FindingFactory(
            meeting=MeetingFactory(organisation=org, date=datetime.date(2026, 8, 3)),
            risk_level="高",
        )
        MeasureFactory(finding=finding, status=Measure.Status.IN_PROGRESS)
    client.force_login(world.reviewer)
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("reports:workbench"))
    assert response.context["pending_count"] == n


# session, user, scope, the 报送截止日期 (the organisations reviewed are one
# condition on Organisation.review_unit, not a query); pending,
# returned: a count and a slice each; high risk: a count (the precomputed rows),
# the first chosen, then annotated; per kind due now (on ON: the
# quarter and the first half-year) a count and a slice, and when each was 催报;
# the menu's badge and 通知 bell; the records' version (reports.pagecache)
QUERIES = 23
