import datetime

import pytest
from django.urls import reverse

from reports import services
from reports.models import QuarterlyReport, ReportItem

from ..factories import MeasureFactory, OrganisationFactory, ReportItemFactory, make_report

pytestmark = pytest.mark.django_db
Status = QuarterlyReport.Status


@pytest.fixture
def report(world):
    return make_report(world, via_services=False)


READ = ["reports:detail", "reports:preview"]
FORMS = ["reports:edit"]
POSTS = [
    "reports:assemble",
    "reports:submit",
    "reports:resubmit",
    "reports:withdraw",
    "reports:approve",
    "reports:return",
]


@pytest.mark.parametrize("name", READ + FORMS + POSTS)
def test_anonymous_goes_to_login(client, report, name):
    url = reverse(name, args=[report.pk])
    response = client.post(url) if name in POSTS else client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", READ + FORMS + POSTS)
@pytest.mark.parametrize("persona", ["outsider", "other_reviewer"])
def test_other_organisations_get_404(client, world, report, name, persona):
    client.force_login(getattr(world, persona))
    url = reverse(name, args=[report.pk])
    assert client.post(url, {"comment": "x"}).status_code == (405 if name in READ else 404)
    if name not in POSTS:
        assert client.get(url).status_code == 404
    assert QuarterlyReport.objects.get().status == Status.DRAFT


@pytest.mark.parametrize("name", POSTS)
def test_state_changes_refuse_get(client, world, report, name):
    client.force_login(world.secretary)
    assert client.get(reverse(name, args=[report.pk])).status_code == 405


@pytest.mark.parametrize("name", READ)
@pytest.mark.parametrize("persona", ["secretary", "publicity", "reader", "reviewer"])
def test_readers_of_the_scope_can_open(client, world, report, name, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse(name, args=[report.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["reviewer", "reader"])
def test_read_only_users_cannot_edit(client, world, report, persona):
    client.force_login(getattr(world, persona))
    item = report.items.first()
    for url in (
        reverse("reports:edit", args=[report.pk]),
        reverse("reports:assemble", args=[report.pk]),
        reverse("reports:item_edit", args=[item.pk]),
        reverse("reports:item_delete", args=[item.pk]),
        reverse("reports:item_create", args=[report.pk, "basic"]),
    ):
        assert client.post(url, {"title": "改", "body": "改"}).status_code == 403
    assert ReportItem.objects.get(pk=item.pk).body == item.body


def test_submit_in_the_browser_flow_shows_problems(client, world, report):
    client.force_login(world.secretary)
    report.title = "xx党委的报告"
    report.save()
    response = client.post(reverse("reports:submit", args=[report.pk]), follow=True)
    body = response.content.decode()
    assert "报告未通过提交前检查" in body
    assert "报告标题：“xx党委的报告”" in body
    assert QuarterlyReport.objects.get().status == Status.DRAFT


def test_secretary_sees_the_returned_comment(client, world, report):
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="第二条整改措施未明确整改时限")
    client.force_login(world.secretary)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "审核意见：" in body and "第二条整改措施未明确整改时限" in body
    dashboard = client.get(reverse("meetings:dashboard")).content.decode()
    assert "第二条整改措施未明确整改时限" in dashboard
    assert "退回修改" in dashboard


def test_reviewer_sees_what_changed_since_the_last_round(client, world, report):
    services.report_submit(report=report, by=world.secretary)
    services.report_return(report=report, by=world.reviewer, comment="请补充")
    item = report.items.get(section="problems")
    item.body = "补充后的风险点描述。"
    item.save()
    services.report_resubmit(report=report, by=world.secretary)
    client.force_login(world.reviewer)
    body = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "与第1次提交相比的修改" in body
    assert (
        "（一）个别党员学习缺乏热情。"
        "<del>部分青年教师对理论学习重视不够</del><ins>补充后的风险点描述</ins>。"
    ) in body


def test_approved_report_is_read_only_for_everyone(client, world, report):
    services.report_submit(report=report, by=world.secretary)
    services.report_approve(report=report, by=world.reviewer)
    item = report.items.first()
    for persona in ("secretary", "publicity"):
        client.force_login(getattr(world, persona))
        client.post(reverse("reports:item_edit", args=[item.pk]), {"body": "改"})
        client.post(reverse("reports:assemble", args=[report.pk]))
        client.post(reverse("reports:withdraw", args=[report.pk]))
        response = client.post(
            reverse("reports:edit", args=[report.pk]), {"title": "改"}, follow=True
        )
        assert "报告已通过，不能修改。" in response.content.decode()
    assert ReportItem.objects.get(pk=item.pk).body == item.body
    report.refresh_from_db()
    assert report.status == Status.APPROVED and report.title == "报告"


def test_item_edit_strips_typed_numbering(client, world, report):
    client.force_login(world.secretary)
    item = report.items.get(section="problems")
    client.post(
        reverse("reports:item_edit", args=[item.pk]),
        {"heading": "（三）风险点找得不准", "body": "一是研判不深入", "version": item.version},
    )
    item.refresh_from_db()
    assert (item.heading, item.body, item.origin) == ("风险点找得不准", "研判不深入", "manual")


def branches(world, n):
    for i in range(n):
        org = OrganisationFactory(
            parent=world.committee, must_report=True, name=f"中共青山县第{i}号支部委员会"
        )
        report = make_report(world, org, via_services=False)
        QuarterlyReport.objects.filter(pk=report.pk).update(
            status=Status.SUBMITTED, round=1, submitted_at=datetime.datetime.now(datetime.UTC)
        )


@pytest.mark.parametrize("n", [1, 30])
def test_inbox_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, n):
    branches(world, n)
    client.force_login(world.reviewer)
    # the organisations that report to the reviewer are one condition (their stored
    # review_unit), no query of their own
    # + the 待审核 badge, the 通知 bell, the page count, the records' version
    with django_assert_num_queries(12):
        response = client.get(reverse("reports:inbox"))
    assert len(response.context["reports"]) == n


