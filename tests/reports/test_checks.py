import pytest
from django.utils import timezone

from ideology_review.lib.periods import cn_date
from meetings.models import Meeting
from reports import services
from reports.checks import check_report
from reports.models import ReportItem

from ..factories import FindingFactory, MeasureFactory, ReportItemFactory, make_report

pytestmark = pytest.mark.django_db
S = ReportItem.Section


@pytest.fixture
def report(world):
    return make_report(world)


def messages(report):
    return [(p.level, str(p)) for p in check_report(report)]


def test_a_complete_report_passes(report):
    assert messages(report) == []


def test_finding_without_measure_blocks(report):
    FindingFactory(meeting=report.organisation.meetings.get(), title="没有措施的问题")
    assert ("error", "存在未制定整改措施的问题（问题“没有措施的问题”）") in messages(report)


def test_measure_without_owner_or_deadline_blocks(report):
    finding = report.organisation.findings.get()
    MeasureFactory(finding=finding, content="缺主的措施", responsible_person=None, deadline=None)
    assert (
        "error",
        "整改措施缺少责任人或整改时限（问题“个别党员学习缺乏热情”的措施“缺主的措施”缺少责任人、整改时限）",
    ) in messages(report)


def test_placeholders_are_reported_with_their_place(report):
    opening = report.items.get(section=S.OPENING)
    opening.body = "在xx党委的正确领导下，" + opening.body
    opening.save()
    ReportItemFactory(
        report=report,
        section=S.BASIC,
        order=90,
        heading="宣讲工作",
        body="全镇开展宣讲X次，通过学习强国app和QQ群学习",
    )
    found = [m for level, m in messages(report) if "占位符" in m]
    assert found == [
        "检测到未替换的占位符（如“xx”“××”“20xx”），请修改后提交（导语第一段：“在xx党委的正确领导下…”）",
        "检测到未替换的占位符（如“xx”“××”“20xx”），请修改后提交（基本情况第三段：“全镇开展宣讲X次，通过学习强国…”）",
    ]


def test_placeholder_in_title_is_found(report):
    report.title = "中共xx支部委员会关于20xx年第三季度的报告"
    report.save()
    found = [m for _, m in messages(report) if "报告标题" in m]
    assert len(found) == 2


def test_empty_parts_and_missing_judgement_block(report):
    report.items.filter(section__in=[S.JUDGEMENT, S.PROBLEMS]).delete()
    found = messages(report)
    assert ("error", "缺少总体研判结论（总体研判）") in found
    assert ("error", "该部分没有内容（存在的问题和风险隐患）") in found


def test_no_analysis_meeting_is_a_warning(world):
    report = services.report_create(
        organisation=world.branch, year=2026, quarter=2, by=world.secretary
    )
    found = messages(report)
    assert ("warning", "本季度尚未召开研判会议（2026年第二季度）") in found


def test_submission_is_refused_with_every_blocking_problem(report):
    FindingFactory(meeting=report.organisation.meetings.get(), title="没有措施的问题")
    report.title = "xx党委的报告"
    report.save()
    with pytest.raises(services.ReportError) as refused:
        services.report_submit(report=report, by=report.created_by)
    assert refused.value.message == "报告未通过提交前检查，请修改后再提交。"
    assert [p.message for p in refused.value.problems] == [
        "存在未制定整改措施的问题",
        "检测到未替换的占位符（如“xx”“××”“20xx”），请修改后提交",
    ]
    report.refresh_from_db()
    assert report.status == "draft" and report.round == 0


def test_warnings_must_be_accepted(report):
    meeting = Meeting.objects.get(organisation=report.organisation)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.DRAFT)
    with pytest.raises(services.ReportError, match="需要确认的提示") as refused:
        services.report_submit(report=report, by=report.created_by)
    assert [str(p) for p in refused.value.problems] == [
        f"报告使用的会议记录尚未确认，确认后记录将锁定（会议“{meeting.title}”（9月24日））"
    ]
    services.report_submit(report=report, by=report.created_by, accept_warnings=True)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_submitting_without_an_issue_date_sets_the_submission_date(report):
    report.issue_date = None
    report.save()
    assert not any("成文日期" in str(p) for p in check_report(report))
    services.report_submit(report=report, by=report.created_by)
    report.refresh_from_db()
    assert report.issue_date == timezone.localdate()
    frozen = report.submissions.get().content
    assert frozen["issue_date"] == cn_date(timezone.localdate())
