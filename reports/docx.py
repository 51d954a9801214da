"""Quarterly reports as DOCX in GB/T 9704-2012 official-document format.

`render_docx(data, layout)` turns plain data (reports.content.build_report_data,
or a frozen submission) into DOCX bytes. It never touches the ORM or settings,
so tests and the benchmark call it with hand-made data.

Formatting lives in styles, not in runs: East Asian fonts are set through
`w:eastAsia` on the styles (python-docx only writes ascii/hAnsi). Only a part
title ("一、基本情况") is a heading paragraph; a run-in heading ("（一）小标题。正文")
is a Normal paragraph whose "（一）小标题。" run has a character style, so
nothing but a part title is kept with the next paragraph.

A "\n" in any text is a paragraph boundary (one-line fields such as the
signatory are joined): the DOCX never holds a manual line break, which a
justified paragraph would stretch across the line.
The 附件 ledger is a landscape section of its own.

`render_record_docx` and `render_record_book_docx` turn a meeting record's
data (meetings.records) into the same page, fonts and pitch: a 会议记录, and a
year's 会议记录本 with a 目录 whose page numbers are PAGEREF fields.
"""

import copy
import functools
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from ideology_review.lib.text import safe_text

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"
BODY_CHAR = "报告正文字符"  # kept for templates built on these styles (bench/docx_bench.py)
HEADING_CHAR = "小标题字符"  # level 2 （一）: 楷体
MINOR_HEADING_CHAR = "三级标题字符"  # levels 3 and 4, 1． and （1）: 仿宋
TWIPS_PER_CHAR = 320  # one 3号 (16 pt) character
TABLE_FONT_PT = 10.5  # 五号
TABLE_PITCH_PT = 16


@dataclass(frozen=True)
class Layout:
    """Per-organisation page settings, GB/T 9704 defaults (docx-format.md §7)."""

    margin_top_mm: float = 37
    margin_bottom_mm: float = 35
    margin_left_mm: float = 28
    margin_right_mm: float = 26
    line_pitch_pt: float = 28.95  # 579 twips: 22 lines fill the 225 mm type area
    bold_headings: bool = False
    centred_page_numbers: bool = False

    def key(self):
        return (
            f"{self.margin_top_mm}/{self.margin_bottom_mm}/{self.margin_left_mm}/"
            f"{self.margin_right_mm}/{self.line_pitch_pt}/{int(self.bold_headings)}"
            f"/{int(self.centred_page_numbers)}"
        )


@dataclass
class Properties:
    title: str = ""
    author: str = ""
    created: datetime | None = None
    subject: str = "意识形态领域分析研判情况"
    keywords: list = field(default_factory=list)


def _text(value):
    """The last guard: nothing illegal in XML ever reaches python-docx."""
    return safe_text(str(value or ""))


def _fonts(element, east_asia, latin=LATIN):
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _outline(style, level):
    ppr = style.element.get_or_add_pPr()
    outline = ppr.find(qn("w:outlineLvl"))  # the default template's headings have one
    if outline is None:
        outline = OxmlElement("w:outlineLvl")
        ppr.append(outline)
    outline.set(qn("w:val"), str(level))


def _indent_chars(paragraph_format_element, chars):
    """First-line indent in characters: Word/WPS use firstLineChars, LibreOffice firstLine."""
    ind = paragraph_format_element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(chars * TWIPS_PER_CHAR))


def _exact(fmt, pitch):
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pitch)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _drop_keeps(styles):
    """The default template's Heading 1–9 carry keepNext and keepLines: a chain of
    such paragraphs moves whole pages' worth of text. Keeps are set below only
    where wanted (Heading 1, 落款, the 附件 title)."""
    for node in styles.element.iter(qn("w:keepNext"), qn("w:keepLines")):
        node.getparent().remove(node)


