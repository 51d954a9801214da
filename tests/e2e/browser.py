"""Steps the browser journeys share."""

import re

from playwright.sync_api import expect


def login(page, live_server, user):
    """Sign in through the login page as `user` (the personas' password), from
    a clean session, and wait for 工作台."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("qingshan2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name=re.compile("工作台"))).to_be_visible()
