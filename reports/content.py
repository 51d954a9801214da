"""The report as plain data: what the preview shows, what a submission freezes
and what the DOCX renderer turns into a document.

Numbering is computed here from order, never taken from typed text, and all
text goes through `ideology_review.lib.text.document_text` (simplified script, web-paste
debris removed, typed numbering removed, full-width punctuation): the body,
the 台账 and the preview print the same words.
"""

import re

from ideology_review.lib.periods import cn_date
from ideology_review.lib.text import chinese_numeral, document_heading, document_text

from .assembly import report_findings
from .models import ReportItem

S = ReportItem.Section

# The numbered parts and their headings are the kind's skeleton (reports.kinds).
CONTENT_VERSION = 2
# A measure whose first sentence is this short reads as its run-in heading:
# （一）持续加强政治理论学习。每月集中学习1次……
RUN_IN_HEADING_MAX = 30


def count_of(n):
    """A count before a measure word: 两个方面, not 二个方面 (but 十二个)."""
    return "两" if n == 2 else chinese_numeral(n)


def _end(text):
    text = text.rstrip()
    if text and text[-1] not in "。！？：；…”":
        text += "。"
    return text


def paragraph_text(item):
    """Heading and body of a paragraph, without typed numbering; the body may
    hold several paragraphs, one per line."""
    heading = document_heading(item.heading)
    body = document_text(item.body)
    return heading, _end(body) if body else ""


def _split_run_in(text):
    """("持续加强政治理论学习", "每月集中学习1次。") for a text whose first sentence is short."""
    first, sep, rest = text.partition("。")
    if sep and rest.strip() and len(first) <= RUN_IN_HEADING_MAX and "\n" not in first:
        return first, rest.strip()
    return "", text


def _numbered(section, entries, style):
    """A section's paragraphs with their markers: （一） or 一是 for problems and
    measures and 基本情况, 1． for rectification lines, none for 总体研判 and
    the parts of narrative (style "plain")."""
    paragraphs = []
    counter = 0
    for item in entries:
        heading, body = paragraph_text(item)
        if (
            section == S.JUDGEMENT
            or style == "plain"
            or item.source_key.startswith("rectification:")
        ):
            marker = ""
        elif section in (S.RECTIFICATION, S.CARRIED):
            counter += 1
            marker = f"{counter}．"
        else:
            counter += 1
            marker = (
                f"{chinese_numeral(counter)}是"
                if style == "shi"
                else f"（{chinese_numeral(counter)}）"
            )
            if section == S.MEASURES and not heading:
                heading, body = _split_run_in(body)
        paragraphs.append({"marker": marker, "heading": heading, "text": body, "item": item.pk})
    return paragraphs


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
    spec = report.spec
    me = "我" if report.kind == report.Kind.DUTY else org.self_name
    parts = []
    number = 0
    for part in spec.parts:
        sections = [(section, by_section.get(section, [])) for section in part.sections]
        if not any(entries for _, entries in sections) and not part.required:
            continue
        number += 1
        paragraphs = []
        for section, entries in sections:
            if section == S.MEASURES and entries and spec.measures_lead:
                # The lead-in counts the items in Chinese numerals (从以下三个方面).
                lead_in = spec.measures_lead.format(self=me, count=count_of(len(entries)))
                paragraphs.append({"marker": "", "heading": "", "text": lead_in, "item": None})
            paragraphs += _numbered(section, entries, part.marker)
        parts.append(
            {
                "key": str(part.sections[0]),
                "number": f"{chinese_numeral(number)}、",
                "title": spec.part_title(part, report),
                "paragraphs": paragraphs,
            }
        )

    def plain(section):
        out = []
        for i in by_section.get(section, []):
            heading, body = paragraph_text(i)
            text = f"{heading}。{body}" if heading and body else _end(heading) if heading else body
            out.append({"marker": "", "heading": "", "text": text, "item": i.pk})
        return out

    return {
        "version": CONTENT_VERSION,
        "title": document_heading(report.title),
        "addressee": document_heading(report.addressee).rstrip("：:"),
        "organisation": org.name,
        "period": report.period_label,
        "opening": plain(S.OPENING),
        "parts": parts,
        "closing": plain(S.CLOSING),
        "signatory": document_heading(report.signatory),
        "issue_date": cn_date(report.issue_date),
        "ledger": ledger_rows(report, by_section.get(S.PROBLEMS, [])),
    }


def _title_key(text):
    return re.sub(r"[\W_]+", "", document_heading(text or "")).lower()


def ledger_rows(report, problem_items=()):
    """附件 整改落实台账: the quarter's findings marked 纳入报告 with their
    measures, in the order of the body's problems (the same problem raised at
    two meetings is one row with the measures of both)."""
    findings = report_findings(report)
    position = {item.source_key: index for index, item in enumerate(problem_items)}
    findings.sort(key=lambda f: position.get(f"finding:{f.pk}", len(position)))
    entries = {}
    for finding in findings:
        entry = entries.setdefault(
            _title_key(finding.title),
            {"finding": document_heading(finding.title), "findings": [], "measures": []},
        )
        # The records' pks anchor a 批注 on a row of the frozen 台账 (reports.comments).
        entry["findings"].append(finding.pk)
        for m in finding.measures.all():
            entry["measures"].append(
                {
                    "pk": m.pk,
                    "content": _end(document_text(m.content)),
                    "person": m.responsible_person.name if m.responsible_person else "",
                    "dept": document_heading(m.responsible_dept),
                    "deadline": "长期坚持" if m.long_term else cn_date(m.deadline),
                    "status": m.display_status,
                    "progress": _end(document_text(m.progress_note)) if m.progress_note else "",
                }
            )
    return [{"index": index, **entry} for index, entry in enumerate(entries.values(), start=1)]


def paragraph_line(p):
    """A paragraph as it reads: （一）小标题。正文"""
    heading, text = p.get("heading") or "", p.get("text") or ""
    joined = f"{heading}。{text}" if heading and text else _end(heading) if heading else text
    return (p.get("marker") or "") + joined
