"""What a secretary really pastes, from the form to the 宣传部's DOCX.

The corpus in tests/data/paste/ (traditional script, “?。” artefacts, site junk,
pasted numbering, lines broken in mid-sentence, a 20,000-character paste) goes
into the meeting, finding and measure forms; the branch assembles and submits,
the reviewer approves and downloads the DOCX, and the document is checked the
way the 宣传部 reads it — and in LibreOffice's PDF, page by page."""

import datetime
import io
import pathlib
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from playwright.sync_api import expect

from ideology_review.lib.text import count_traditional
from meetings.models import Measure, Meeting, today
from reports.models import QuarterlyReport

from ..documents import pdf_pages
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CORPUS = pathlib.Path(__file__).parent.parent / "data" / "paste"
MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、是要]|\d+[.．、])"
)


def corpus(name):
    return (CORPUS / name).read_text(encoding="utf-8")


def paragraph(page, text):
    return page.locator("li.list-group-item").filter(has_text=text)


def fill_meeting(page, day):
    page.get_by_role("link", name="研判会议").click()
    page.get_by_role("link", name="新建会议").click()
    page.get_by_label("会议名称").fill(f"{day.year}年第四季度意识形态分析研判会议")
    page.get_by_label("会议类型").select_option(label="意识形态分析研判会议")
    page.get_by_label("会议日期").fill(day.isoformat())
    page.get_by_label("主持人").select_option(label="王丽华")
    study = page.get_by_label("学习传达内容")
    study.fill(corpus("meeting_study.txt"))
    # 转为简体 converts the field in the form; nothing is saved yet
    tools = study.locator("xpath=following-sibling::div[contains(@class,'text-tools')]")
    expect(tools.get_by_text(re.compile(r"检测到\d+个繁体字"))).to_be_visible()
    tools.get_by_role("button", name="转为简体").click()
    expect(tools.get_by_text(re.compile("已转为简体：已将\\d+个繁体字转为简体"))).to_be_visible()
    assert count_traditional(study.input_value()) == 0
    assert "学习了《党委(党组)意识形态工作责任制实施办法》" in study.input_value()
    assert Meeting.objects.count() == 0
    page.get_by_label("通报事项").fill(corpus("meeting_briefings.txt"))
    page.get_by_label("会议要求").fill(corpus("meeting_requirements.txt"))
    page.get_by_label("总体研判结论").select_option(label="意识形态工作的主流是好的")
    page.get_by_label("研判结论补充说明").fill(corpus("meeting_judgement_detail.txt"))
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：会议已登记。")).to_be_visible()


def add_finding(page, title, details, category):
    page.get_by_role("link", name="新增问题").click()
    page.get_by_label("问题类别").select_option(label=category)
    page.get_by_label("问题概述").fill(title)
    page.get_by_label("具体表现").fill(details)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：问题已新增。")).to_be_visible()


def add_measure(page, finding_title, content, *, dept, deadline="", progress="", status="整改中"):
    card = page.locator(".finding-card").filter(has_text=finding_title)
    card.get_by_role("link", name="新增整改措施").click()
    page.get_by_label("整改措施").fill(content)
    page.get_by_label("责任人").select_option(label="王丽华")
    page.get_by_label("责任部门").fill(dept)
    if deadline:
        page.get_by_label("整改时限").fill(deadline)
    else:
        page.get_by_label("长期坚持").check()
    page.get_by_label("整改状态").select_option(label=status)
    page.get_by_label("进展情况").fill(progress)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("操作成功：整改措施已新增。")).to_be_visible()