def _setup_styles(doc, layout):
    styles = doc.styles
    _drop_keeps(styles)
    # docDefaults of the default template: theme fonts, en-US, 10 pt after, 1.15 lines.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), FANGSONG)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is not None:
        defaults.remove(ppr_default)

    normal = styles["Normal"]
    normal.font.size = Pt(16)
    _fonts(normal.element, FANGSONG)
    fmt = normal.paragraph_format
    _exact(fmt, layout.line_pitch_pt)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    _indent_chars(normal.element, 2)

    title = styles["Title"]
    title.base_style = normal
    _strip_title_decoration(title)
    title.font.size = Pt(22)
    title.font.bold = False
    title.font.color.rgb = None
    _fonts(title.element, XIAOBIAOSONG)
    tf = title.paragraph_format
    _exact(tf, 35)  # a 22 pt title would be clipped at the body pitch
    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(title.element, 0)

    for level, font in ((1, HEITI), (2, KAITI), (3, FANGSONG), (4, FANGSONG)):
        heading = styles[f"Heading {level}"]
        heading.base_style = normal
        heading.font.size = Pt(16)
        heading.font.bold = layout.bold_headings and level > 1
        heading.font.italic = False
        heading.font.color.rgb = None
        _fonts(heading.element, font)
        hf = heading.paragraph_format
        _exact(hf, layout.line_pitch_pt)
        hf.keep_with_next = level == 1  # a part title stays with its first paragraph
        hf.keep_together = False
        hf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _indent_chars(heading.element, 2)
        _outline(heading, level - 1)

    addressee = styles.add_style("主送机关", WD_STYLE_TYPE.PARAGRAPH)
    addressee.base_style = normal
    _indent_chars(addressee.element, 0)

    signature = styles.add_style("落款", WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = normal
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.paragraph_format.keep_with_next = True
    _indent_chars(signature.element, 0)

    attachment = styles.add_style("附件标识", WD_STYLE_TYPE.PARAGRAPH)
    attachment.base_style = normal
    _fonts(attachment.element, HEITI)
    _indent_chars(attachment.element, 0)

    # Cell text: 五号 at its own exact pitch, off the body's 28.95 pt line grid.
    table_text = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(TABLE_FONT_PT)
    tt = table_text.paragraph_format
    _exact(tt, TABLE_PITCH_PT)
    tt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _indent_chars(table_text.element, 0)
    _no_grid(table_text)

    table_centred = styles.add_style("表格文字居中", WD_STYLE_TYPE.PARAGRAPH)
    table_centred.base_style = table_text
    table_centred.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_grid(table_centred)

    table_head = styles.add_style("表格标题行", WD_STYLE_TYPE.PARAGRAPH)
    table_head.base_style = table_text
    _fonts(table_head.element, HEITI)
    table_head.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _no_grid(table_head)
    _no_grid(styles["Table Grid"])

    # The paragraph Word needs after a table that ends the document: too small
    # to spill onto a page of its own.
    table_end = styles.add_style("表格结束", WD_STYLE_TYPE.PARAGRAPH)
    table_end.base_style = normal
    table_end.font.size = Pt(1)
    _exact(table_end.paragraph_format, 1)
    _indent_chars(table_end.element, 0)
    _no_grid(table_end)

    body_char = styles.add_style(BODY_CHAR, WD_STYLE_TYPE.CHARACTER)
    _fonts(body_char.element, FANGSONG)
    body_char.font.bold = False

    # Run-in headings: levels 2 in 楷体, 3 and 4 in 仿宋 (7.3.3), bold by house rule.
    for name, font in ((HEADING_CHAR, KAITI), (MINOR_HEADING_CHAR, FANGSONG)):
        char = styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        _fonts(char.element, font)
        char.font.bold = layout.bold_headings

    footer = styles["Footer"]
    footer.base_style = normal
    footer.font.size = Pt(14)  # 4号
    _fonts(footer.element, SONGTI, latin=SONGTI)
    _exact(footer.paragraph_format, 20)
    _indent_chars(footer.element, 0)


def _no_grid(style):
    ppr = style.element.get_or_add_pPr()
    node = ppr.find(qn("w:snapToGrid"))
    if node is None:
        node = OxmlElement("w:snapToGrid")
        ppr.insert_element_before(
            node, "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr", "w:sectPr"
        )
    node.set(qn("w:val"), "0")


def _strip_title_decoration(style):
    """The default Title style has a bottom border and spacing; an official title has neither."""
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing"):
        node = ppr.find(qn(tag))
        if node is not None:
            ppr.remove(node)
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:spacing", "w:kern", "w:color"):
        node = rpr.find(qn(tag))
        if node is not None:
            rpr.remove(node)


def _page_setup(doc, layout):
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(layout.margin_top_mm)
    section.bottom_margin = Mm(layout.margin_bottom_mm)
    section.left_margin = Mm(layout.margin_left_mm)
    section.right_margin = Mm(layout.margin_right_mm)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)  # the 一字线 sits 7 mm below the type area (7.5)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(layout.line_pitch_pt * 20)))
    _page_numbers(doc, section, layout)


