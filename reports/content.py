"""The report as plain data: what the preview shows, what a submission freezes
and what the DOCX renderer turns into a document.

Numbering is computed here from order, never taken from typed text, and all
text gets full-width punctuation.
"""

from meetings.models import Finding
from meetings.text import chinese_numeral, cn_date, strip_leading_marker, to_fullwidth

from .models import ReportItem

S = ReportItem.Section

# Numbered parts, in order, with their headings (domain.md §3.2).
PARTS = [
    (S.BASIC, "基本情况"),
    (S.JUDGEMENT, "总体研判"),
    (S.PROBLEMS, "存在的问题和风险隐患"),
    (S.MEASURES, "下一步工作措施"),
    (S.RECTIFICATION, "上季度整改落实情况"),
]
REQUIRED_PARTS = {S.BASIC, S.JUDGEMENT, S.PROBLEMS, S.MEASURES}
CONTENT_VERSION = 1


def _end(text):
    text = text.rstrip()
    if text and text[-1] not in "。！？：；…":
        text += "。"
    return text


def paragraph_text(item):
    """Heading and body as one run-in paragraph text, without the marker."""
    heading = to_fullwidth(strip_leading_marker(item.heading.strip())).rstrip("。.")
    body = to_fullwidth(item.body.strip())
    if heading and body:
        return heading, _end(body)
    return heading, _end(body) if body else ""


def build_report_data(report, items=None):
    """Plain, JSON-serialisable data of the whole report."""
    if items is None:
        items = report.items.filter(excluded=False)
    by_section = {}
    for item in sorted(items, key=lambda i: (i.order, i.pk or 0)):
        if item.excluded or not (item.heading.strip() or item.body.strip()):
            continue
        by_section.setdefault(item.section, []).append(item)

    org = report.organisation
    parts = []
    number = 0
    for section, title in PARTS:
        entries = by_section.get(section, [])
        if not entries and section not in REQUIRED_PARTS:
            continue
        number += 1
        paragraphs = []
        if section == S.MEASURES and entries:
            # The lead-in counts the items in Chinese numerals (从以下三个方面).
            lead_in = (
                f"针对上述问题，{org.self_name}将重点从以下"
                f"{chinese_numeral(len(entries))}个方面努力："
            )
            paragraphs.append({"marker": "", "heading": "", "text": lead_in, "item": None})
        counter = 0
        for item in entries:
            heading, body = paragraph_text(item)
            if section == S.JUDGEMENT or item.source_key == "rectification:summary":
                marker = ""
            elif section == S.RECTIFICATION:
                counter += 1
                marker = f"{counter}．"
            else:
                counter += 1
                marker = f"（{chinese_numeral(counter)}）"
            paragraphs.append({"marker": marker, "heading": heading, "text": body, "item": item.pk})
        parts.append(
            {
                "key": str(section),
                "number": f"{chinese_numeral(number)}、",
                "title": title,
                "paragraphs": paragraphs,
            }
        )

    def plain(section):
        return [
            {
                "marker": "",
                "heading": "",
                "text": " ".join(filter(None, paragraph_text(i))),
                "item": i.pk,
            }
            for i in by_section.get(section, [])
        ]

    return {
        "version": CONTENT_VERSION,
        "title": to_fullwidth(report.title),
        "addressee": to_fullwidth(report.addressee),
        "organisation": org.name,
        "period": report.period_label,
        "opening": plain(S.OPENING),
        "parts": parts,
        "closing": plain(S.CLOSING),
        "signatory": to_fullwidth(report.signatory),
        "issue_date": cn_date(report.issue_date),
        "ledger": ledger_rows(report),
    }


def ledger_rows(report):
    """附件 ledger: the quarter's findings marked 纳入报告 with their measures."""
    findings = (
        Finding.objects.filter(
            organisation_id=report.organisation_id,
            year=report.year,
            quarter=report.quarter,
            include_in_report=True,
        )
        .select_related("category")
        .prefetch_related("measures__responsible_person")
        .order_by("category__order", "meeting__date", "order", "pk")
    )
    rows = []
    for index, finding in enumerate(findings, start=1):
        measures = []
        for m in finding.measures.all():
            measures.append(
                {
                    "content": to_fullwidth(m.content),
                    "person": m.responsible_person.name if m.responsible_person else "",
                    "deadline": "长期坚持" if m.long_term else cn_date(m.deadline),
                    "status": m.display_status,
                }
            )
        rows.append({"index": index, "finding": to_fullwidth(finding.title), "measures": measures})
    return rows


def paragraph_line(p):
    """A paragraph as it reads: （一）小标题。正文"""
    heading, text = p.get("heading") or "", p.get("text") or ""
    joined = f"{heading}。{text}" if heading and text else heading or text
    return (p.get("marker") or "") + joined


def paragraphs_as_lines(content):
    """Every paragraph of frozen content as one line of text, for comparing rounds."""
    lines = [content["title"], content["addressee"] + "："]
    lines += [paragraph_line(p) for p in content["opening"]]
    for part in content["parts"]:
        lines.append(part["number"] + part["title"])
        lines += [paragraph_line(p) for p in part["paragraphs"]]
    lines += [paragraph_line(p) for p in content["closing"]]
    lines += [content["signatory"], content["issue_date"]]
    return [line for line in lines if line]
