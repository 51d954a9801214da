"""Pagination of a long report: full body pages, an appendix ledger whose short
cells stay on one line. Measured in LibreOffice's PDF (pdftotext), not guessed."""

import io

from docx import Document
from docx.oxml.ns import qn

from ideology_review.lib.text import chinese_numeral
from reports.docx import render_docx

from ..documents import pdf_pages, sample_report_data

PHRASES = [
    "支部坚持把意识形态工作作为党的建设的重要内容，纳入重要议事日程，"
    "与业务工作同部署、同落实、同检查、同考核。",
    "部分青年教师对理论学习重视不够，学习强国积分偏低，政治理论学习不够透彻，存在以干代学的现象。",
    "个别党员在微信工作群、朋友圈转发未经核实的信息，网络舆情意识和保密意识有待进一步增强。",
    "支部书记认真履行第一责任人职责，每季度专题研究意识形态工作不少于1次，"
    "及时研判苗头性、倾向性问题。",
    "课堂教学、讲座论坛和校园网站等阵地管理制度还不够健全，审核把关流程需要进一步细化。",
]
PEOPLE = ["陈建军", "张敏", "欧阳明月", "黄文静"]
STATUSES = ["整改中", "已逾期", "长期坚持", "已完成", "已销号"]


def sentences(start, count):
    return "".join(PHRASES[(start + k) % len(PHRASES)] for k in range(count))


def long_report():
    """Long run-in paragraphs, a 20,000-character 总体研判 with pasted line
    breaks, 13 problems (one without 具体表现), 24 measures, a 24-row ledger."""
    huge = sentences(0, 250)[:20_000]
    huge = "\n".join([huge[:5000], huge[5000:11000], "", huge[11000:16000], huge[16000:]])
    problems = [
        {
            "marker": f"（{chinese_numeral(i)}）",
            "heading": f"问题{i}的概括",
            "text": sentences(i, 4),
        }
        for i in range(1, 13)
    ]
    problems.append({"marker": "（十三）", "heading": "工作群转发无关信息", "text": ""})
    measures = [
        {
            "marker": f"（{chinese_numeral(i)}）",
            "heading": "强化理论武装" if i % 3 == 0 else "",
            "text": sentences(i, 2),
        }
        for i in range(1, 25)
    ]
    ledger = [
        {
            "index": i,
            "finding": f"问题{i}的概括",
            "measures": [
                {
                    "content": sentences(i + k, 1),
                    "person": PEOPLE[(i + k) % 4],
                    "dept": "党政办公室",
                    "deadline": "长期坚持" if k else "2026年12月31日",
                    "status": STATUSES[(i + k) % 5],
                    "progress": "已召开专题会议部署，正在逐项推进。",
                }
                for k in (0, 1)
            ],
        }
        for i in range(1, 13)
    ]
    part = {
        "number": "一、",
        "title": "基本情况",
        "paragraphs": [
            {
                "marker": f"（{chinese_numeral(i)}）",
                "heading": "加强组织领导",
                "text": sentences(i, 5),
            }
            for i in range(1, 5)
        ],
    }
    lead_in = {
        "marker": "",
        "heading": "",
        "text": "针对上述问题，我校将重点从以下二十四个方面努力：",
    }
    return sample_report_data(
        opening=[{"marker": "", "heading": "", "text": sentences(0, 2) + "现将有关情况报告如下："}],
        parts=[
            part,
            {
                "number": "二、",
                "title": "总体研判",
                "paragraphs": [{"marker": "", "heading": "", "text": huge}],
            },
            {"number": "三、", "title": "存在的问题和风险隐患", "paragraphs": problems},
            {"number": "四、", "title": "下一步工作措施", "paragraphs": [lead_in, *measures]},
        ],
        ledger=ledger,
    )


def keeps(doc):
    """(text, keep with next) of each body paragraph, the style's keep unless set directly."""
    result = []
    for p in doc.paragraphs:
        direct = p.paragraph_format.keep_with_next
        keep = direct if direct is not None else bool(p.style.paragraph_format.keep_with_next)
        result.append((p.text, keep))
    return result


def test_no_chain_of_kept_paragraphs_but_the_signature_block():
    data = long_report()
    doc = Document(io.BytesIO(render_docx(data)))
    chains, current = [], []
    for text, keep in keeps(doc):
        if keep:
            current.append(text)
        elif current:
            chains.append([*current, text])
            current = []
    # a part title keeps with its first paragraph, nothing longer ...
    titles = [part["number"] + part["title"] for part in data["parts"]]
    assert [chain[0] for chain in chains[:-2]] == titles
    assert all(len(chain) == 2 for chain in chains[:-2])
    # ... but the signature block: last paragraph, 附件说明, name and date
    assert chains[-2][-3:] == ["", data["signatory"], data["issue_date"]]
    assert chains[-1] == ["整改落实台账", ""]  # the 附件 title stays with the table
    assert not any(p._p.find(qn("w:pPr") + "/" + qn("w:keepLines")) for p in doc.paragraphs)


def test_libreoffice_fills_body_pages_and_keeps_ledger_cells_on_one_line(soffice, tmp_path):
    data = long_report()
    pages = pdf_pages(soffice, tmp_path, render_docx(data))
    appendix = next(i for i, page in enumerate(pages) if page[0].strip() == "附件")
    body, ledger = pages[:appendix], pages[appendix:]
    assert len(body) > 10 and ledger
    # every body page but the last is full: no half-empty page before a heading
    for number, page in enumerate(body[:-1], start=1):
        lines = [line for line in page if not line.strip().startswith("—")]  # the page number
        assert len(lines) >= 14, f"page {number} holds only {len(lines)} lines"
    # pdftotext puts the autospace gap between CJK and digits as a space: drop spaces
    lines = [line.replace(" ", "") for page in ledger for line in page]
    measures = [m for entry in data["ledger"] for m in entry["measures"]]
    expected = {
        "整改状态": len(ledger),  # the header row repeats on every page
        "2026年12月31日": sum(m["deadline"] == "2026年12月31日" for m in measures),
        "长期坚持": sum((m["deadline"], m["status"]).count("长期坚持") for m in measures),
        "陈建军": sum(m["person"] == "陈建军" for m in measures),
        "欧阳明月": sum(m["person"] == "欧阳明月" for m in measures),
    }
    found = {needle: sum(line.count(needle) for line in lines) for needle in expected}
    assert found == expected  # a wrapped cell would split a value over two lines
    assert all(line.count("责任部门") <= 1 for line in lines)
    assert sum("责任部门" in line for line in lines) == len(ledger)