def _page_field(paragraph):
    """— PAGE — as a real field (python-docx has no field API)."""
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        (None, "PAGE"),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    paragraph.add_run(" —")


def _page_numbers(doc, section, layout):
    """Odd pages right, even pages left, one 4号 character in from the edge (7.5)."""
    odd = section.footer.paragraphs[0]
    odd.style = doc.styles["Footer"]
    _page_field(odd)
    if layout.centred_page_numbers:
        odd.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    doc.settings.odd_and_even_pages_header_footer = True
    odd.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(14)
    even = section.even_page_footer.paragraphs[0]
    even.style = doc.styles["Footer"]
    _page_field(even)
    even.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(14)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class _Writer:
    """Appends paragraphs to the body as XML. python-docx's add_paragraph looks
    the style up by name on every call (a scan of all styles); here each style
    id is resolved once per document."""

    def __init__(self, doc):
        self.doc = doc
        self.body = doc.element.body
        self.sect_pr = self.body.find(W + "sectPr")
        self.ids = {}
        self.last = None

    def style_id(self, name):
        if name not in self.ids:
            self.ids[name] = self.doc.styles[name].style_id
        return self.ids[name]

    def paragraph(
        self,
        text="",
        style="Normal",
        *,
        runs=None,
        keep_next=None,
        right_indent_twips=None,
    ):
        p = etree.Element(W + "p")
        ppr = etree.SubElement(p, W + "pPr")
        if style != "Normal":
            etree.SubElement(ppr, W + "pStyle").set(W + "val", self.style_id(style))
        if keep_next is not None:
            node = etree.SubElement(ppr, W + "keepNext")
            if not keep_next:
                node.set(W + "val", "0")
        if right_indent_twips is not None:
            etree.SubElement(ppr, W + "ind").set(W + "right", str(right_indent_twips))
        for run_text, char_style in runs if runs is not None else [(text, None)]:
            if run_text:
                self._run(p, run_text, char_style)
        self.sect_pr.addprevious(p)
        self.last = p
        return p

    def _run(self, p, text, char_style):
        r = etree.SubElement(p, W + "r")
        if char_style:
            rpr = etree.SubElement(r, W + "rPr")
            etree.SubElement(rpr, W + "rStyle").set(W + "val", self.style_id(char_style))
        t = etree.SubElement(r, W + "t")
        t.set(XML_SPACE, "preserve")
        t.text = text.replace("\n", " ")  # callers split lines; never a <w:br/>

    def lines(self, text, style="Normal", **kwargs):
        """One paragraph per line of `text`; blank lines are dropped."""
        for line in _lines(text):
            self.paragraph(line, style, **kwargs)

    def keep_last_with_next(self):
        if self.last is not None:
            ppr = self.last.find(W + "pPr")
            for node in ppr.findall(W + "keepNext"):
                ppr.remove(node)
            keep = etree.Element(W + "keepNext")
            style = ppr.find(W + "pStyle")
            (style.addnext if style is not None else lambda e: ppr.insert(0, e))(keep)


def _char_width(text):
    """Width in 3号 characters: CJK full, Latin and digits (Times New Roman) about
    half, plus the quarter-em gap Word and WPS put between CJK and digits (autoSpaceDN)."""
    wide = [ord(c) > 0x2E7F for c in text]
    gaps = sum(1 for a, b in itertools.pairwise(wide) if a != b)
    return sum(1 if w else 0.5 for w in wide) + 0.25 * gaps


def _signature(out, signatory, date):
    """Unsealed rule (7.3.5.2): the name 右空二字, the date below it starting two
    characters further right; a longer date is 右空二字 and pushes the name left."""
    out.paragraph(style="落款")  # 空一行
    name_w, date_w = _char_width(signatory), _char_width(date)
    name_right, date_right = 2, 2 + max(0, name_w - 2 - date_w)
    if date_w + 2 > name_w:
        name_right, date_right = 2 + (date_w + 2 - name_w), 2
    if signatory:
        out.paragraph(signatory, "落款", right_indent_twips=round(TWIPS_PER_CHAR * name_right))
    if date:
        out.paragraph(
            date, "落款", keep_next=False, right_indent_twips=round(TWIPS_PER_CHAR * date_right)
        )


