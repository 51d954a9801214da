"""Every kind of report in the browser (issue 12, acceptance 2): the branch
secretary creates the report with 新建报告, 一键汇总 fills it, the 提交前检查 is
clean, 提交审核; the propaganda department 审核通过 and 导出DOCX. The DOCX of
each kind passes the same GB/T 9704 checks as the quarterly report and its
part headings are the seed's skeleton of that kind, in order; LibreOffice lays
it out with the 落款 and 成文日期 and a page number on every page."""

import datetime
import io
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from meetings.models import FindingCategory, Measure, Meeting, today
from reports.models import QuarterlyReport

from ..documents import assert_official_layout, pdf_pages
from ..factories import FindingFactory, MeasureFactory, MeetingFactory
from .browser import login

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Kind = QuarterlyReport.Kind
BRANCH = "中共青山县城关第一实验学校支部委员会"

# What the 新建报告 form is given (select labels), the report's title and 落款,
# and the part headings of the document, in order: the seeds' skeletons.
JOURNEYS = {
    # domain.md §3.2 (the seed 000 reports): 五、 because the first quarter had measures
    Kind.QUARTERLY: {
        "form": {"季度（季度报告）": "第二季度"},
        "title": f"{BRANCH}关于2026年第二季度意识形态领域分析研判情况的报告",
        "signatory": BRANCH,
        "problems": ["个别党员学习缺乏热情"],  # the first quarter's is 上季度整改
        "headings": [
            "一、基本情况",
            "二、总体研判",
            "三、存在的问题和风险隐患",
            "四、下一步工作措施",
            "五、上季度整改落实情况",
        ],
        "starts": {"一、基本情况": "（一）加强组织领导", "三、存在的问题和风险隐患": "（一）"},
    },
    # domain.md §3.4 and seed 000 [L67–88]: 上半年工作开展情况 / 主要存在的风险和隐患 / 下半年…
    Kind.HALF_YEAR: {
        "form": {"半年（半年报告）": "上半年"},
        "title": f"{BRANCH}关于2026年上半年意识形态领域分析研判情况的报告",
        "signatory": BRANCH,
        "problems": ["工作群转发无关信息", "个别党员学习缺乏热情"],
        "headings": [
            "一、上半年意识形态工作开展情况",
            "二、总体研判",
            "三、主要存在的风险和隐患",
            "四、下半年工作打算",
            "五、上半年整改落实情况",
        ],
        "starts": {
            "一、上半年意识形态工作开展情况": "（一）",
            "三、主要存在的风险和隐患": "（一）",
        },
    },
    # seed 003, its table of contents [003:L7–11] and body [003:L17, 27, 35]
    Kind.ANNUAL: {
        "form": {},
        "title": f"{BRANCH}2026年度意识形态工作总结",
        "signatory": BRANCH,
        "problems": ["工作群转发无关信息", "个别党员学习缺乏热情"],
        "headings": [
            "一、年度意识形态工作开展情况",
            "二、当前意识形态方面存在的主要问题",
            "三、下一步意识形态工作的主要打算",
        ],
        # 一是… in all three parts, no （一） (seed 003)
        "starts": dict.fromkeys(
            (
                "一、年度意识形态工作开展情况",
                "二、当前意识形态方面存在的主要问题",
                "三、下一步意识形态工作的主要打算",
            ),
            "一是",
        ),
    },
    # seed 002 [002:L3, L12; 三、下步打算 glued to L15]; signed by the person
    Kind.DUTY: {
        "form": {"述职人（述职报告）": "王丽华"},
        "title": "2026年度落实意识形态工作责任制述职报告",
        "signatory": "党支部书记王丽华",
        "problems": ["工作群转发无关信息", "个别党员学习缺乏热情"],
        "headings": ["一、履职情况", "二、主要问题", "三、下步打算"],
        "starts": {"一、履职情况": "（一）", "二、主要问题": "一是", "三、下步打算": "（一）"},
    },
    # seed 004: 阵地 / 舆情 / 网评员、通讯员 / 问题和下一步 (篇一, 篇四's unheaded parts)
    Kind.NETWORK: {
        "form": {},
        "title": f"{BRANCH}关于2026年网络意识形态工作开展情况的报告",
        "signatory": BRANCH,
        "problems": ["工作群转发无关信息"],  # the network categories only
        "headings": [
            "一、网络阵地管理情况",
            "二、网络舆情处置情况",
            "三、网评员、通讯员队伍建设情况",
            "四、存在的问题和下一步措施",
        ],
        # the work done as narrative paragraphs, the problems and measures as lists
        "starts": {"一、网络阵地管理情况": "我校", "四、存在的问题和下一步措施": "（一）工作群"},
    },
}


@pytest.fixture
def records(world):
    """The first half of 2026 at the school: two confirmed meetings, a network
    finding (its measure done) and a study finding (its measure in progress)."""
    network = FindingCategory.objects.get(code="network")
    study = FindingCategory.objects.get(code="study")
    chair = world.secretary.person_record
    first = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 3, 20),
        chair=chair,
        judgement="主流是好的",
        study_content="传达学习了县委宣传部关于网络意识形态工作的通知精神",
        briefings="通报了学校微信公众号信息发布审核情况",
        requirements="加强网评员队伍培训；及时处置网络舆情",
        status=Meeting.Status.CONFIRMED,
    )
    second = MeetingFactory(
        organisation=world.branch,
        date=datetime.date(2026, 6, 18),
        chair=chair,
        judgement="主流是好的",
        study_content="传达学习了《习近平谈治国理政》第四卷有关篇目",
        status=Meeting.Status.CONFIRMED,
    )
    MeasureFactory(
        finding=FindingFactory(
            meeting=first,
            category=network,
            title="工作群转发无关信息",
            details="个别年级组群转发无关信息",
        ),
        content="信息专干每周巡查工作群",
        responsible_person=chair,
        status=Measure.Status.DONE,
    )
    MeasureFactory(
        finding=FindingFactory(
            meeting=second,
            category=study,
            title="个别党员学习缺乏热情",
            details="学习笔记内容简单",
        ),
        content="每月开展一次集中学习",
        responsible_person=chair,
    )


