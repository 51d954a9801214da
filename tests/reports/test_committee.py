"""The committee level (issue 12): where reports go, what a committee reviews,
and what its own 一键汇总 says about its branches."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.access import get_scope, organisations_reviewed_by, reviewing_organisation
from meetings.models import FindingCategory, Measure, Membership, Organisation
from reports import committee, services
from reports.models import QuarterlyReport

from ..factories import (
    FindingFactory,
    MeasureFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    QuarterlyReportFactory,
    UserFactory,
    make_report,
)

pytestmark = pytest.mark.django_db

O = Organisation.OrgType  # noqa: E741
P = Membership.PartyRole
Status = QuarterlyReport.Status


def reviewer_of(org, party_role=P.SECRETARY, *, account=True, active=True):
    person = PersonFactory(is_active=active, user=UserFactory() if account else None)
    Membership.objects.create(person=person, organisation=org, party_role=party_role)
    return person


# --------------------------------------------------------------------------
# The default reviewing organisation
# --------------------------------------------------------------------------


def test_a_branch_goes_to_its_committee_when_the_committee_has_a_reviewer(world, chain):
    assert reviewing_organisation(chain.village) == chain.township


def test_the_committee_itself_goes_to_the_propaganda_department(world, chain):
    assert reviewing_organisation(chain.township) == world.department
    assert reviewing_organisation(world.branch) == world.department


@pytest.mark.parametrize(
    "party_role,account,active,reviews",
    [
        (P.SECRETARY, True, True, True),
        (P.DEPUTY, True, True, True),
        (P.PUBLICITY, True, True, True),
        (P.ORGANISATION, True, True, False),  # 组织委员: not a reviewer
        (P.MEMBER, True, True, False),
        (P.SECRETARY, False, True, False),  # no account: nobody could review there
        (P.SECRETARY, True, False, False),  # 调离
    ],
)
def test_who_makes_a_committee_a_reviewer(world, party_role, account, active, reviews):
    township = OrganisationFactory(org_type=O.COMMITTEE, parent=world.committee)
    village = OrganisationFactory(parent=township)
    reviewer_of(township, party_role, account=account, active=active)
    expected = township if reviews else world.department
    assert reviewing_organisation(village) == expected


def test_without_a_reviewer_the_branch_falls_back_to_the_department(world):
    township = OrganisationFactory(org_type=O.COMMITTEE, parent=world.committee)
    village = OrganisationFactory(parent=township)
    assert reviewing_organisation(village) == world.department


def test_the_nearest_committee_with_a_reviewer_wins(world, chain):
    general = OrganisationFactory(org_type=O.GENERAL_BRANCH, parent=chain.township)
    branch = OrganisationFactory(parent=general)
    assert reviewing_organisation(branch) == chain.township  # the 党总支 has nobody
    reviewer_of(general, P.PUBLICITY)
    assert reviewing_organisation(branch) == general


def unit_of(org):
    return Organisation.objects.get(pk=org.pk).review_unit_id


def test_the_stored_review_unit_follows_every_change_that_moves_it(world, chain):
    """Organisation.review_unit is re-resolved when a membership, a person, an
    account or the tree changes — each step checked against the live rule."""
    general = OrganisationFactory(org_type=O.GENERAL_BRANCH, parent=chain.township)
    branch = OrganisationFactory(parent=general)

    def agrees(expected):
        assert unit_of(branch) == expected.pk == reviewing_organisation(branch).pk

    agrees(chain.township)
    person = reviewer_of(general, P.PUBLICITY)  # a membership
    agrees(general)
    person.user.is_active = False  # an account
    person.user.save()
    agrees(chain.township)
    person.user.is_active = True
    person.user.save()
    agrees(general)
    person.is_active = False  # a person (在职)
    person.save()
    agrees(chain.township)
    Membership.objects.filter(person=person).delete()  # a queryset delete sends signals
    person.is_active = True
    person.save()
    agrees(chain.township)
    branch.reviewing_organisation = world.department  # the organisation itself
    branch.save()
    assert branch.review_unit_id == world.department.pk  # the instance too
    agrees(world.department)
    branch.reviewing_organisation = None
    branch.parent = world.committee  # moved
    branch.save()
    agrees(world.department)
    assert unit_of(world.department) is None  # a 宣传部 reports to nobody


def test_a_party_group_is_not_a_reviewing_committee(world):
    group = OrganisationFactory(org_type=O.GROUP, parent=world.committee)
    hospital = OrganisationFactory(parent=group)
    reviewer_of(group)
    assert reviewing_organisation(hospital) == world.department


def test_a_committee_with_a_department_reviews_through_it(world):
    # the county committee's 书记 has an account: its branches still go to the 宣传部
    reviewer_of(world.committee)
    assert reviewing_organisation(world.branch) == world.department


def test_an_explicit_reviewing_organisation_wins(world, chain):
    chain.village.reviewing_organisation = world.department
    chain.village.save()
    assert reviewing_organisation(chain.village) == world.department
    assert chain.village.pk not in organisations_reviewed_by([chain.township])
    assert chain.village.pk in organisations_reviewed_by([world.department])
    no_reviewer = OrganisationFactory(org_type=O.COMMITTEE, parent=world.committee)
    branch = OrganisationFactory(parent=no_reviewer, reviewing_organisation=no_reviewer)
    assert reviewing_organisation(branch) == no_reviewer


def test_the_reviewing_organisation_must_be_above(world, chain):
    chain.village.reviewing_organisation = world.other_committee
    with pytest.raises(ValidationError, match="上级党组织"):
        chain.village.full_clean()
    chain.village.reviewing_organisation = chain.village
    with pytest.raises(ValidationError):
        chain.village.full_clean()
    for above in (chain.township, world.department, world.committee):
        chain.village.reviewing_organisation = above
        chain.village.full_clean()


def test_the_reviewed_sets_agree_with_the_single_rule(world, chain):
    general = OrganisationFactory(org_type=O.GENERAL_BRANCH, parent=chain.township)
    reviewer_of(general)
    OrganisationFactory(parent=general)
    OrganisationFactory(parent=chain.township, reviewing_organisation=world.department)
    reviewers = [world.department, chain.township, general]
    for org in Organisation.objects.all():
        target = reviewing_organisation(org)
        for reviewer in reviewers:
            assert (org.pk in organisations_reviewed_by([reviewer])) == (target == reviewer)


def test_the_scope_of_a_committee_reviewer(world, chain):
    scope = get_scope(chain.committee_reviewer)
    assert scope.is_reviewer and scope.sees_statistics
    assert scope.reviewed_ids == {chain.village.pk}
    assert scope.can_review(chain.village)
    assert not scope.can_review(chain.township)  # its own report goes up
    assert not scope.can_review(world.branch)
    department = get_scope(world.reviewer)
    assert chain.township.pk in department.reviewed_ids
    assert not department.can_review(chain.village)
    assert not get_scope(chain.village_secretary).is_reviewer


# --------------------------------------------------------------------------
# Review: the same transitions, by the reviewing organisation only
# --------------------------------------------------------------------------


def submitted(world, org, by):
    report = make_report(world, org, via_services=False)
    services.report_submit(report=report, by=by, accept_warnings=True)
    return report


def test_the_committee_reviews_its_branch_like_the_department(world, chain):
    report = submitted(world, chain.village, chain.village_secretary)
    for outsider in (world.reviewer, world.other_reviewer, world.secretary):
        with pytest.raises(services.ActionRefused):
            services.report_approve(report=report, by=outsider)
    services.report_return(report=report, by=chain.committee_reviewer, comment="风险点不具体。")
    services.report_resubmit(report=report, by=chain.village_secretary, accept_warnings=True)
    report, event = services.report_approve(report=report, by=chain.committee_reviewer)
    assert report.status == Status.APPROVED and report.round == 2
    assert event.actor == chain.committee_reviewer
    assert [s.round for s in report.submissions.all()] == [1, 2]


def test_the_committee_cannot_review_its_own_report(world, chain):
    report = make_report(world, chain.township, via_services=False)
    services.report_submit(report=report, by=chain.committee_reviewer, accept_warnings=True)
    with pytest.raises(services.ActionRefused):
        services.report_approve(report=report, by=chain.committee_reviewer)
    report, _ = services.report_approve(report=report, by=world.reviewer)
    assert report.status == Status.APPROVED


# --------------------------------------------------------------------------
# 报告审核 and 统计分析, scoped to the organisations that report to the user
# --------------------------------------------------------------------------


@pytest.fixture
def pending(world, chain):
    """Submitted reports: the village's, the township's own and the school's."""
    return {
        "village": submitted(world, chain.village, chain.village_secretary),
        "township": submitted(world, chain.township, chain.committee_reviewer),
        "school": submitted(world, world.branch, world.secretary),
    }


