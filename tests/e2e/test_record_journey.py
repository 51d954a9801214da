"""导出会议记录 and 导出会议记录本 in the browser: a secretary exports a confirmed
meeting's record and the year's 会议记录本, waits for 已生成 and downloads them."""

import datetime
import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from meetings import services
from meetings.models import today

from ..factories import MeasureFactory, MeetingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def meeting(world, title, date, *, confirmed=True):
    record = MeetingFactory(
        organisation=world.branch,
        title=title,
        date=date,
        place="学校三楼会议室",
        chair=world.secretary.person_record,
        recorder=world.publicity.person_record,
        expected_count=9,
        present_count=8,
        study_content="傳達學習了縣委教育工委關于意識形態工作的部署要求。",
        requirements="一是加强网络舆情监测；二是规范工作微信群管理。",
    )
    record.attendees.set([world.secretary.person_record, world.publicity.person_record])
    MeasureFactory(
        finding__meeting=record,
        finding__title="对网络舆情的监测预警还不够及时",
        content="建立网络舆情日报制度",
        responsible_person=world.publicity.person_record,
        deadline=datetime.date(2026, 12, 31),
    )
    if confirmed:
        services.meeting_confirm(meeting=record, by=world.secretary)
    return record


def download(page, block):
    expect(block.get_by_text("已生成")).to_be_visible(timeout=15_000)
    with page.expect_download() as info:
        block.get_by_role("link", name="下载").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, Document(io.BytesIO(handle.read()))


def test_secretary_exports_a_meeting_record_and_the_years_record_book(
    page, live_server, world, tmp_path
):
    year = today().year
    draft = meeting(world, "本年度第二次研判会议", today(), confirmed=False)
    meeting(world, "本年度第一次研判会议", datetime.date(year, 1, 15))
    login(page, live_server, world.secretary)

    # A draft: the page says why there is no 导出会议记录
    page.goto(live_server.url + draft.get_absolute_url())
    expect(page.get_by_text("该会议记录尚未确认，不能导出会议记录。", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="导出会议记录")).to_have_count(0)

    # The confirmed meeting: 导出会议记录 → 已生成 → 下载
    page.get_by_role("link", name="研判会议").first.click()
    page.get_by_role("link", name="本年度第一次研判会议").click()
    page.get_by_role("button", name="导出会议记录").click()
    expect(page.get_by_text(re.compile("已开始导出会议记录|会议记录已生成"))).to_be_visible()
    page.screenshot(path=tmp_path / "meeting.png", full_page=True)
    name, doc = download(page, page.locator("#exports .file-status").first)
    assert name.endswith("本年度第一次研判会议记录.docx")
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    assert lines[0] == "本年度第一次研判会议记录"
    assert "会议地点：学校三楼会议室" in lines
    assert "传达学习了县委教育工委关于意识形态工作的部署要求。" in lines  # simplified
    assert "（一）对网络舆情的监测预警还不够及时。部分青年教师对理论学习重视不够。" in lines

    # 导出会议记录本 of this year (the default) from the 研判会议 list
    page.get_by_role("link", name="研判会议").first.click()
    expect(page.locator("#exports").get_by_label("年度")).to_have_value(str(year))
    page.get_by_role("button", name="导出会议记录本").click()
    expect(page.get_by_text(re.compile("已开始导出会议记录本|会议记录本已生成"))).to_be_visible()
    page.screenshot(path=tmp_path / "list.png", full_page=True)
    name, doc = download(page, page.locator("#exports .file-status").first)
    assert name.endswith(f"{year}年会议记录本.docx")
    lines = [p.text for p in doc.paragraphs if p.text.strip()]
    assert lines[2] == "目　录"
    assert lines[3].startswith(f"1．{year}年1月15日") and "本年度第一次研判会议" in lines[3]
    assert "本年度第二次研判会议记录" not in lines  # a draft is not in the book