def _lines(text):
    """The non-blank lines of a text, each stripped: a pasted line break is a paragraph boundary."""
    return [line.strip() for line in _text(text).split("\n") if line.strip()]


def _one_line(text):
    """A text that is one line by nature (part title, signatory, date, column name)."""
    return "".join(_lines(text))


LEVEL2 = re.compile(r"（[一二三四五六七八九十百零〇]+）")
FULL_STOPS = "。！？"


def _paragraph(out, p):
    """A report paragraph: "（一）小标题。正文" as ONE Normal paragraph, the marker and
    heading in a character style (楷体 for （一）, 仿宋 for 1． and （1）). A
    "（一）" marker without a heading is in 楷体 too. Each further line of the
    heading or text is a Normal paragraph of its own."""
    marker = _one_line(p.get("marker"))
    heading, body = _lines(p.get("heading")), _lines(p.get("text"))
    level2 = bool(LEVEL2.fullmatch(marker)) or (bool(heading) and not marker)
    if heading:
        lead = marker + heading[0]
        if lead[-1] not in FULL_STOPS:
            lead += "。"
        body = heading[1:] + body
    else:
        lead = marker if level2 else ""
    first = body[0] if body else ""
    if lead:
        char_style = HEADING_CHAR if level2 else MINOR_HEADING_CHAR
        out.paragraph(runs=[(lead, char_style), (first, None)])
    elif marker or first:
        out.paragraph(marker + first)
    for line in body[1:]:
        out.paragraph(line)


def _cell(tr, text, style_id, width_twips, vmerge=None):
    tc = etree.SubElement(tr, W + "tc")
    tcpr = etree.SubElement(tc, W + "tcPr")
    width = etree.SubElement(tcpr, W + "tcW")
    width.set(W + "w", str(width_twips))
    width.set(W + "type", "dxa")
    if vmerge is not None:
        node = etree.SubElement(tcpr, W + "vMerge")
        if vmerge:
            node.set(W + "val", "restart")
    etree.SubElement(tcpr, W + "vAlign").set(W + "val", "center")
    for line in _lines(text) or [""]:  # a cell holds at least one paragraph
        p = etree.SubElement(tc, W + "p")
        etree.SubElement(etree.SubElement(p, W + "pPr"), W + "pStyle").set(W + "val", style_id)
        if line:
            t = etree.SubElement(etree.SubElement(p, W + "r"), W + "t")
            t.set(XML_SPACE, "preserve")
            t.text = line


def _row(tbl, header=False):
    tr = etree.SubElement(tbl, W + "tr")
    trpr = etree.SubElement(tr, W + "trPr")
    etree.SubElement(trpr, W + "cantSplit")  # a row never breaks across pages
    if header:
        etree.SubElement(trpr, W + "tblHeader")  # repeated on each page
    return tr


def _table(out, columns, rows, widths_mm, merge_first=0, centred=(), end_style="主送机关"):
    """A bordered table written as XML in one pass (no python-docx cell lookups).
    With merge_first=n, runs of rows that repeat the first n cells (one
    finding's measures) are merged vertically; columns whose index is in
    `centred` are centred."""
    widths = [round(w * 1440 / 25.4) for w in widths_mm]
    tbl = etree.Element(W + "tbl")
    tblpr = etree.SubElement(tbl, W + "tblPr")
    etree.SubElement(tblpr, W + "tblStyle").set(W + "val", out.style_id("Table Grid"))
    tblw = etree.SubElement(tblpr, W + "tblW")
    tblw.set(W + "w", str(sum(widths)))
    tblw.set(W + "type", "dxa")
    etree.SubElement(tblpr, W + "jc").set(W + "val", "center")
    etree.SubElement(tblpr, W + "tblLayout").set(W + "type", "fixed")
    margins = etree.SubElement(tblpr, W + "tblCellMar")  # a little air above and below
    for side, twips in (("top", 40), ("left", 108), ("bottom", 40), ("right", 108)):
        node = etree.SubElement(margins, W + side)
        node.set(W + "w", str(twips))
        node.set(W + "type", "dxa")
    grid = etree.SubElement(tbl, W + "tblGrid")
    for width in widths:
        etree.SubElement(grid, W + "gridCol").set(W + "w", str(width))
    head_id, text_id = out.style_id("表格标题行"), out.style_id("表格文字")
    centred_id = out.style_id("表格文字居中")
    styles = [centred_id if i in centred else text_id for i in range(len(columns))]
    header = _row(tbl, header=True)
    for name, width in zip(columns, widths, strict=True):
        _cell(header, name, head_id, width)
    previous = None
    for row in rows:
        tr = _row(tbl)
        key = tuple(row[:merge_first]) if merge_first else None
        continuing = bool(merge_first) and key == previous
        for index, (value, width, style_id) in enumerate(zip(row, widths, styles, strict=True)):
            if index < merge_first:
                _cell(tr, "" if continuing else value, style_id, width, vmerge=not continuing)
            else:
                _cell(tr, value, style_id, width)
        previous = key
    out.sect_pr.addprevious(tbl)
    # A paragraph after a table keeps Word from gluing the next one to it
    # (and Word needs one at the end of the document).
    out.paragraph(style=end_style)