@pytest.mark.parametrize("n", [1, 30])
def test_dashboard_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, n):
    branches(world, n)
    client.force_login(world.reviewer)
    # tests/reports/test_dashboard_trends.py lists the page's queries (the counts come
    # from the precomputed rows; the reviewed organisations are one condition)
    # + 高风险问题 (2), 退回原因 (2), 待审核 badge, 通知 bell, the records' version
    with django_assert_num_queries(24):
        response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    assert response.context["summary"]["should"] == n + 2  # and the two branches of `world`
    assert response.context["summary"]["pending"] == n


@pytest.mark.parametrize("n", [1, 30])
def test_report_page_runs_a_fixed_number_of_queries(
    client, world, report, django_assert_num_queries, n
):
    for i in range(n):
        ReportItemFactory(report=report, section="basic", heading=f"小标题{i}", body="正文")
        MeasureFactory(
            finding__meeting=report.organisation.meetings.first(), finding__title=f"问题{i}"
        )
    client.force_login(world.secretary)
    # checks: +1 for unconfirmed meetings; history: -1, the loaded organisation is named
    # without one; +1: where the report goes (the stored review_unit); -3: the
    # checks read the period's meetings once, the findings and their measures once
    # (three queries, not six); +1: the organisations seen and their versions, the
    # key of the cached checks (built here: a test's changes are not committed;
    # served from the cache: tests/reports/test_report_cache.py); −1: the 历史记录
    # (loaded with its panel: tests/test_audit.py)
    with django_assert_num_queries(18):
        response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_an_approved_report_page_does_not_look_up_where_it_goes(
    client, world, report, django_assert_num_queries, n
):
    """The 审核单位 is named only while the report is with it (or before 提交审核):
    an approved report's page, the most common one, runs without that query."""
    for i in range(n):
        ReportItemFactory(report=report, section="basic", heading=f"小标题{i}", body="正文")
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    client.force_login(world.secretary)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "报告待审核（审核单位：中共青山县委宣传部）" in page
    services.report_approve(report=report, by=world.reviewer)
    # session, user, scope, report, items, submissions, 批注, files, events, the bell,
    # the user's person (the session was stamped by the request before: no write; the
    # 历史记录 loads with its panel)
    with django_assert_num_queries(11):
        page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "报告已审核通过" in page and "审核单位" not in page


def test_submitting_and_approving_ask_for_confirmation_first(client, world, report):
    client.force_login(world.secretary)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    asked = "提交后报告将报送中共青山县委宣传部审核，审核完成前不能修改。确定提交审核吗？"
    assert f'data-confirm="{asked}"' in page
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    # on the button, not the form: 退回修改 in the same form asks nothing
    assert (
        f'formaction="{reverse("reports:approve", args=[report.pk])}" '
        'data-confirm="审核通过后报告将不可修改，确定审核通过吗？">审核通过</button>'
    ) in page


def test_the_working_page_shows_the_parts_of_the_reports_kind_only(client, world, report):
    """Every kind shares the Section enum; a quarterly report's page lists its own
    seven parts in order, none of the network report's."""
    client.force_login(world.secretary)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    parts = ["基本情况", "总体研判", "存在的问题和风险隐患", "下一步工作措施", "上季度整改落实情况"]
    positions = [page.find(part) for part in parts]
    assert -1 not in positions and positions == sorted(positions)
    assert "网络阵地管理情况" not in page and "网评员、通讯员队伍建设情况" not in page