def test_the_committee_inbox_lists_its_branches_reports_only(client, world, chain, pending):
    client.force_login(chain.committee_reviewer)
    response = client.get(reverse("reports:inbox"))
    assert list(response.context["reports"]) == [pending["village"]]
    body = response.content.decode()
    assert (
        "审核单位：中共青山县石桥镇委员会。此处列出报送石桥镇党委审核的党组织的待审核报告" in body
    )
    assert "石桥镇党委本级的报告报送上级审核，不在此列。" in body


def test_the_department_inbox_leaves_the_village_to_the_committee(client, world, chain, pending):
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:inbox"))
    assert set(response.context["reports"]) == {pending["township"], pending["school"]}
    assert "由下级党委审核的报告不在此列" in response.content.decode()
    # it still sees the whole tree, read-only
    page = client.get(reverse("reports:detail", args=[pending["village"].pk]))
    assert page.status_code == 200 and not page.context["can_review"]
    assert "该报告由中共青山县石桥镇委员会审核，您只能查看，不能审核。" in page.content.decode()
    refused = client.post(reverse("reports:approve", args=[pending["village"].pk]))
    assert refused.status_code == 403
    pending["village"].refresh_from_db()
    assert pending["village"].status == Status.SUBMITTED


def test_the_committee_statistics_count_its_branches(client, world, chain, pending):
    client.force_login(chain.committee_reviewer)
    response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    summary = response.context["summary"]
    assert (summary["should"], summary["pending"], summary["findings"]) == (1, 1, 1)
    assert [o.name for o in response.context["page"]] == [chain.village.name]
    assert "导出本季度报告" not in response.content.decode()  # the departments' bundle
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    names = [o.name for o in response.context["page"]]
    assert chain.village.name not in names and chain.township.name in names
    assert response.context["summary"]["should"] == 3  # two branches of `world`, the township


