"""The DOCX, reopened with python-docx and checked against GB/T 9704 (docx-format.md §7)."""

import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from reports.content import build_report_data
from reports.docx import Layout, Properties, render_docx

from ..documents import assert_official_layout, sample_report_data
from ..factories import make_report


def reopen(payload):
    return Document(io.BytesIO(payload))


def east_asia(style):
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def paragraph(doc, text):
    return next(p for p in doc.paragraphs if p.text == text)


def test_the_official_layout_every_kind_is_checked_against():
    """The shared check (tests/documents.py) the kind journeys apply to each DOCX."""
    data = sample_report_data()
    assert_official_layout(
        reopen(render_docx(data)),
        title=data["title"],
        signatory=data["signatory"],
        issue_date="2026年9月28日",
    )


def test_page_is_a4_with_gbt_margins():
    section = reopen(render_docx(sample_report_data())).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"


def test_body_style():
    doc = reopen(render_docx(sample_report_data()))
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
    # fonts live on the styles, not repeated on every run: a run has no
    # properties, or only a character style (a run-in heading)
    body_runs = [r for p in doc.paragraphs if p.style.name == "Normal" for r in p.runs]
    assert body_runs
    for r in body_runs:
        assert r._r.rPr is None or [c.tag for c in r._r.rPr] == [qn("w:rStyle")]


def test_title_addressee_and_headings():
    doc = reopen(render_docx(sample_report_data()))
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
        outline = style.element.pPr.findall(qn("w:outlineLvl"))
        assert [o.get(qn("w:val")) for o in outline] == [str(level - 1)]
    # only the part titles are heading paragraphs (with an outline level)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、基本情况",
        "二、存在的问题和风险隐患",
        "三、下一步工作措施",
        "四、上季度整改落实情况",
    ]
    assert {p.style.name for p in doc.paragraphs if p.text in headings} == {"Heading 1"}


def test_run_in_headings_are_normal_paragraphs_with_a_kaiti_character_style():
    doc = reopen(render_docx(sample_report_data()))
    assert east_asia(doc.styles["小标题字符"]) == "楷体_GB2312"
    assert doc.styles["小标题字符"].font.bold is False
    assert east_asia(doc.styles["三级标题字符"]) == "仿宋_GB2312"
    run_in = paragraph(doc, "（一）加强组织领导，强化责任落实。我校坚持……。")
    assert run_in.style.name == "Normal"
    heading, body = run_in.runs
    assert heading.text == "（一）加强组织领导，强化责任落实。"
    assert heading.style.name == "小标题字符"
    assert body.text == "我校坚持……。" and body._r.rPr is None  # the body text in 仿宋
    # a problem without 具体表现 still ends with its full stop
    bare = paragraph(doc, "（二）工作群转发无关信息。")
    assert bare.style.name == "Normal" and bare.runs[0].style.name == "小标题字符"
    # measures: the same typography at the same level as the problems
    measure = paragraph(doc, "（一）每月集中学习1次。")
    assert measure.style.name == "Normal"
    assert [(r.text, r.style.name) for r in measure.runs] == [
        ("（一）", "小标题字符"),
        ("每月集中学习1次。", "Default Paragraph Font"),
    ]
    # level 3: 1． stays in 仿宋; its heading has the 仿宋 heading style
    minor = paragraph(doc, "1．学习制度。已建立。")
    assert [(r.text, r.style.name) for r in minor.runs] == [
        ("1．学习制度。", "三级标题字符"),
        ("已建立。", "Default Paragraph Font"),
    ]
    plain = paragraph(doc, "2．群管理已规范。")
    assert plain.style.name == "Normal" and [r._r.rPr for r in plain.runs] == [None]
    lead_in = paragraph(doc, "针对上述问题，我校将重点从以下二个方面努力：")
    assert [r._r.rPr for r in lead_in.runs] == [None]


def test_a_line_break_in_a_text_is_a_paragraph_boundary():
    data = sample_report_data(
        title="中共青山县城关第一实验学校支部委员会关于\n2026年第三季度意识形态分析研判情况的报告",
        opening=[{"marker": "", "heading": "", "text": "开头第一行。\n\n  开头第二行。\n"}],
        parts=[
            {
                "number": "一、",
                "title": "基本情况",
                "paragraphs": [
                    {
                        "marker": "（一）",
                        "heading": "标题",
                        "text": "第一行。\n第二行。\r\n第三行。",
                    },
                    {"marker": "（二）", "heading": "", "text": "措施一。\n措施二。"},
                ],
            }
        ],
    )
    data["ledger"][0]["measures"][0]["content"] = "甲。\n乙。"
    payload = render_docx(data)
    with zipfile.ZipFile(io.BytesIO(payload)) as package:
        document_xml = package.read("word/document.xml").decode()
    assert "<w:br" not in document_xml and "<w:cr" not in document_xml
    doc = reopen(payload)
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:2] == [
        "中共青山县城关第一实验学校支部委员会关于",
        "2026年第三季度意识形态分析研判情况的报告",
    ]
    start = texts.index("开头第一行。")
    assert texts[start : start + 8] == [
        "开头第一行。",
        "开头第二行。",  # blank line dropped, the pasted indent too
        "一、基本情况",
        "（一）标题。第一行。",
        "第二行。",
        "第三行。",
        "（二）措施一。",
        "措施二。",
    ]
    for text in ("第二行。", "第三行。", "措施二。"):
        p = paragraph(doc, text)
        assert p.style.name == "Normal" and [r._r.rPr for r in p.runs] == [None]
    cell = doc.tables[0].cell(1, 2)
    assert [p.text for p in cell.paragraphs] == ["甲。", "乙。"]


