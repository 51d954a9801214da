"""The branch secretary's journey, in the system Chromium, by the labels of ui-terms.md."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import Finding, Measure, Meeting

from ..factories import PersonFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_secretary_logs_a_meeting_and_finds_it_in_the_ledgers(page, live_server, world):
    deputy = PersonFactory(name="陈建军")
    deputy.memberships.create(organisation=world.branch, party_role="副书记")
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, live_server, world.secretary)

    # 新建会议 with two attendees
    page.get_by_role("link", name="研判会议").click()
    page.get_by_role("link", name="新建会议").click()
    page.get_by_label("会议名称").fill("2026年第四季度意识形态分析研判会议")
    page.get_by_label("会议类型").select_option(label="意识形态分析研判会议")
    page.get_by_label("会议日期").fill("2026-11-10")
    page.get_by_label("会议地点").fill("学校三楼会议室")
    page.get_by_label("主持人").select_option(label="王丽华")
    page.get_by_label("应到人数").fill("9")
    page.get_by_label("王丽华").check()
    page.get_by_label("陈建军").check()
    page.get_by_label("总体研判结论").select_option(label="意识形态工作的主流是好的")
    page.get_by_role("button", name="保存").click()
    expect(
        page.get_by_role("heading", name=re.compile("2026年第四季度意识形态分析研判会议"))
    ).to_be_visible()
    expect(page.get_by_text("王丽华、陈建军", exact=True)).to_be_visible()

    # 新增问题, inline on the meeting page
    page.get_by_role("link", name="新增问题").click()
    page.get_by_label("问题性质").select_option(label="风险隐患")
    page.get_by_label("问题类别").select_option(label="网络意识形态")
    page.get_by_label("问题概述").fill("教职工工作微信群存在转发与工作无关信息现象")
    page.get_by_label("具体表现").fill("個別年級組工作群轉發與工作無關的信息👀")
    page.get_by_label("风险等级").select_option(label="高")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：问题已新增。")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("教职工工作微信群"))).to_be_visible()

    # 新增整改措施 for that finding
    page.get_by_role("link", name="新增整改措施").click()
    page.get_by_label("整改措施").fill("重申工作微信群只能用于日常工作，信息专干每周巡查")
    page.get_by_label("责任人").select_option(label="陈建军")
    page.get_by_label("整改时限").fill("2026-12-31")
    page.get_by_label("整改状态").select_option(label="整改中")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：整改措施已新增。")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("信息专干每周巡查"))).to_be_visible()

    # 确认会议记录 locks it
    page.get_by_role("button", name="确认会议记录").click()
    expect(page.get_by_text("会议记录已确认，记录已锁定")).to_be_visible()
    expect(page.get_by_role("link", name="新增问题")).to_have_count(0)
    assert Meeting.objects.get().is_confirmed

    # Both appear in the ledgers
    page.get_by_role("link", name="问题台账").click()
    expect(
        page.get_by_role("link", name="教职工工作微信群存在转发与工作无关信息现象")
    ).to_be_visible()
    page.get_by_role("link", name="整改台账").click()
    expect(page.get_by_role("cell", name=re.compile("信息专干每周巡查"))).to_be_visible()
    expect(page.get_by_role("cell", name="陈建军")).to_be_visible()

    finding = Finding.objects.get()
    assert finding.details == "個別年級組工作群轉發與工作無關的信息👀"
    assert Measure.objects.get().responsible_person == deputy
