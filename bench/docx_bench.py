"""python -m bench docx (make bench, part 1): our DOCX renderer against docxtpl
on the same content, in one run.

The standard report: 3 meetings, 12 findings, 24 measures (about 8 pages with
the appendix ledger), its text taken in order from bench/corpus/. docxtpl
renders the same data from an equivalent template: the same styles, page setup
and footers, with Jinja tags where our renderer writes paragraphs. Both
outputs are checked to hold the same text. Prints the median time per report
for each and the ratio.
"""

import argparse
import io
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from docx import Document

from reports import docx as renderer

from . import sentences


def standard_report():
    pick = iter(sentences() * 4)
    findings = [
        {
            "marker": f"（{renderer_numeral(i)}）",
            "heading": next(pick)[:16].rstrip("，。"),
            "text": next(pick),
        }
        for i in range(1, 13)
    ]
    measures = [
        {"marker": f"（{renderer_numeral(i)}）", "heading": "", "text": next(pick)[:26]}
        for i in range(1, 25)
    ]
    basic = [
        {
            "marker": f"（{renderer_numeral(i)}）",
            "heading": heading,
            "text": next(pick) + next(pick),
        }
        for i, heading in enumerate(
            [
                "加强组织领导，强化责任落实",
                "加强理论学习，提升思想认识",
                "加强阵地管理，维护网络意识形态安全",
            ],
            start=1,
        )
    ]
    ledger = []
    for i in range(12):
        ledger.append(
            {
                "index": i + 1,
                "finding": findings[i]["heading"],
                "measures": [
                    {
                        "content": measures[2 * i + k]["text"],
                        "person": "陈建军",
                        "dept": "教务处",
                        "deadline": "2026年12月31日",
                        "status": "整改中",
                        "progress": "已完成第一阶段",
                    }
                    for k in (0, 1)
                ],
            }
        )
    return {
        "title": (
            "中共青山县城关第一实验学校支部委员会关于2026年第三季度意识形态领域分析研判情况的报告"
        ),
        "addressee": "中共青山县委教育工作委员会",
        "opening": [{"marker": "", "heading": "", "text": next(pick) + next(pick)}],
        "parts": [
            {"number": "一、", "title": "基本情况", "paragraphs": basic},
            {
                "number": "二、",
                "title": "总体研判",
                "paragraphs": [{"marker": "", "heading": "", "text": next(pick)}],
            },
            {"number": "三、", "title": "存在的问题和风险隐患", "paragraphs": findings},
            {
                "number": "四、",
                "title": "下一步工作措施",
                "paragraphs": [
                    {
                        "marker": "",
                        "heading": "",
                        "text": "针对上述问题，我校将重点从以下二十四个方面努力：",
                    },
                    *measures,
                ],
            },
        ],
        "closing": [{"marker": "", "heading": "", "text": next(pick)}],
        "signatory": "中共青山县城关第一实验学校支部委员会",
        "issue_date": "2026年9月28日",
        "ledger": ledger,
    }


def renderer_numeral(n):
    from ideology_review.lib.text import chinese_numeral

    return chinese_numeral(n)