def test_pasted_records_become_a_document_the_department_accepts(
    page, live_server, world, soffice, tmp_path
):
    page.on("dialog", lambda dialog: dialog.accept())
    now = today()
    day = max(
        datetime.date(now.year, 3 * ((now.month - 1) // 3) + 1, 10),
        now - datetime.timedelta(days=1),
    )
    day = min(day, now)
    login(page, live_server, world.secretary)
    fill_meeting(page, day)
    add_finding(page, corpus("finding_title.txt"), corpus("finding_details.txt"), "理论学习")
    add_measure(
        page,
        "理論學習不夠深入",
        corpus("measure_content.txt"),
        dept="支部委员会",
        deadline=f"{now.year}-12-31",
        progress=corpus("measure_progress.txt"),
    )
    add_finding(page, corpus("finding2_title.txt"), corpus("long_paste.txt"), "网络意识形态")
    add_measure(
        page, "管理不夠規范", corpus("measure2_content.txt"), dept="信息中心", status="长期坚持"
    )
    page.get_by_role("button", name="确认会议记录").click()
    expect(page.get_by_text(re.compile("会议记录已确认"))).to_be_visible()
    assert Measure.objects.count() == 2

    # the branch assembles; a paragraph typed by hand in traditional script blocks submission
    page.get_by_role("link", name="研判报告").click()
    page.get_by_role("button", name="新建报告").click()
    page.get_by_role("button", name="一键汇总").click()
    expect(paragraph(page, "部分党员理论学习不够深入")).to_be_visible()
    paragraph(page, "通过研判认为").get_by_role("link", name="编辑").click()
    body = page.get_by_label("正文")
    body.fill("通過研判認為,目前我校意識形態工作的主流是好的,學校對意識形態工作領導堅強有力。")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("报告未通过提交前检查，请修改后再提交。")).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text=re.compile("含有繁体字\\d+个.*总体研判第一段"))
    ).to_be_visible()
    paragraph(page, "通過研判認為").get_by_role("link", name="编辑").click()
    body = page.get_by_label("正文")
    tools = body.locator("xpath=following-sibling::div[contains(@class,'text-tools')]")
    tools.get_by_role("button", name="转为简体").click()
    expect(body).to_have_value(
        "通过研判认为,目前我校意识形态工作的主流是好的,学校对意识形态工作领导坚强有力。"
    )
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("操作成功：提交审核。")).to_be_visible()
    report = QuarterlyReport.objects.get()
    assert report.status == "submitted" and report.issue_date == now  # 成文日期 set on submission

    login(page, live_server, world.reviewer)
    page.goto(live_server.url + report.get_absolute_url())
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    page.get_by_role("button", name="导出DOCX").click()
    newest = page.locator(".file-status").first
    expect(newest.get_by_text("已生成")).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        newest.get_by_role("link", name="下载").click()
    payload = pathlib.Path(download_info.value.path()).read_bytes()

    doc = Document(io.BytesIO(payload))
    texts = [p.text for p in doc.paragraphs]
    table = doc.tables[-1]
    cells = [cell.text for row in table.rows[1:] for cell in row.cells]
    everything = "\n".join(texts + cells)
    assert count_traditional(everything) == 0
    assert "?。" not in everything and "??" not in everything and "赏杯茶钱" not in everything
    for text in texts + cells:  # 二是 only after 一是, never alone
        for n, marker in enumerate("二三四五", start=2):
            if f"{marker}是" in text and re.search(rf"(^|[。；：，]){marker}是", text):
                assert f"{'一二三四'[n - 2]}是" in text, text
    assert not [c for c in cells[::1] if MARKER.match(c) and not c.isdigit()], cells
    xml = zipfile.ZipFile(io.BytesIO(payload)).read("word/document.xml").decode()
    assert "<w:br/>" not in xml and "<w:br " not in xml
    # 台账 rows do not split and their cells are off the line grid
    assert all(
        row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None
        for row in table.rows
    )
    cell_style = doc.styles[table.rows[1].cells[1].paragraphs[0].style.name]
    snap = cell_style.element.pPr.find(qn("w:snapToGrid"))
    assert snap is not None and snap.get(qn("w:val")) == "0"
    # 成文日期 under the 落款
    signatory = texts.index(report.signatory)
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", texts[signatory + 1])
    assert texts[signatory + 1] == f"{now.year}年{now.month}月{now.day}日"

    pages = pdf_pages(soffice, tmp_path, payload)
    appendix = next(i for i, p in enumerate(pages) if p[0].strip() == "附件")
    body_pages = pages[:appendix]
    assert len(body_pages) > 5  # the 20,000-character paste
    for number, lines in enumerate(body_pages[:-1], start=1):
        lines = [line for line in lines if not line.strip().startswith("—")]
        assert len(lines) >= 14, f"第{number}页只有{len(lines)}行"
