"""The committee level in the browser, on the demo data (issue 12): a village
branch reports to 石桥镇党委, whose 书记 returns and approves it; the 镇党委's
own report reads its branches' approved reports and goes up to the 宣传部,
which reads the village's report but cannot review it."""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from reports.models import QuarterlyReport

from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "{}关于2026年第四季度意识形态领域分析研判情况的报告"
LIUXI = "中共青山县石桥镇柳溪村支部委员会"
FENGLING = "中共青山县石桥镇枫岭村支部委员会"
TOWNSHIP = "中共青山县石桥镇委员会"
# Where to keep the pages looked at (set E2E_SCREENSHOTS=/some/dir to keep them).
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def demo(settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


def report_of(name):
    return QuarterlyReport.objects.get(organisation__name=name, year=2026, quarter=4)


def open_in_inbox(page, title):
    page.locator("nav").get_by_role("link", name="报告审核").click()
    page.get_by_role("link", name=title).click()


def test_committee_chain(page, live_server, demo):
    page.on("dialog", lambda dialog: dialog.accept())

    # the village secretary submits her fourth-quarter report
    login(page, live_server, demo["chenxiulan"])
    page.locator("nav").get_by_role("link", name="研判报告", exact=True).click()
    page.get_by_role("link", name=TITLE.format(LIUXI)).click()
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("操作成功：提交审核。")).to_be_visible()
    expect(page.get_by_text(f"报告待审核（审核单位：{TOWNSHIP}）")).to_be_visible()

    # the 镇党委's 书记 reviews his branches: told what he reviews, he returns it
    login(page, live_server, demo["luojianhua"])
    page.locator("nav").get_by_role("link", name="报告审核").click()
    expect(page.get_by_role("note").filter(has_text=f"审核单位：{TOWNSHIP}")).to_contain_text(
        "石桥镇党委本级的报告报送上级审核，不在此列。"
    )
    expect(page.get_by_role("link", name=TITLE.format(FENGLING))).to_be_visible()
    shot(page, "luojianhua-inbox")
    page.get_by_role("link", name=TITLE.format(LIUXI)).click()
    page.get_by_label("审核意见").fill("典型问题分析不够深入，请补充村民微信群管理的具体措施。")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("操作成功：退回修改。")).to_be_visible()

    # she sees the comment and resubmits
    login(page, live_server, demo["chenxiulan"])
    page.locator("nav").get_by_role("link", name="研判报告", exact=True).click()
    page.get_by_role("link", name=TITLE.format(LIUXI)).click()
    expect(page.get_by_text("审核意见：典型问题分析不够深入")).to_be_visible()
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="重新提交").click()
    expect(page.get_by_text("操作成功：重新提交。")).to_be_visible()

    # he approves it
    login(page, live_server, demo["luojianhua"])
    open_in_inbox(page, TITLE.format(LIUXI))
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    assert report_of(LIUXI).status == "approved" and report_of(LIUXI).round == 2

    # 统计分析 over his two villages
    page.locator("nav").get_by_role("link", name="统计分析", exact=True).click()
    expect(page.get_by_role("note").filter(has_text=f"审核单位：{TOWNSHIP}")).to_be_visible()
    branches = page.locator("#branches")
    expect(branches.get_by_role("cell", name=LIUXI)).to_be_visible()
    expect(page.get_by_role("cell", name="中共青山县城关第一实验学校支部委员会")).to_have_count(0)
    shot(page, "luojianhua-statistics")

    # the 镇党委's own report: 一键汇总 reads the approved branch report
    page.locator("nav").get_by_role("link", name="研判报告", exact=True).click()
    create = page.locator("form").filter(has=page.get_by_role("button", name="新建报告"))
    create.get_by_label("年度").select_option("2026")
    create.get_by_label("季度").select_option("4")
    page.get_by_role("button", name="新建报告").click()
    expect(page.get_by_text("操作成功：报告已新建")).to_be_visible()
    page.get_by_role("button", name="一键汇总").click()
    expect(page.get_by_text(re.compile("操作成功：已从.*汇总生成"))).to_be_visible()
    reporting = page.locator("li.list-group-item").filter(has_text="督促指导")
    expect(reporting).to_contain_text(
        "应报送季度分析研判报告的所属党组织2个，已报送并经石桥镇党委审核通过1个（柳溪村党支部），"
        "尚未报送或尚未审核通过1个（枫岭村党支部）"
    )
    expect(reporting).to_contain_text("按类别分：网络意识形态1项、文化需求1项")
    shot(page, "township-report-assembled")
    page.get_by_label("我已知晓上述提示，仍然提交").check()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("操作成功：提交审核。")).to_be_visible()
    expect(page.get_by_text("报告待审核（审核单位：中共青山县委宣传部）")).to_be_visible()

    # the 宣传部 approves the 镇党委's report
    login(page, live_server, demo["zhouxiaofeng"])
    page.locator("nav").get_by_role("link", name="报告审核").click()
    expect(page.get_by_role("link", name=TITLE.format(FENGLING))).to_have_count(0)
    shot(page, "zhouxiaofeng-inbox")
    page.get_by_role("link", name=TITLE.format(TOWNSHIP)).click()
    expect(page.get_by_text("督促指导")).to_be_visible()  # the frozen content has it
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    assert report_of(TOWNSHIP).status == "approved"

    # …and opens a village report the 镇党委 still has to review: read-only
    waiting = report_of(FENGLING)
    page.goto(live_server.url + waiting.get_absolute_url())
    expect(page.get_by_text(f"该报告由{TOWNSHIP}审核，您只能查看，不能审核。")).to_be_visible()
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(page.get_by_role("button", name="退回修改")).to_have_count(0)
    shot(page, "zhouxiaofeng-village-read-only")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        live_server.url + f"/reports/{waiting.pk}/approve/",
        headers={"X-CSRFToken": token},
        form={"comment": "同意。"},
    )
    assert refused.status == 403 and "只有该报告审核单位的审核人可以审核该报告" in refused.text()
    assert report_of(FENGLING).status == "submitted"

    # a branch of another committee sees none of it
    login(page, live_server, demo["wanglihua"])
    page.locator("nav").get_by_role("link", name="研判报告", exact=True).click()
    expect(page.get_by_text("石桥镇")).to_have_count(0)
    for name in (LIUXI, FENGLING, TOWNSHIP):
        response = page.goto(live_server.url + report_of(name).get_absolute_url())
        assert response.status == 404
