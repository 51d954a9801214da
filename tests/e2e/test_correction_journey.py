"""更正 in the browser: the reviewer's remark on a submitted report is fixed in the
confirmed meeting record, with a reason; the history says who changed what from
what and why; the report the reviewer approves stays as it was submitted."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from playwright.sync_api import expect

from meetings.models import FindingCategory, Measure, Meeting, today
from reports import services

from ..factories import FindingFactory, MeasureFactory, MeetingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
OLD, NEW = "教职工工作群转发无关信息四是", "教职工工作群转发与工作无关的信息"
REASON = "根据县委宣传部审核意见，删去误留的“四是”"


@pytest.fixture
def submitted(world):
    """This quarter's confirmed meeting, and its report submitted for review."""
    now = today()
    meeting = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(now.year, 3 * ((now.month - 1) // 3) + 1, 5),
        judgement="主流是好的",
        study_content="传达学习了县委宣传部通知精神",
        status=Meeting.Status.CONFIRMED,
    )
    finding = FindingFactory(
        meeting=meeting,
        category=FindingCategory.objects.get(code="network"),
        title=OLD,
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
    report = services.report_create(
        organisation=world.branch, year=meeting.year, quarter=meeting.quarter, by=world.secretary
    )
    report.issue_date = now
    report.save()
    services.report_assemble(report=report, by=world.secretary)
    services.report_submit(report=report, by=world.secretary, accept_warnings=True)
    return finding, report


def test_secretary_corrects_a_confirmed_finding(page, live_server, world, submitted):
    finding, report = submitted
    frozen = report.submissions.get().content
    assert OLD in str(frozen)

    login(page, live_server, world.secretary)
    page.goto(live_server.url + finding.meeting.get_absolute_url())
    card = page.locator(".finding-card").filter(has_text=OLD)
    # a confirmed record offers 更正, never an 编辑 or 删除 it would refuse
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.get_by_role("button", name="删除")).to_have_count(0)
    expect(card.get_by_role("link", name="更新进展")).to_be_visible()

    card.get_by_role("link", name="更正").first.click()
    page.get_by_label("问题概述").fill(NEW)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请填写更正说明。")).to_be_visible()
    expect(page.get_by_label("问题概述")).to_have_value(NEW)  # the input is kept
    page.get_by_label("更正说明").fill(REASON)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：已更正")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(NEW))).to_be_visible()
    expect(page.get_by_text("已更正", exact=True)).to_be_visible()

    # 历史记录, refreshed with the block, and the same after a reload
    history = page.locator("#history")
    expect(history.get_by_role("row").filter(has_text="更正说明")).to_have_count(1)
    page.reload()
    history.scroll_into_view_if_needed()  # the panel loads when it comes into view
    row = history.get_by_role("row").filter(has_text="更正说明")
    expect(row).to_contain_text(f"问题概述：{OLD} → {NEW}")
    expect(row).to_contain_text(f"更正说明：{REASON}")
    expect(row).to_contain_text("王丽华")
    entry = LogEntry.objects.get(additional_data__事件="更正")
    assert entry.actor == world.secretary

    # the reviewer approves (asked first: it cannot be undone) what was submitted
    login(page, live_server, world.reviewer)
    page.goto(live_server.url + report.get_absolute_url())
    expect(page.locator(".paper-landscape")).to_contain_text(OLD)  # the frozen 台账
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    assert asked == ["审核通过后报告将不可修改，确定审核通过吗？"]
    report.refresh_from_db()
    assert report.status == "approved"
    assert report.submissions.get().content == frozen

    # once the quarter is approved, nothing more to correct
    login(page, live_server, world.secretary)
    page.goto(live_server.url + finding.meeting.get_absolute_url())
    expect(page.get_by_role("heading", name=re.compile(NEW))).to_be_visible()
    expect(page.get_by_role("link", name="更正")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)


def test_dismissing_the_approval_question_approves_nothing(page, live_server, world, submitted):
    _, report = submitted
    login(page, live_server, world.reviewer)
    page.goto(live_server.url + report.get_absolute_url())
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_timeout(300)
    report.refresh_from_db()
    assert report.status == "submitted"
