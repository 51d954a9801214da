"""The quarterly report in the browser: the secretary assembles and submits,
the propaganda department returns, the branch revises, the reviewer approves."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from meetings.models import FindingCategory, Measure, today
from reports.models import QuarterlyReport

from ..factories import FindingFactory, MeasureFactory, MeetingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def records(world):
    """This quarter's meeting with a finding, last quarter's with an open measure."""
    now = today()
    this_quarter = datetime.date(now.year, 3 * ((now.month - 1) // 3) + 1, 5)
    last_quarter = this_quarter - datetime.timedelta(days=40)
    network = FindingCategory.objects.get(code="network")
    meeting = MeetingFactory(
        organisation=world.branch,
        date=this_quarter,
        judgement="主流是好的",
        study_content="传达学习了县委宣传部通知精神",
    )
    finding = FindingFactory(
        meeting=meeting,
        category=network,
        title="工作群转发无关信息",
        details="个别年级组群转发与工作无关的信息",
    )
    MeasureFactory(
        finding=finding,
        content="信息专干每周巡查",
        long_term=True,
        deadline=None,
        status=Measure.Status.ONGOING,
        responsible_person=world.secretary.person_record,
    )
    old = FindingFactory(
        meeting=MeetingFactory(organisation=world.branch, date=last_quarter),
        title="宣传栏更新不及时",
    )
    MeasureFactory(
        finding=old,
        content="明确宣传栏管理责任人",
        responsible_person=world.secretary.person_record,
    )
    return finding


def paragraph(page, text):
    return page.locator("li.list-group-item").filter(has_text=text)


def test_secretary_assembles_edits_and_submits(page, live_server, world, records):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, world.secretary)
    page.get_by_role("link", name="研判报告").click()
    page.get_by_role("button", name="新建报告").click()
    expect(page.get_by_text("操作成功：报告已新建")).to_be_visible()

    page.get_by_role("button", name="一键汇总").click()
    expect(page.get_by_text(re.compile("操作成功：已从.*汇总生成"))).to_be_visible()
    expect(paragraph(page, "工作群转发无关信息")).to_be_visible()
    expect(paragraph(page, "信息专干每周巡查")).to_be_visible()
    expect(paragraph(page, "上季度（")).to_be_visible()
    expect(paragraph(page, "明确宣传栏管理责任人")).to_be_visible()

    # edit an assembled paragraph, re-assemble: the edit stays
    paragraph(page, "工作群转发无关信息").get_by_role("link", name="编辑").click()
    page.get_by_label("正文").fill("个别年级组群转发与工作无关的信息，已当面提醒群主。")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="一键汇总").click()
    expect(paragraph(page, "已当面提醒群主")).to_have_count(1)
    expect(paragraph(page, "工作群转发无关信息")).to_have_count(1)

    # a placeholder left in blocks submission, with where it is
    page.get_by_role("link", name="编辑", exact=True).first.click()
    page.get_by_label("主送单位").fill("xx党委")
    page.get_by_label("成文日期").fill(today().isoformat())
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("报告未通过提交前检查，请修改后再提交。")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="主送单位：“xx党委”")).to_be_visible()
    assert QuarterlyReport.objects.get().status == "draft"

    page.get_by_role("link", name="编辑", exact=True).first.click()
    page.get_by_label("主送单位").fill("中共青山县委员会")
    page.get_by_role("button", name="保存").click()
    # the meeting record is not confirmed yet: a warning the secretary accepts
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert").filter(has_text="报告使用的会议记录尚未确认")).to_be_visible()
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("操作成功：提交审核。")).to_be_visible()
    assert QuarterlyReport.objects.get().status == "submitted"


def test_reviewer_returns_branch_revises_reviewer_approves(page, live_server, world, records):
    from reports import services

    page.on("dialog", lambda dialog: dialog.accept())
    now = today()
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

    login(page, live_server, world.reviewer)
    page.get_by_role("link", name="报告审核").click()
    page.get_by_role("link", name=re.compile("意识形态领域分析研判情况的报告")).click()
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("退回修改必须填写审核意见。")).to_be_visible()
    page.get_by_label("审核意见").fill("风险点不够具体，请补充。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("操作成功：退回修改。")).to_be_visible()

    login(page, live_server, world.secretary)
    expect(page.get_by_text("审核意见：风险点不够具体，请补充。")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^\d{4}年第.季度$")).click()
    expect(page.get_by_text("审核意见：风险点不够具体，请补充。")).to_be_visible()
    expect(page.get_by_role("cell", name="风险点不够具体，请补充。", exact=True)).to_be_visible()
    paragraph(page, "工作群转发无关信息").get_by_role("link", name="编辑").click()
    page.get_by_label("正文").fill("三个年级组工作群共转发无关信息12条，存在不良信息传播隐患。")
    page.get_by_role("button", name="保存").click()
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="重新提交").click()
    expect(page.get_by_text("操作成功：重新提交。")).to_be_visible()

    login(page, live_server, world.reviewer)
    page.get_by_role("link", name="报告审核").click()
    page.get_by_role("link", name=re.compile("意识形态领域分析研判情况的报告")).click()
    expect(page.get_by_text("与第1次提交相比的修改")).to_be_visible()
    # the edit is marked inside its paragraph: the inserted words in <ins>
    changed = page.locator(".round-changes .diff-row").filter(has_text="修改")
    expect(changed.locator("ins").filter(has_text="12")).to_be_visible()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    expect(page.get_by_text("报告已审核通过，所有人只读。")).to_be_visible()

    login(page, live_server, world.secretary)
    page.goto(live_server.url + report.get_absolute_url())
    expect(page.get_by_role("button", name="一键汇总")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == "approved" and report.round == 2
