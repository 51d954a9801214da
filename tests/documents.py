"""Documents in tests: report data for the renderer, a DOCX as LibreOffice lays
it out (the PDF's pages as lines of text), and a ledger XLSX exported as the
page does."""

import re
import subprocess

from django.urls import reverse

from reports.models import GeneratedFile


def pdf_pages(soffice, tmp_path, docx_bytes, *, timeout=240):
    """Convert `docx_bytes` with LibreOffice and return each page's non-empty
    lines (pdftotext -layout); a trailing empty page is dropped."""
    source = tmp_path / "report.docx"
    source.write_bytes(docx_bytes)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists(), "LibreOffice produced no PDF"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    while pages and not pages[-1]:
        pages.pop()
    return pages


def sample_report_data(**overrides):
    """Plain report data as `reports.content.build_report_data` returns it, for
    the renderer without a database; `overrides` replace top-level keys."""
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
                    {"marker": "（二）", "heading": "工作群转发无关信息", "text": ""},
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
            {
                "number": "四、",
                "title": "上季度整改落实情况",
                "paragraphs": [
                    {"marker": "1．", "heading": "学习制度", "text": "已建立。"},
                    {"marker": "2．", "heading": "", "text": "群管理已规范。"},
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
                        "dept": "党政办公室",
                        "progress": "已召开专题会议部署",
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


def export_ledger(client, kind, filters=None):
    """导出台账 as the page does (a POST with the filters on screen; the task runs
    in-process in tests), then the generated file's download: (file, XLSX bytes)."""
    response = client.post(reverse("meetings:ledger_export", args=[kind]), filters or {})
    assert response.status_code == 302
    file = GeneratedFile.objects.filter(kind=GeneratedFile.Kind.LEDGER).latest("pk")
    assert file.status == GeneratedFile.Status.DONE, file.error
    response = client.get(reverse("reports:file_download", args=[file.pk]))
    assert response.status_code == 200
    return file, b"".join(response.streaming_content)  # read to the end: the file is closed


def _east_asia(style):
    from docx.oxml.ns import qn

    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def assert_official_layout(doc, *, title, signatory, issue_date):
    """The GB/T 9704 checks every exported report passes (docx-format.md §7), on
    a reopened python-docx `doc`: A4 with margins 37/35/28/26 mm and a 22-line
    grid; 3号 仿宋_GB2312 body at an exact 28.95 pt; the 2号 方正小标宋简体 title,
    centred; headings 黑体 / 楷体_GB2312 / 仿宋_GB2312 with outline levels;
    "— PAGE —" footers, odd pages right, even pages left; the 落款 (`signatory`)
    and then the 成文日期 (`issue_date`, 2026年9月28日) right-aligned at the end
    of the text."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch")) == "579"

    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and _east_asia(normal) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing.twips == 579

    style = doc.styles["Title"]
    assert _east_asia(style) == "方正小标宋简体" and style.font.size == Pt(22)
    assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    lines = []
    for p in doc.paragraphs:
        if p.style.name != "Title":
            break
        lines.append(p.text)
    assert "".join(lines) == title

    fonts = {level: _east_asia(doc.styles[f"Heading {level}"]) for level in (1, 2, 3, 4)}
    assert fonts == {1: "黑体", 2: "楷体_GB2312", 3: "仿宋_GB2312", 4: "仿宋_GB2312"}
    for level in (1, 2, 3, 4):
        heading = doc.styles[f"Heading {level}"]
        assert heading.font.size == Pt(16)
        outline = heading.element.pPr.findall(qn("w:outlineLvl"))
        assert [o.get(qn("w:val")) for o in outline] == [str(level - 1)]

    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p, alignment in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.paragraph_format.alignment == alignment
        assert [i.text for i in p._p.iter(qn("w:instrText"))] == [" PAGE "]

    # The 落款 block closes the text: the signatory, then the date.
    signed = [p for p in doc.paragraphs if p.style.name == "落款" and p.text]
    assert [p.text for p in signed] == [signatory, issue_date]
    assert doc.styles["落款"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 右空二字; the date starts two characters right of the name, or, when it is
    # the longer one, the date is 右空二字 and the name moves left (7.3.5.2)
    indents = [p.paragraph_format.right_indent for p in signed]
    assert min(indents) == Pt(32)
    body = [p for p in doc.paragraphs if p.text]
    appendix = next((i for i, p in enumerate(body) if p.style.name == "附件标识"), len(body))
    assert [p._p for p in body[appendix - 2 : appendix]] == [p._p for p in signed]
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日", issue_date)