def villages(world, chain, n):
    for i in range(n):
        org = OrganisationFactory(parent=chain.township, must_report=True, name=f"第{i}村支部")
        report = make_report(world, org, via_services=False)
        QuarterlyReport.objects.filter(pk=report.pk).update(
            status=Status.SUBMITTED, round=1, submitted_at=datetime.datetime.now(datetime.UTC)
        )


@pytest.mark.parametrize("n", [1, 30])
def test_committee_inbox_runs_a_fixed_number_of_queries(
    client, world, chain, django_assert_num_queries, n
):
    villages(world, chain, n)
    client.force_login(chain.committee_reviewer)
    # the reviewed organisations are one condition (Organisation.review_unit), no
    # longer two queries; + the 待审核 badge, the 通知 bell, the page count
    with django_assert_num_queries(12):  # the records' version included (reports.pagecache)
        response = client.get(reverse("reports:inbox"))
    assert len(response.context["reports"]) == n


@pytest.mark.parametrize("n", [1, 30])
def test_committee_statistics_run_a_fixed_number_of_queries(
    client, world, chain, django_assert_num_queries, n
):
    villages(world, chain, n)
    client.force_login(chain.committee_reviewer)
    # the department's page less its bundle list; + 高风险问题, 退回原因 (2), the
    # trends (5), the menu's 待审核 badge and 通知 bell; the reviewed set is one
    # condition (Organisation.review_unit), not two queries
    with django_assert_num_queries(23):  # the records' version included
        response = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3})
    assert response.context["summary"]["should"] == n + 1  # and the chain's village


# --------------------------------------------------------------------------
# 一键汇总 of the committee's report: its branches' approved reports
# --------------------------------------------------------------------------


def category(code):
    return FindingCategory.objects.get(code=code)


