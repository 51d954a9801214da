"""The DOCX, reopened with python-docx and checked against GB/T 9704 (docx-format.md §7)."""

import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.content import build_report_data
from reports.docx import Layout, Properties, render_docx

from .test_workflow import make_report


def sample(**overrides):
    data = {
        "title": (
            "中共青山县城关第一实验学校支部委员会关于2026年第三季度意识形态领域分析研判情况的报告"
        ),
        "addressee": "中共青山县委教育工作委员会",
        "opening": [
            {"marker": "", "heading": "", "text": "2026年第三季度，……现将有关情况报告如下："}
        ],
        "parts": [
            {
                "number": "一、",
                "title": "基本情况",
                "paragraphs": [
                    {
                        "marker": "（一）",
                        "heading": "加强组织领导，强化责任落实",
                        "text": "我校坚持……。",
                    },
                ],
            },
            {
                "number": "二、",
                "title": "存在的问题和风险隐患",
                "paragraphs": [
                    {
                        "marker": "（一）",
                        "heading": "个别党员学习缺乏热情",
                        "text": "部分青年教师……。",
                    },
                    {"marker": "（二）", "heading": "工作群转发无关信息", "text": "个别年级组……。"},
                ],
            },
            {
                "number": "三、",
                "title": "下一步工作措施",
                "paragraphs": [
                    {
                        "marker": "",
                        "heading": "",
                        "text": "针对上述问题，我校将重点从以下二个方面努力：",
                    },
                    {"marker": "（一）", "heading": "", "text": "每月集中学习1次。"},
                    {"marker": "（二）", "heading": "", "text": "信息专干每周巡查。"},
                ],
            },
        ],
        "closing": [{"marker": "", "heading": "", "text": "今后，我校将……守土尽责。"}],
        "signatory": "中共青山县城关第一实验学校支部委员会",
        "issue_date": "2026年9月28日",
        "ledger": [
            {
                "index": 1,
                "finding": "个别党员学习缺乏热情",
                "measures": [
                    {
                        "content": "每月集中学习1次",
                        "person": "陈建军",
                        "deadline": "2026年12月31日",
                        "status": "整改中",
                    },
                    {
                        "content": "撰写学习笔记",
                        "person": "张敏",
                        "deadline": "长期坚持",
                        "status": "长期坚持",
                    },
                ],
            },
            {
                "index": 2,
                "finding": "工作群转发无关信息",
                "measures": [
                    {
                        "content": "信息专干每周巡查",
                        "person": "黄文静",
                        "deadline": "长期坚持",
                        "status": "长期坚持",
                    },
                ],
            },
        ],
    }
    data.update(overrides)
    return data


def reopen(payload):
    return Document(io.BytesIO(payload))


def east_asia(style):
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def test_page_is_a4_with_gbt_margins():
    section = reopen(render_docx(sample())).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_body_style():
    doc = reopen(render_docx(sample()))
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert east_asia(normal) == "仿宋_GB2312"
    assert normal.element.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"
    fmt = normal.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing.twips == 579  # 28.95 pt: 22 lines a page
    assert (fmt.space_before, fmt.space_after) == (Pt(0), Pt(0))
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    ind = normal.element.pPr.find(qn("w:ind"))
    assert (ind.get(qn("w:firstLineChars")), ind.get(qn("w:firstLine"))) == ("200", "640")
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # fonts live on the styles, not repeated on every run
    body_runs = [r for p in doc.paragraphs if p.style.name == "Normal" for r in p.runs]
    assert body_runs and all(r._r.rPr is None for r in body_runs)


def test_title_addressee_and_headings():
    doc = reopen(render_docx(sample()))
    title = doc.paragraphs[0]
    assert title.style.name == "Title" and title.text.startswith("中共青山县城关第一实验学校")
    assert east_asia(doc.styles["Title"]) == "方正小标宋简体"
    assert doc.styles["Title"].font.size == Pt(22)
    assert doc.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    addressee = paragraph(doc, "中共青山县委教育工作委员会：")
    assert addressee.style.name == "主送机关"
    assert addressee.style.element.pPr.find(qn("w:ind")).get(qn("w:firstLine")) == "0"
    fonts = {level: east_asia(doc.styles[f"Heading {level}"]) for level in (1, 2, 3, 4)}
    assert fonts == {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312", 4: "仿宋_GB2312"}
    for level in (1, 2, 3, 4):
        style = doc.styles[f"Heading {level}"]
        assert style.font.size == Pt(16)
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)
    assert paragraph(doc, "一、基本情况").style.name == "Heading 1"
    run_in = paragraph(doc, "（一）加强组织领导，强化责任落实。我校坚持……。")
    assert run_in.style.name == "Heading 2"
    assert run_in.runs[0].text == "（一）加强组织领导，强化责任落实。"
    assert run_in.runs[1].style.name == "报告正文字符"  # the body text in 仿宋
    assert east_asia(doc.styles["报告正文字符"]) == "仿宋_GB2312"


