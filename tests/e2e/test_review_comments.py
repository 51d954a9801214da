"""批注 in the browser (issue 13, acceptance 2): the reviewer comments on two
paragraphs and one 台账 row and returns the report with nothing else; the
secretary sees each comment beside its paragraph, revises, marks them 已修改
and resubmits; the reviewer sees which comments were addressed."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import Measure, today
from reports import services
from reports.models import QuarterlyReport, ReportComment

from ..factories import FindingFactory, MeasureFactory, MeetingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPORT_LINK = re.compile("意识形态领域分析研判情况的报告")


def nav(page, name):
    """A menu item; 报告审核 carries its 待审核 count (报告审核 1)."""
    label = re.compile(rf"^{name}( \d+)?$")
    page.locator("nav").get_by_role("link", name=label).click()


def paper_paragraph(page, text):
    return page.locator(".paper .paper-anchor").filter(has_text=text)


def ledger_row(page, text):
    return page.locator(".paper-appendix tbody tr").filter(has_text=text)


def add_comment(place, text):
    place.get_by_role("button", name="批注", exact=True).click()
    place.get_by_label("批注内容").fill(text)
    place.get_by_role("button", name="保存批注").click()


def paragraph(page, text):
    return page.locator("li.list-group-item").filter(has_text=text)


@pytest.fixture
def submitted(world):
    """This quarter's report of the school, assembled from one meeting with a
    finding and its measure, submitted."""
    now = today()
    meeting = MeetingFactory(
        organisation=world.branch,
        date=now.replace(day=1),
        judgement="主流是好的",
        study_content="传达学习了县委宣传部通知精神",
    )
    finding = FindingFactory(
        meeting=meeting, title="工作群转发无关信息", details="个别年级组群转发与工作无关的信息"
    )
    MeasureFactory(
        finding=finding,
        content="信息专干每周巡查",
        long_term=True,
        deadline=None,
        status=Measure.Status.ONGOING,
        responsible_person=world.secretary.person_record,
    )
    report = services.report_create(
        organisation=world.branch,
        year=now.year,
        quarter=(now.month - 1) // 3 + 1,
        by=world.secretary,
    )
    report.issue_date = now
    report.save()
    services.report_assemble(report=report, by=world.secretary)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    return report


def test_comments_go_back_to_the_branch_and_come_back_marked(page, live_server, world, submitted):
    """Issue 13 acceptance 2: 批注 on two paragraphs and a 台账 row, returned; the
    branch marks them 已修改 and resubmits; the reviewer reads the character-level
    diff and the comments' state, ticks the 审核要点 and approves."""
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, world.reviewer)
    nav(page, "报告审核")
    page.get_by_role("link", name=REPORT_LINK).click()
    add_comment(paper_paragraph(page, "个别年级组群转发"), "请写明涉及几个工作群、多少条信息。")
    expect(page.get_by_text("操作成功：批注已添加。")).to_be_visible()
    add_comment(paper_paragraph(page, "信息专干每周巡查"), "巡查要有记录，请写明由谁巡查。")
    add_comment(ledger_row(page, "信息专干每周巡查"), "责任部门未填写。")
    review = page.locator("#comments")
    expect(review.get_by_text("批注：本轮3条")).to_be_visible()
    # each beside what it is on, on the paper
    expect(
        paper_paragraph(page, "个别年级组群转发").get_by_text("请写明涉及几个工作群")
    ).to_be_visible()
    expect(ledger_row(page, "信息专干每周巡查").get_by_text("责任部门未填写。")).to_be_visible()
    # 退回修改 with the 批注 alone: no 审核意见 needed
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("操作成功：退回修改。")).to_be_visible()
    expect(page.get_by_text("审核意见：请按3条批注修改。")).to_be_visible()

    login(page, live_server, world.secretary)
    nav(page, "研判报告")
    page.get_by_role("link", name=REPORT_LINK).click()
    expect(page.get_by_text("审核批注：第1次提交共3条，已修改0条")).to_be_visible()
    problem = paragraph(page, "个别年级组群转发")
    expect(problem.get_by_text("请写明涉及几个工作群、多少条信息。")).to_be_visible()
    measure = paragraph(page, "信息专干每周巡查").filter(has_text="巡查要有记录")
    expect(measure).to_be_visible()
    # the 台账 row's comment is in the card, with the words it is on
    card = page.locator("#comments")
    expect(
        card.get_by_text(re.compile("台账：“工作群转发无关信息：信息专干每周巡查"))
    ).to_be_visible()

    problem.get_by_role("link", name="编辑").click()
    page.get_by_label("正文").fill("三个年级组工作群共转发无关信息12条，存在不良信息传播隐患。")
    page.get_by_role("button", name="保存").click()
    paragraph(page, "共转发无关信息12条").get_by_role("button", name="已修改").click()
    expect(page.get_by_text("操作成功：批注已标记为已修改。")).to_be_visible()
    measure.get_by_role("button", name="已修改").click()
    page.locator("#comments").get_by_role("button", name="已修改").click()
    expect(page.get_by_text("审核批注：第1次提交共3条，已修改3条")).to_be_visible()
    expect(page.get_by_role("button", name="已修改")).to_have_count(0)
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="重新提交").click()
    expect(page.get_by_text("操作成功：重新提交。")).to_be_visible()

    login(page, live_server, world.reviewer)
    nav(page, "报告审核")
    page.get_by_role("link", name=REPORT_LINK).click()
    expect(page.get_by_text("批注：本轮0条；第1次提交的批注3条，已修改3条")).to_be_visible()
    revised = paper_paragraph(page, "共转发无关信息12条")
    expect(revised.get_by_text("第1次提交时的批注（周晓峰）：请写明涉及几个工作群")).to_be_visible()
    expect(revised.get_by_text("已修改", exact=True)).to_be_visible()
    expect(ledger_row(page, "信息专干每周巡查").get_by_text("已修改", exact=True)).to_be_visible()
    report = QuarterlyReport.objects.get()
    assert report.status == "submitted" and report.round == 2
    assert ReportComment.objects.filter(addressed_by=world.secretary).count() == 3

    # the character-level diff: the words added inside the paragraph are marked
    changes = page.locator(".round-changes")
    expect(changes.get_by_text("与第1次提交相比的修改")).to_be_visible()
    edited = changes.locator(".diff-row").filter(has_text="修改")
    expect(edited.locator("ins").filter(has_text="12")).to_be_visible()
    expect(edited.locator("del").first).to_be_visible()
    # 审核要点 ticked, then 审核通过; the decision keeps them
    for point in ("研判重点突出", "风险点准确", "措施具体可行", "责任人与时限明确"):
        page.get_by_label(point).check()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    record = page.locator(".review-points")
    expect(record.get_by_text("✓研判重点突出")).to_be_visible()
    expect(record.get_by_text("✗佐证材料不全")).to_be_visible()
    report.refresh_from_db()
    assert report.status == "approved"
    assert report.events.get(action="approve").met == [
        "研判重点突出",
        "风险点准确",
        "措施具体可行",
        "责任人与时限明确",
    ]