def approved_quarters(world):
    """The half-year and the year read the period's approved quarterly reports."""
    for quarter in (1, 2):
        QuarterlyReport.objects.create(
            organisation=world.branch,
            year=2026,
            quarter=quarter,
            title=f"第{quarter}季度",
            status=QuarterlyReport.Status.APPROVED,
        )


def download_docx(page):
    """导出DOCX on the report page (the task runs in-process), then 下载."""
    page.get_by_role("button", name="导出DOCX").click()
    expect(page.get_by_text(re.compile("已开始生成DOCX|该版本的DOCX已生成"))).to_be_visible()
    newest = page.locator(".file-status").first
    expect(newest.get_by_text("已生成")).to_be_visible()
    with page.expect_download() as download_info:
        newest.get_by_role("link", name="下载").click()
    with open(download_info.value.path(), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("kind", list(JOURNEYS))
def test_each_kind_from_new_report_to_docx(
    page, live_server, world, records, soffice, tmp_path, kind
):
    journey = JOURNEYS[kind]
    if kind in (Kind.HALF_YEAR, Kind.ANNUAL):
        approved_quarters(world)
    page.on("dialog", lambda dialog: dialog.accept())

    # 新建报告: the kind, the year and its period, the 述职人
    login(page, live_server, world.secretary)
    page.get_by_role("navigation").get_by_role("link", name="研判报告", exact=True).click()
    create = page.locator("form").filter(has=page.get_by_role("button", name="新建报告"))
    create.get_by_label("报告类型").select_option(label=str(kind.label))
    create.get_by_label("年度").select_option(label="2026年")
    for label, option in journey["form"].items():
        create.get_by_label(label).select_option(label=option)
    create.get_by_role("button", name="新建报告").click()
    expect(page.get_by_text("操作成功：报告已新建")).to_be_visible()
    expect(page.get_by_role("heading", name=journey["title"])).to_be_visible()
    report = QuarterlyReport.objects.get(kind=kind, status=QuarterlyReport.Status.DRAFT)
    assert report.year == 2026 and report.signatory == journey["signatory"]

    # 一键汇总 fills the kind's sections from the period's records
    page.get_by_role("button", name="一键汇总").click()
    expect(page.get_by_text(re.compile("操作成功：已从.*汇总生成"))).to_be_visible()
    # the period's findings: the quarter's one, the network ones, or all
    problems = page.locator("#section-problems li.list-group-item")
    expect(problems).to_have_count(len(journey["problems"]))
    for title in journey["problems"]:
        expect(problems.filter(has_text=title)).to_be_visible()

    # 提交前检查: nothing to fix, nothing to acknowledge
    check = page.locator(".card").filter(has=page.get_by_text("提交前检查", exact=True))
    expect(check.get_by_text("✔ 未发现问题，可以提交审核。")).to_be_visible()
    check.get_by_role("button", name="提交审核").click()
    expect(page.get_by_text("操作成功：提交审核。")).to_be_visible()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED
    assert report.issue_date == today()  # 成文日期: the day it was submitted

    # the propaganda department approves and exports
    login(page, live_server, world.reviewer)
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^报告审核")).click()
    page.get_by_role("link", name=journey["title"]).click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("操作成功：审核通过。")).to_be_visible()
    payload = download_docx(page)

    doc = Document(io.BytesIO(payload))
    issue_date = f"{today().year}年{today().month}月{today().day}日"
    assert_official_layout(
        doc, title=journey["title"], signatory=journey["signatory"], issue_date=issue_date
    )
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == journey["headings"]
    texts = [p.text for p in doc.paragraphs if p.text]
    for heading, start in journey["starts"].items():  # the seed's numbering under it
        assert texts[texts.index(heading) + 1].startswith(start), heading
    if kind == Kind.DUTY:
        # the person's own report, in the first person
        opening = texts[texts.index("中共青山县委宣传部：") + 1]
        assert opening.startswith("2026年，") and f"我作为{BRANCH}书记" in opening
        assert "现将本人2026年度落实意识形态工作责任制情况报告如下" in opening
        done = texts[texts.index("一、履职情况") + 1 : texts.index("二、主要问题")]
        assert len(done) == 4 and all(re.match(r"（[一二三四]）[^。]+。我", t) for t in done)

    # LibreOffice: the title on page 1, the 落款 and date together at the end of
    # the text, "— N —" at the foot of every page
    pages = pdf_pages(soffice, tmp_path, payload)
    squeeze = [[re.sub(r"\s+", "", line) for line in lines] for lines in pages]
    assert "".join(squeeze[0][:3]).startswith(journey["title"][:10])
    lines = [line for page_lines in squeeze for line in page_lines]
    signed = len(lines) - 1 - lines[::-1].index(journey["signatory"])
    assert lines[signed + 1] == issue_date
    for number, lines in enumerate(squeeze, start=1):
        assert lines[-1] == f"—{number}—", (number, lines[-3:])