LEDGER_COLUMNS = [
    "序号",
    "存在问题",
    "整改措施",
    "责任人",
    "责任部门",
    "整改时限",
    "整改状态",
    "进展情况",
]
LEDGER_CENTRED = (0, 3, 4, 5, 6)
# Columns that must hold their longest usual value on one line, header cells too:
# 序号, names of 2–4 characters, short department names, "2026年12月31日", and
# "整改状态", as wide as "长期坚持".
LEDGER_ONE_LINE = {0: "序号", 3: "欧阳明月", 4: "党政办公室", 5: "2026年12月31日", 6: "整改状态"}
LEDGER_SHARES = {1: 3, 2: 5, 7: 3}  # the rest of the width, shared by the long texts
CELL_MARGINS_MM = 2 * 108 / 1440 * 25.4  # the left and right cell margins (_table)


def _ledger_widths(layout):
    """Column widths in mm that add up to the landscape type area's width. A
    one-line column gets its text's width (CJK 1 em, digits ½ em, the gaps Word
    puts between them) plus half a character of slack and the cell margins."""
    area = 297 - layout.margin_top_mm - layout.margin_bottom_mm
    em_mm = TABLE_FONT_PT * 25.4 / 72
    widths = {
        i: (_char_width(text) + 0.5) * em_mm + CELL_MARGINS_MM
        for i, text in LEDGER_ONE_LINE.items()
    }
    rest = area - sum(widths.values())
    total = sum(LEDGER_SHARES.values())
    widths.update({i: rest * share / total for i, share in LEDGER_SHARES.items()})
    return [widths[i] for i in range(len(LEDGER_COLUMNS))]


def _ledger_rows(ledger):
    rows = []
    for entry in ledger:
        measures = entry.get("measures") or [{"content": "未制定整改措施"}]
        for m in measures:
            rows.append(
                [
                    str(entry["index"]),
                    entry["finding"],
                    m.get("content", ""),
                    m.get("person", ""),
                    m.get("dept", ""),  # frozen content from older submissions lacks it
                    m.get("deadline", ""),
                    m.get("status", ""),
                    m.get("progress", ""),
                ]
            )
    return rows


def _landscape(out, layout):
    """End the portrait section with the last paragraph written (its pPr holds a
    copy of the portrait sectPr, footers and all, so page numbers continue) and
    turn the final section landscape: the type area rotated, binding edge left."""
    out.last.find(W + "pPr").append(copy.deepcopy(out.sect_pr))
    sect = out.sect_pr
    size = sect.find(W + "pgSz")
    size.set(W + "w", str(_twips(297)))
    size.set(W + "h", str(_twips(210)))
    size.set(W + "orient", "landscape")
    margins = sect.find(W + "pgMar")
    margins.set(W + "top", str(_twips(layout.margin_left_mm)))
    margins.set(W + "bottom", str(_twips(layout.margin_right_mm)))
    margins.set(W + "left", str(_twips(layout.margin_top_mm)))
    margins.set(W + "right", str(_twips(layout.margin_bottom_mm)))
    # the 一字线 7 mm below the type area (7.5), as in the portrait section
    margins.set(W + "footer", str(_twips(max(5, layout.margin_right_mm - 14))))