def test_signature_and_date_right_aligned_and_kept_with_the_text():
    doc = reopen(render_docx(sample()))
    name = [p for p in doc.paragraphs if p.text == "中共青山县城关第一实验学校支部委员会"][-1]
    date = paragraph(doc, "2026年9月28日")
    for p in (name, date):
        assert p.style.name == "落款"
        assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert name.paragraph_format.right_indent == Pt(32)  # 右空二字
    # the date starts two characters to the right of the name (unsealed rule 7.3.5.2)
    assert date.paragraph_format.right_indent > name.paragraph_format.right_indent
    assert name.paragraph_format.keep_with_next is None  # from the style
    assert doc.styles["落款"].paragraph_format.keep_with_next is True
    closing = paragraph(doc, "今后，我校将……守土尽责。")
    assert closing.paragraph_format.keep_with_next is True


def test_page_numbers_odd_right_even_left_with_page_fields():
    payload = render_docx(sample())
    doc = reopen(payload)
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p, alignment in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.paragraph_format.alignment == alignment
        instr = [i.text for i in p._p.iter(qn("w:instrText"))]
        assert instr == [" PAGE "]
    assert doc.styles["Footer"].font.size == Pt(14)
    assert doc.styles["Footer"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_centred_page_numbers_and_other_layouts_are_settings():
    layout = Layout(
        margin_top_mm=35, line_pitch_pt=28, bold_headings=True, centred_page_numbers=True
    )
    doc = reopen(render_docx(sample(), layout))
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 35
    assert doc.styles["Normal"].paragraph_format.line_spacing == Pt(28)
    assert doc.styles["Heading 2"].font.bold is True
    assert section.footer.paragraphs[0].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not doc.settings.odd_and_even_pages_header_footer


def test_appendix_ledger_on_its_own_page_with_merged_cells():
    doc = reopen(render_docx(sample()))
    assert paragraph(doc, "附件：整改落实台账")
    mark = paragraph(doc, "附件")
    assert mark.paragraph_format.page_break_before is True
    assert east_asia(doc.styles["附件标识"]) == "黑体"
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "存在问题",
        "整改措施",
        "责任人",
        "整改时限",
        "整改状态",
    ]
    # the first finding's two measures share one 序号 and 存在问题 cell
    assert table.cell(1, 0)._tc is table.cell(2, 0)._tc
    assert table.cell(1, 1).text == "个别党员学习缺乏热情"
    assert [table.cell(r, 2).text for r in (1, 2, 3)] == [
        "每月集中学习1次",
        "撰写学习笔记",
        "信息专干每周巡查",
    ]
    assert table.cell(3, 0).text == "2"


def test_document_properties():
    from datetime import UTC, datetime

    created = datetime(2026, 9, 28, 8, 0, tzinfo=UTC)
    props = reopen(
        render_docx(
            sample(),
            properties=Properties(author="中共青山县城关第一实验学校支部委员会", created=created),
        )
    ).core_properties
    assert props.title.startswith("中共青山县城关第一实验学校支部委员会关于")
    assert props.author == "中共青山县城关第一实验学校支部委员会"
    assert props.created.replace(tzinfo=UTC) == created
    assert props.language == "zh-CN"


HOSTILE = (
    "前\x00\x01\x0b\x1f后"
    + "<script>&amp;</script> & < > "
    + "👍🇨🇳𠀀"
    + "黨員干部八小時之外監管力度不夠"
    + "\ufffe\ud800"
)


def test_hostile_text_renders_and_keeps_the_text():
    long_paragraph = ("網絡輿情需關注，" * 2500)[:20_000]
    data = sample(
        title=HOSTILE,
        opening=[{"marker": "", "heading": "", "text": long_paragraph}],
        closing=[{"marker": "", "heading": HOSTILE, "text": HOSTILE}],
        ledger=[
            {
                "index": 1,
                "finding": HOSTILE,
                "measures": [
                    {"content": HOSTILE, "person": "<张敏>", "deadline": "", "status": "整改中"}
                ],
            }
        ],
    )
    doc = reopen(render_docx(data))
    # control characters dropped, Word's manual line break (\x0b) kept as a line break
    kept = "前\n后<script>&amp;</script> & < > 👍🇨🇳𠀀黨員干部八小時之外監管力度不夠"
    assert doc.paragraphs[0].text == kept
    assert paragraph(doc, long_paragraph)
    assert any(p.text == f"{kept}。{kept}" for p in doc.paragraphs)
    assert doc.tables[0].cell(1, 1).text == kept
    assert doc.tables[0].cell(1, 3).text == "<张敏>"


@pytest.mark.django_db
def test_every_finding_and_measure_of_a_report_appears(world):
    report = make_report(world)
    data = build_report_data(report)
    doc = reopen(render_docx(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    finding = report.organisation.findings.get()
    assert finding.title in text and finding.title in cells
    for measure in finding.measures.all():
        assert measure.content in text and measure.content in cells
    assert "针对上述问题，我校将重点从以下一个方面努力：" in text


def test_output_is_a_valid_package():
    payload = render_docx(sample())
    with zipfile.ZipFile(io.BytesIO(payload)) as package:
        assert package.testzip() is None
        settings_xml = package.read("word/settings.xml").decode()
    assert re.search(r"<w:evenAndOddHeaders\s*/>", settings_xml)