def approved_branch(chain, name, findings, *, status=Status.APPROVED, quarter=4):
    """A branch under the township with its quarter's findings [(category, risk,
    title, [measure status…])] and a report in `status`."""
    org = OrganisationFactory(parent=chain.township, must_report=True, name=name, short_name=name)
    meeting = MeetingFactory(organisation=org, date=datetime.date(2026, 3 * quarter - 1, 10))
    for order, (code, risk, title, statuses) in enumerate(findings, start=1):
        finding = FindingFactory(
            meeting=meeting, category=category(code), risk_level=risk, title=title, order=order
        )
        for m_order, measure_status in enumerate(statuses, start=1):
            MeasureFactory(
                finding=finding,
                content=f"{title}的整改措施{m_order}",
                status=measure_status,
                long_term=measure_status == Measure.Status.ONGOING,
                deadline=None
                if measure_status == Measure.Status.ONGOING
                else datetime.date(2026, 12, 31),
                order=m_order,
            )
    QuarterlyReportFactory(organisation=org, year=2026, quarter=quarter, status=status)
    return org


S = Measure.Status


@pytest.fixture
def reported(world, chain, monkeypatch):
    """Three more branches under the township (four with the chain's village):
    two approved, one still waiting; the hand-computed figures below."""
    monkeypatch.setattr("meetings.models.today", lambda: datetime.date(2026, 12, 2))
    approved_branch(
        chain,
        "甲村党支部",
        [
            ("network", "中", "村民微信群转发不实信息", [S.DONE, S.IN_PROGRESS]),
            ("religion", "高", "发现非法宗教宣传品", [S.IN_PROGRESS, S.NOT_STARTED]),
        ],
    )
    approved_branch(
        chain,
        "乙村党支部",
        [
            ("network", "低", "村务公开栏更新不及时的网络回应", [S.ONGOING]),
            ("study", "中", "老党员参学不经常", [S.DONE]),
            ("study", "中", "老党员参学不经常", [S.CLOSED]),  # the same problem twice
        ],
    )
    approved_branch(
        chain, "丙村党支部", [("culture", "低", "文化活动单一", [S.DONE])], status=Status.SUBMITTED
    )
    overdue = Measure.objects.get(finding__title="发现非法宗教宣传品", status=S.IN_PROGRESS)
    overdue.deadline = datetime.date(2026, 11, 30)
    overdue.save()
    return make_report(world, chain.township, quarter=4, via_services=False)


def test_committee_figures_match_the_hand_count(world, chain, reported):
    figures = committee.branch_figures(reported)
    assert [o.name for o in figures.should] == [
        "中共青山县石桥镇柳溪村支部委员会",
        "甲村党支部",
        "乙村党支部",
        "丙村党支部",
    ]
    assert [o.name for o in figures.reported] == ["甲村党支部", "乙村党支部"]
    assert len(figures.findings) == 5
    assert figures.categories == [("网络意识形态", 2), ("理论学习", 2), ("宗教与民族", 1)]
    assert figures.levels == [("高", 1), ("中", 3), ("低", 1)]
    # measures: 甲 DONE, IN_PROGRESS, IN_PROGRESS (overdue), NOT_STARTED; 乙 ONGOING, DONE, CLOSED
    counts = (figures.done, figures.in_progress, figures.not_started, figures.ongoing)
    assert figures.measures == 7 and counts == (3, 2, 1, 1)
    assert figures.overdue == 1 and figures.rate == 42.9


def test_committee_paragraphs_say_who_reported_and_what(world, chain, reported):
    paragraphs = {
        key: (heading, body) for key, heading, body in committee.branch_paragraphs(reported)
    }
    heading, body = paragraphs["branches:reporting"]
    assert heading == "加强对所属党组织的督促指导，压实分析研判责任"
    assert (
        "2026年第四季度，应报送季度分析研判报告的所属党组织4个，已报送并经石桥镇党委审核通过2个"
        "（甲村党支部、乙村党支部），尚未报送或尚未审核通过2个（柳溪村党支部、丙村党支部）。"
    ) in body
    assert (
        "各党组织报告共查摆问题和风险隐患5项，按类别分：网络意识形态2项、理论学习2项、宗教与民族1项；"
        "按风险等级分：高风险1项、中风险3项、低风险1项。"
    ) in body
    _, typical = paragraphs["branches:typical"]
    assert typical.startswith(
        "从各党组织报告看，典型问题主要有：一是甲村党支部查摆的“发现非法宗教宣传品”问题，"
        "整改措施为发现非法宗教宣传品的整改措施1；二是甲村党支部查摆的“村民微信群转发不实信息”问题"
    )
    assert "三是乙村党支部查摆的“老党员参学不经常”问题" in typical
    assert typical.endswith(
        "各党组织共制定整改措施7项，已完成3项、整改中2项、未开始1项、长期坚持1项，整改完成率42.9%；"
        "其中逾期未完成1项，石桥镇党委已督促限期整改。"
    )