def _twips(mm):
    return round(mm * 1440 / 25.4)


@functools.lru_cache(maxsize=32)
def _base_document(layout):
    """An empty document with the styles, page setup and footers of `layout`:
    built once per layout, then every report starts from its bytes."""
    doc = Document()
    _setup_styles(doc, layout)
    _page_setup(doc, layout)
    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render_docx(data, layout=None, properties=None):
    """DOCX bytes for a report's plain data (see reports.content)."""
    layout = layout or Layout()
    doc = Document(io.BytesIO(_base_document(layout)))

    out = _Writer(doc)
    out.lines(data.get("title"), "Title")
    out.paragraph(style="主送机关")  # 标题下空一行
    addressee = _one_line(data.get("addressee")).rstrip("：:")
    if addressee:
        out.paragraph(addressee + "：", "主送机关")
    for p in data.get("opening", []):
        _paragraph(out, p)
    for part in data.get("parts", []):
        out.paragraph(_one_line(part["number"] + part["title"]), "Heading 1")
        for p in part.get("paragraphs", []):
            _paragraph(out, p)
        if part.get("table"):
            t = part["table"]
            widths = t.get("widths") or [156 / len(t["columns"])] * len(t["columns"])
            _table(out, t["columns"], t["rows"], widths)
    for p in data.get("closing", []):
        _paragraph(out, p)
    ledger = data.get("ledger") or []
    # The signature never stands alone on a page (7.3.5.5): the last body
    # paragraph moves with it when the page is full.
    out.keep_last_with_next()
    if ledger:
        out.paragraph(keep_next=True)  # 空一行
        out.paragraph("附件：整改落实台账", keep_next=True)
    _signature(out, _one_line(data.get("signatory")), _one_line(data.get("issue_date")))

    if ledger:
        # 附件 in a landscape section: "附件" top left in 黑体, the title centred
        # on the third line, kept with the table.
        _landscape(out, layout)
        out.paragraph("附件", "附件标识")
        out.paragraph(style="主送机关")
        out.paragraph("整改落实台账", "Title", keep_next=True)
        _table(
            out,
            LEDGER_COLUMNS,
            _ledger_rows(ledger),
            _ledger_widths(layout),
            merge_first=2,
            centred=LEDGER_CENTRED,
            end_style="表格结束",
        )

    return _save(doc, properties or Properties(), data.get("title"), data.get("signatory"))


def _save(doc, props, title, author):
    """The document properties (title, organisation, time), then the bytes."""
    core = doc.core_properties
    core.title = _text(props.title or title)[:250]
    core.author = _text(props.author or author)[:250]
    core.subject = props.subject
    core.keywords = "、".join(props.keywords)
    core.language = "zh-CN"
    core.comments = ""
    core.last_modified_by = core.author
    if props.created:
        core.created = props.created
        core.modified = props.created
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# 会议记录 and 会议记录本 (meetings.records builds their data): the reports' page,
# fonts, pitch and page numbers (the layout's base document), a few styles of
# their own, and the same paragraphs (_paragraph) for whatever was said.
# ---------------------------------------------------------------------------

RECORD_LABEL_CHAR = "要素标签"
TOC_BOOKMARK = "_TocRecord{}"  # a leading underscore: hidden in Word's bookmark list


def _hanging(style, left_chars, hanging_chars):
    """Lines start `left_chars` in, the first `hanging_chars` further left
    (附件说明: the names under each other after “附件：”)."""
    ind = style.element.get_or_add_pPr().get_or_add_ind()
    for attr in ("w:firstLine", "w:firstLineChars"):
        ind.set(qn(attr), "0")  # not Normal's two characters
    ind.set(qn("w:leftChars"), str(left_chars * 100))
    ind.set(qn("w:left"), str(left_chars * TWIPS_PER_CHAR))
    if hanging_chars:
        for attr in ("w:firstLine", "w:firstLineChars"):
            del ind.attrib[qn(attr)]  # a hanging indent instead
        ind.set(qn("w:hangingChars"), str(hanging_chars * 100))
        ind.set(qn("w:hanging"), str(hanging_chars * TWIPS_PER_CHAR))


