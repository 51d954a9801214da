"""审核工作台 and 催报 in the browser, on the demo data (issue 13 acceptance 1):
the 宣传部's reviewer lands on the workbench, sees what waits and who has not
submitted, sends 催报 to the hospital's branch, whose secretary sees it in 通知
and on his 工作台."""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def demo(settings):
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


def test_the_reviewer_urges_the_hospital_which_sees_it(page, live_server, demo):
    login(page, live_server, demo["zhouxiaofeng"])
    expect(page.get_by_role("heading", name=re.compile("审核工作台"))).to_be_visible()
    pending = page.locator("#pending")
    expect(pending.get_by_text("待审核（1份）")).to_be_visible()
    expect(pending.get_by_role("link", name=re.compile("物业公司党支部"))).to_be_visible()
    expect(pending.get_by_text(re.compile("今天提交|已等待\\d+天"))).to_be_visible()
    expect(page.locator("nav").get_by_title("待审核")).to_have_text("1")
    missing = page.locator("#missing")
    expect(missing.get_by_text(re.compile("报送截止日期：\\d{4}年"))).not_to_have_count(0)
    expect(
        missing.get_by_text(re.compile("已逾期\\d+天|还剩\\d+天|今天截止")).first
    ).to_be_visible()
    shot(page, "workbench")

    # 催报 to the hospital's branch, in the first report it has not handed in
    form = missing.locator("form").filter(has=page.get_by_label(re.compile("^医院党支部"))).first
    form.get_by_label(re.compile("^医院党支部")).check()
    form.get_by_role("button", name="催报").click()
    expect(page.get_by_text(re.compile("操作成功：已向1个党组织发送.*催报"))).to_be_visible()
    expect(page.locator("#missing").get_by_text(re.compile("已催报")).first).to_be_visible()

    # the hospital's secretary sees it on his 工作台 and in 通知
    login(page, live_server, demo["liweidong"])
    card = page.locator("#unread-notifications")
    expect(card.get_by_text(re.compile("催报：请尽快报送.*（周晓峰）"))).to_be_visible()
    bell = page.locator("nav").get_by_title("未读通知")
    unread = int(bell.inner_text())
    assert unread >= 1
    shot(page, "liweidong-dashboard")
    page.locator("nav").get_by_role("link", name=re.compile("^通知")).click()
    item = page.locator(".list-group-item").filter(has_text="催报：请尽快报送").first
    expect(item.get_by_text("发送人：周晓峰")).to_be_visible()
    item.get_by_role("button", name="标为已读").click()
    if unread > 1:
        expect(page.locator("nav").get_by_title("未读通知")).to_have_text(str(unread - 1))
    else:
        expect(page.locator("nav").get_by_title("未读通知")).to_have_count(0)
    expect(item).not_to_have_class(re.compile("list-group-item-warning"))
    shot(page, "liweidong-notifications")