def test_no_style_keeps_lines_and_only_part_titles_keep_with_next():
    doc = reopen(render_docx(sample_report_data()))
    styles_xml = doc.styles.element
    for node in styles_xml.iter(qn("w:keepLines")):
        assert node.get(qn("w:val")) in ("0", "false")
    keeping = {
        s.name
        for s in doc.styles
        if s.type == 1 and s.element.pPr is not None and s.paragraph_format.keep_with_next
    }
    assert keeping == {"Heading 1", "落款"}
    for level in (1, 2, 3, 4):
        assert doc.styles[f"Heading {level}"].paragraph_format.keep_together is False
    assert doc.styles["Title"].paragraph_format.keep_with_next is None


def test_signature_and_date_right_aligned_and_kept_with_the_text():
    doc = reopen(render_docx(sample_report_data()))
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
    payload = render_docx(sample_report_data())
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
    doc = reopen(render_docx(sample_report_data(), layout))
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 35
    assert doc.styles["Normal"].paragraph_format.line_spacing == Pt(28)
    assert doc.styles["Heading 2"].font.bold is True
    assert doc.styles["小标题字符"].font.bold is True
    assert section.footer.paragraphs[0].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not doc.settings.odd_and_even_pages_header_footer


def test_appendix_ledger_in_a_landscape_section_with_merged_cells():
    doc = reopen(render_docx(sample_report_data()))
    assert paragraph(doc, "附件：整改落实台账")
    assert east_asia(doc.styles["附件标识"]) == "黑体"
    portrait, landscape = doc.sections
    assert (round(portrait.page_width.mm), round(portrait.page_height.mm)) == (210, 297)
    assert (round(landscape.page_width.mm), round(landscape.page_height.mm)) == (297, 210)
    assert landscape.orientation == WD_ORIENT.LANDSCAPE
    assert landscape.start_type == WD_SECTION.NEW_PAGE
    margins = [landscape.top_margin, landscape.bottom_margin]
    margins += [landscape.left_margin, landscape.right_margin]
    assert [round(m.mm) for m in margins] == [28, 26, 37, 35]
    # the portrait section ends with the date; the landscape one starts with 附件
    body = list(doc.element.body.iterchildren(qn("w:p")))
    closing = next(p for p in body if p.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None)
    after = body[body.index(closing) + 1]
    assert [t.text for t in closing.iter(qn("w:t"))] == ["2026年9月28日"]
    assert [t.text for t in after.iter(qn("w:t"))] == ["附件"]
    # the same footers in both sections: page numbers continue
    for kind in ("default", "even"):
        ids = {
            s._sectPr.find(f"{qn('w:footerReference')}[@{qn('w:type')}='{kind}']").get(qn("r:id"))
            for s in doc.sections
        }
        assert len(ids) == 1
    assert not any(s._sectPr.find(qn("w:pgNumType")) is not None for s in doc.sections)
    assert paragraph(doc, "整改落实台账").paragraph_format.keep_with_next is True
    without = reopen(render_docx(sample_report_data(ledger=[])))
    assert len(without.sections) == 1 and "附件" not in [p.text for p in without.paragraphs]

    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号",
        "存在问题",
        "整改措施",
        "责任人",
        "责任部门",
        "整改时限",
        "整改状态",
        "进展情况",
    ]
    widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    area = landscape.page_width - landscape.left_margin - landscape.right_margin  # EMU
    assert abs(sum(widths) - area / 635) <= len(widths)  # the type area's width, in twips
    for tr in table._tbl.tr_lst:
        assert tr.trPr.find(qn("w:cantSplit")) is not None  # rows never split
    assert table._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None
    for name in ("表格文字", "表格文字居中", "表格标题行"):
        ppr = doc.styles[name].element.pPr
        assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"  # off the line grid
    cell_text = doc.styles["表格文字"]
    assert cell_text.font.size == Pt(10.5)  # 五号, at its own exact pitch
    assert cell_text.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert cell_text.paragraph_format.line_spacing == Pt(16)
    assert [c.text for c in table.rows[1].cells][3:] == [
        "陈建军",
        "党政办公室",
        "2026年12月31日",
        "整改中",
        "已召开专题会议部署",
    ]
    # frozen content from older submissions has no dept or progress
    assert [c.text for c in table.rows[2].cells][3:] == ["张敏", "", "长期坚持", "长期坚持", ""]
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
            sample_report_data(),
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
    data = sample_report_data(
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
    # control characters dropped, Word's manual line break (\x0b) a paragraph boundary
    first, second = "前", "后<script>&amp;</script> & < > 👍🇨🇳𠀀黨員干部八小時之外監管力度不夠"
    assert [p.text for p in doc.paragraphs[:2]] == [first, second]
    assert paragraph(doc, long_paragraph)
    texts = [p.text for p in doc.paragraphs]
    start = texts.index(f"{first}。{second}")
    assert texts[start : start + 3] == [f"{first}。{second}", first, second]
    assert [p.text for p in doc.tables[0].cell(1, 1).paragraphs] == [first, second]
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
    payload = render_docx(sample_report_data())
    with zipfile.ZipFile(io.BytesIO(payload)) as package:
        assert package.testzip() is None
        settings_xml = package.read("word/settings.xml").decode()
    assert re.search(r"<w:evenAndOddHeaders\s*/>", settings_xml)