def _record_styles(doc, layout):
    styles = doc.styles
    normal = styles["Normal"]

    title = styles.add_style("记录标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = styles["Title"]  # 小标宋 2号, centred (7.3.1)
    _outline(title, 0)  # each meeting in the navigation pane of a 记录本

    unit = styles.add_style("记录单位", WD_STYLE_TYPE.PARAGRAPH)
    unit.base_style = normal
    unit.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(unit.element, 0)

    field = styles.add_style("记录要素", WD_STYLE_TYPE.PARAGRAPH)
    field.base_style = normal  # “会议时间：……” flush left, continuation lines too
    _indent_chars(field.element, 0)

    label = styles.add_style(RECORD_LABEL_CHAR, WD_STYLE_TYPE.CHARACTER)
    _fonts(label.element, HEITI)
    label.font.bold = layout.bold_headings

    part = styles.add_style("记录栏目", WD_STYLE_TYPE.PARAGRAPH)
    part.base_style = styles["Heading 1"]  # “一、学习传达内容”: 黑体, kept with its text
    _outline(part, 1)

    attachments = styles.add_style("附件说明", WD_STYLE_TYPE.PARAGRAPH)
    attachments.base_style = normal  # 7.3.4: 左空二字“附件：”, names aligned
    _hanging(attachments, 5, 3)
    more = styles.add_style("附件说明续行", WD_STYLE_TYPE.PARAGRAPH)
    more.base_style = normal
    _hanging(more, 5, 0)

    toc_title = styles.add_style("目录标题", WD_STYLE_TYPE.PARAGRAPH)
    toc_title.base_style = normal
    _fonts(toc_title.element, HEITI)
    toc_title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(toc_title.element, 0)

    entry = styles.add_style("目录条目", WD_STYLE_TYPE.PARAGRAPH)
    entry.base_style = normal
    entry.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _hanging(entry, 2, 2)  # a long title wraps under itself, not under its number
    # The page number at the right edge of the type area, dots leading to it.
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:leader"), "dot")
    tab.set(qn("w:pos"), str(_twips(210 - layout.margin_left_mm - layout.margin_right_mm)))
    tabs.append(tab)
    ppr = entry.element.get_or_add_pPr()
    ppr.insert_element_before(tabs, "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr")


@functools.lru_cache(maxsize=32)
def _record_base_document(layout):
    """The layout's base document with the record styles, built once per layout."""
    doc = Document(io.BytesIO(_base_document(layout)))
    _record_styles(doc, layout)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _record(out, record):
    """One meeting record; returns its title paragraph. `record`: title,
    organisation, fields (rows of [label, value] pairs), parts (number, title,
    paragraphs as in a report) and attachments (names)."""
    title = out.paragraph(_one_line(record.get("title")), "记录标题")
    organisation = _one_line(record.get("organisation"))
    if organisation:
        out.paragraph(organisation, "记录单位")
    out.paragraph(style="记录要素")  # 标题下空一行
    for row in record.get("fields", []):
        runs, more = [], []
        for index, (label, value) in enumerate(row):
            lines = _lines(value) or [""]
            if len(row) > 1:  # two short items on one line: 主持人 and 记录人
                lines = ["；".join(lines)]
            if index:
                runs.append(("　　", None))
            runs += [(_one_line(label) + "：", RECORD_LABEL_CHAR), (lines[0], None)]
            more = lines[1:]
        out.paragraph(runs=runs, style="记录要素")
        for line in more:
            out.paragraph(line, "记录要素")
    for part in record.get("parts", []):
        out.paragraph(_one_line(part["number"] + part["title"]), "记录栏目")
        for p in part.get("paragraphs", []):
            _paragraph(out, p)
    names = [name for name in map(_one_line, record.get("attachments", [])) if name]
    if names:
        out.paragraph()  # 正文下空一行 (7.3.4)
        for index, name in enumerate(names, start=1):
            text = f"{index}．{name}" if len(names) > 1 else name
            if index == 1:
                out.paragraph(runs=[("附件：", None), (text, None)], style="附件说明")
            else:
                out.paragraph(text, "附件说明续行")
    return title


def render_record_docx(record, layout=None, properties=None):
    """DOCX bytes of one meeting record (meetings.records.record_data)."""
    layout = layout or Layout()
    doc = Document(io.BytesIO(_record_base_document(layout)))
    _record(_Writer(doc), record)
    props = properties or Properties(subject="会议记录")
    return _save(doc, props, record.get("title"), record.get("organisation"))


def _page_break_before(p):
    ppr = p.find(W + "pPr")
    node = etree.Element(W + "pageBreakBefore")
    ind = ppr.find(W + "ind")  # pageBreakBefore comes before ind in a pPr
    if ind is not None:
        ind.addprevious(node)
    else:
        ppr.append(node)


def _bookmark(p, name, ident):
    p.find(W + "pPr").addnext(
        etree.Element(W + "bookmarkStart", {W + "id": str(ident), W + "name": name})
    )
    p.append(etree.Element(W + "bookmarkEnd", {W + "id": str(ident)}))


def _page_ref(parent, bookmark):
    """A PAGEREF field to the bookmark; returns the <w:t> of its shown result.
    LibreOffice computes the page itself when it lays the document out (no
    field update needed for the PDF); Word shows the result until 更新域."""
    shown = None
    for kind, text in (
        ("begin", None),
        (None, f" PAGEREF {bookmark} \\h "),
        ("separate", None),
        ("", None),
        ("end", None),
    ):
        r = etree.SubElement(parent, W + "r")
        if kind:
            etree.SubElement(r, W + "fldChar").set(W + "fldCharType", kind)
        elif text:
            instr = etree.SubElement(r, W + "instrText")
            instr.set(XML_SPACE, "preserve")
            instr.text = text
        else:
            shown = etree.SubElement(r, W + "t")
    return shown


def _estimated_pages(paragraphs, layout, title_ids):
    """Pages a run of paragraphs fills, estimated from its characters (28 a line
    at 3号, about 20 for a 2号 title), for the 目录's page numbers as first shown."""
    width_pt = (210 - layout.margin_left_mm - layout.margin_right_mm) * 72 / 25.4
    height_pt = (297 - layout.margin_top_mm - layout.margin_bottom_mm) * 72 / 25.4
    height = 0.0
    for p in paragraphs:
        style = p.find(W + "pPr/" + W + "pStyle")
        big = style is not None and style.get(W + "val") in title_ids
        size, pitch = (22, 35) if big else (16, layout.line_pitch_pt)
        text = "".join(t.text or "" for t in p.iter(W + "t"))
        chars = _char_width(text) + (0 if big or style is not None else 2)
        height += pitch * max(1, math.ceil(chars * size / width_pt))
    return max(1, math.ceil(height / height_pt))


def render_record_book_docx(book, layout=None, properties=None):
    """DOCX bytes of a 会议记录本 (meetings.records.book_data): its title, a 目录
    whose page numbers are fields to each record's bookmark, then every record
    on a new page."""
    layout = layout or Layout()
    doc = Document(io.BytesIO(_record_base_document(layout)))
    out = _Writer(doc)
    for line in _lines(book.get("title")):
        out.paragraph(line, "Title")
    out.paragraph(style="记录要素")  # 空一行
    out.paragraph("目　录", "目录标题")
    records = book.get("records", [])
    shown = []
    for index, record in enumerate(records, start=1):
        p = out.paragraph(style="目录条目")
        link = etree.SubElement(
            p, W + "hyperlink", {W + "anchor": TOC_BOOKMARK.format(index), W + "history": "1"}
        )
        out._run(link, f"{index}．{_one_line(record.get('toc') or record.get('title'))}", None)
        etree.SubElement(etree.SubElement(link, W + "r"), W + "tab")
        shown.append(_page_ref(link, TOC_BOOKMARK.format(index)))
    firsts = []
    for index, record in enumerate(records, start=1):
        first = _record(out, record)
        _page_break_before(first)
        _bookmark(first, TOC_BOOKMARK.format(index), index)
        firsts.append(first)
    # The page numbers first shown (Word, before 更新域): estimated, the 目录 and
    # each record a run of whole pages.
    body = list(out.body.iterchildren(W + "p"))
    bounds = [0, *(body.index(first) for first in firsts), len(body)]
    title_ids = {out.style_id("Title"), out.style_id("记录标题")}
    page = 1
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        if index:
            shown[index - 1].text = str(page)
        page += _estimated_pages(body[start:end], layout, title_ids)
    props = properties or Properties(subject="会议记录本")
    return _save(doc, props, " ".join(_lines(book.get("title"))), book.get("organisation"))