def test_assembly_puts_the_branch_paragraphs_into_the_committee_report(world, chain, reported):
    services.report_assemble(report=reported, by=chain.committee_reviewer)
    keys = list(reported.items.filter(section="basic").values_list("source_key", flat=True))
    assert "branches:reporting" in keys and "branches:typical" in keys
    # a branch's own report has none (and asks no query for them)
    branch_report = make_report(world, via_services=False)
    assert not branch_report.items.filter(source_key__startswith="branches:").exists()


def test_a_committee_nobody_reports_to_gets_no_branch_paragraphs(world):
    lonely = OrganisationFactory(org_type=O.COMMITTEE, parent=world.committee)
    report = make_report(world, lonely, via_services=False)
    assert committee.branch_paragraphs(report) == []


@pytest.mark.parametrize("n", [1, 20])
def test_committee_figures_run_a_fixed_number_of_queries(
    world, chain, django_assert_num_queries, n
):
    for i in range(n):
        approved_branch(
            chain,
            f"第{i}村党支部",
            [
                ("network", "中", f"问题{i}", [S.DONE, S.IN_PROGRESS]),
                ("study", "低", f"学习{i}", []),
            ],
        )
    report = QuarterlyReportFactory(organisation=chain.township, year=2026, quarter=4)
    # reviewed set 1, branches with their approved report 1, findings 1, their measures 1
    with django_assert_num_queries(4):
        paragraphs = committee.branch_paragraphs(report)
    assert f"已报送并经石桥镇党委审核通过{n}个" in paragraphs[0][2]


def test_the_department_bundle_holds_what_reports_to_it(world, chain):
    """导出本季度报告 and its 汇总 agree with the department's 统计分析: the
    village's approved report is the 镇党委's to aggregate, not the 宣传部's."""
    from reports.files import approved_reports
    from reports.rendering import quarter_summary

    village = submitted(world, chain.village, chain.village_secretary)
    services.report_approve(report=village, by=chain.committee_reviewer)
    school = submitted(world, world.branch, world.secretary)
    services.report_approve(report=school, by=world.reviewer)
    assert list(approved_reports(world.department, 2026, 3)) == [school]
    assert list(approved_reports(chain.township, 2026, 3)) == [village]
    reported = quarter_summary(world.department, 2026, 3)["parts"][0]["paragraphs"][0]["text"]
    # the school, the hospital and the township must report to the 宣传部; the village does not
    assert reported.startswith("本季度应报送季度分析研判报告的党组织3个，已提交1个")


def test_statistics_numbers_lead_to_the_branches_records_only(client, world, chain, pending):
    """统计分析's links carry 审核范围: the 镇党委's own finding is in its ledger
    but not behind the number of its branches' findings."""
    client.force_login(chain.committee_reviewer)
    body = client.get(reverse("reports:dashboard"), {"year": 2026, "quarter": 3}).content.decode()
    assert "?reviewed=1&amp;year=2026&amp;quarter=3" in body
    ledger = reverse("meetings:finding_ledger")
    everything = client.get(ledger, {"year": 2026, "quarter": 3})
    behind = client.get(ledger, {"year": 2026, "quarter": 3, "reviewed": "1"})
    assert {f.organisation for f in everything.context["page"]} == {chain.township, chain.village}
    assert [f.organisation for f in behind.context["page"]] == [chain.village]
    measures = client.get(reverse("meetings:measure_ledger"), {"reviewed": "1"})
    assert {m.finding.organisation for m in measures.context["page"]} == {chain.village}
    # a branch secretary has no such filter (and the parameter changes nothing)
    client.force_login(chain.village_secretary)
    page = client.get(ledger, {"reviewed": "1"})
    assert "reviewed" not in page.context["form"].fields