def docxtpl_template():
    """The equivalent template: our styles and page setup, Jinja where the content goes."""
    doc = Document()
    layout = renderer.Layout()
    renderer._setup_styles(doc, layout)
    renderer._page_setup(doc, layout)
    body = doc.element.body
    for p in list(body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")):
        body.remove(p)
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph(style="主送机关")
    doc.add_paragraph("{{ addressee }}：", style="主送机关")
    doc.add_paragraph("{%p for p in opening %}")
    doc.add_paragraph("{{ p.text }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for part in parts %}")
    doc.add_paragraph("{{ part.number }}{{ part.title }}", style="Heading 1")
    doc.add_paragraph("{%p for p in part.paragraphs %}")
    doc.add_paragraph("{%p if p.heading %}")
    run_in = doc.add_paragraph()
    run_in.add_run("{{ p.marker }}{{ p.heading }}。", style="小标题字符")
    run_in.add_run("{{ p.text }}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ p.marker }}{{ p.text }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for p in closing %}")
    doc.add_paragraph("{{ p.text }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph()
    doc.add_paragraph("附件：整改落实台账")
    doc.add_paragraph(style="落款")
    doc.add_paragraph("{{ signatory }}", style="落款")
    doc.add_paragraph("{{ issue_date }}", style="落款")
    mark = doc.add_paragraph("附件", style="附件标识")
    mark.paragraph_format.page_break_before = True
    doc.add_paragraph(style="主送机关")
    doc.add_paragraph("整改落实台账", style="Title")
    table = doc.add_table(rows=3, cols=len(renderer.LEDGER_COLUMNS))
    table.style = doc.styles["Table Grid"]
    for cell, name in zip(table.rows[0].cells, renderer.LEDGER_COLUMNS, strict=True):
        cell.paragraphs[0].text = name
        cell.paragraphs[0].style = doc.styles["表格标题行"]
    first = table.rows[1].cells
    first[0].paragraphs[0].text = "{%tr for row in rows %}"
    last = table.rows[2].cells
    for cell, key in zip(
        last,
        ["index", "finding", "content", "person", "dept", "deadline", "status", "progress"],
        strict=True,
    ):
        cell.paragraphs[0].text = "{{ row.%s }}" % key  # noqa: UP031 - a Jinja tag
        cell.paragraphs[0].style = doc.styles["表格文字"]
    extra = table.add_row().cells
    extra[0].paragraphs[0].text = "{%tr endfor %}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def docxtpl_context(data):
    rows = [
        {"index": entry["index"], "finding": entry["finding"], **m}
        for entry in data["ledger"]
        for m in entry["measures"]
    ]
    return {**data, "rows": rows}


def render_docxtpl(template_bytes, data):
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render(docxtpl_context(data), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def text_of(payload):
    doc = Document(io.BytesIO(payload))
    parts = [p.text for p in doc.paragraphs if p.text.strip()]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "".join(parts)


def pages(payload):
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "r.docx"
        source.write_bytes(payload)
        try:
            subprocess.run(
                [
                    "soffice",
                    f"-env:UserInstallation=file://{tmp}/p",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                capture_output=True,
                timeout=120,
                check=True,
            )
            info = subprocess.run(
                ["pdfinfo", str(Path(tmp) / "r.pdf")], capture_output=True, text=True, check=True
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        return int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench docx", description="DOCX 渲染基准：本系统渲染器与 docxtpl。"
    )
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args(argv).runs
    data = standard_report()
    template = docxtpl_template()
    ours = renderer.render_docx(data)
    theirs = render_docxtpl(template, data)
    for needle in (
        data["parts"][2]["paragraphs"][11]["heading"],
        data["parts"][3]["paragraphs"][24]["text"],
        data["ledger"][11]["finding"],
    ):
        assert needle in text_of(ours) and needle in text_of(theirs), needle
    for _ in range(3):  # warm up both
        renderer.render_docx(data)
        render_docxtpl(template, data)
    ours_ms = median_ms(lambda: renderer.render_docx(data), runs)
    theirs_ms = median_ms(lambda: render_docxtpl(template, data), runs)
    print("DOCX 渲染基准（标准报告：3次会议、12个问题、24项措施）")
    print(f"  页数（LibreOffice）：本系统 {pages(ours)}，docxtpl {pages(theirs)}")
    print(f"  本系统 python-docx 渲染器  中位数 {ours_ms:7.1f} ms/份（{runs}次）")
    print(f"  docxtpl 模板渲染           中位数 {theirs_ms:7.1f} ms/份（{runs}次）")
    print(f"  比值（本系统 / docxtpl）     {ours_ms / theirs_ms:.2f}  （目标 ≤ 1.0，争取 ≤ 0.5）")
    return ours_ms / theirs_ms
