"""Checks before 提交审核 (domain.md §3.3).

Errors block submission; warnings are shown and the secretary may accept
them. Each problem says what is wrong and where, in the words of §5.6.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from ideology_review.lib.text import chinese_numeral, simplify
from meetings.models import Finding, Measure, Meeting
from reports.typography import find_placeholders

from .assembly import ANALYSIS_TYPES
from .models import ReportItem

S = ReportItem.Section
ERROR, WARNING = "error", "warning"
SECTION_NAMES = dict(ReportItem.Section.choices)
SECTION_ORDER = {key: index for index, key in enumerate(SECTION_NAMES)}


@dataclass(frozen=True)
class Problem:
    level: str
    message: str
    where: str = ""

    @property
    def is_error(self):
        return self.level == ERROR

    def __str__(self):
        return f"{self.message}（{self.where}）" if self.where else self.message


def _snippet(text, token, width=8):
    text = " ".join(text.split())
    at = text.find(token)
    start, end = max(0, at - width), min(len(text), at + len(token) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def check_report(report, items=None):
    if items is None:
        items = list(report.items.filter(excluded=False).order_by("section", "order", "pk"))
    problems = []
    org = report.organisation
    period_word = "本季度" if report.is_quarterly else "报告期间内"

    # The period's meetings, read once: is one of them an analysis meeting, which are drafts.
    meetings = list(
        Meeting.objects.filter(report.records_q(), organisation=org)
        .only("title", "date", "meeting_type", "status")
        .order_by("date", "pk")
    )
    if not any(m.meeting_type in ANALYSIS_TYPES for m in meetings):
        problems.append(Problem(WARNING, f"{period_word}尚未召开研判会议", report.period_label))

    # The report's findings and their measures, read once for the checks below
    # (the columns they look at), however many there are: two queries.
    findings = list(
        Finding.objects.for_report(report)
        .only("pk", "title")
        .prefetch_related(
            Prefetch(
                "measures",
                Measure.objects.only(
                    "finding_id", "content", "responsible_person_id", "deadline", "long_term"
                ),
            )
        )
        .order_by("pk")
    )
    for finding in findings:
        if not finding.measures.all():
            problems.append(Problem(ERROR, "存在未制定整改措施的问题", f"问题“{finding.title}”"))
    incomplete = sorted(
        (
            (measure, finding)
            for finding in findings
            for measure in finding.measures.all()
            if measure.responsible_person_id is None
            or (measure.deadline is None and not measure.long_term)
        ),
        key=lambda pair: pair[0].pk,
    )
    for measure, finding in incomplete:
        missing = []
        if measure.responsible_person_id is None:
            missing.append("责任人")
        if measure.deadline is None and not measure.long_term:
            missing.append("整改时限")
        problems.append(
            Problem(
                ERROR,
                "整改措施缺少责任人或整改时限",
                f"问题“{finding.title}”的措施“{measure.content[:30]}”缺少{'、'.join(missing)}",
            )
        )

    problems += _unconfirmed_meetings(meetings)
    problems += _placeholders(report, items, findings)
    problems += _traditional(report, items)
    problems += _empty_parts(report, items)

    # Without a 成文日期 the submission date is set when the report is submitted.
    if report.issue_date is not None:
        start, end = report.period.bounds()
        if not start <= report.issue_date <= end + datetime.timedelta(days=45):
            where = "本季度或季度" if report.is_quarterly else "报告期间或期间"
            problems.append(Problem(WARNING, f"成文日期不在{where}结束后45天内", "报告信息"))
    return problems


def _report_fields(report, items):
    """(where, text) of every text the secretary can edit, named as on the page."""
    fields = [
        ("报告标题", report.title),
        ("主送单位", report.addressee),
        ("落款单位", report.signatory),
    ]
    counters = {}
    names = {**SECTION_NAMES, **dict(report.spec.sections(report))}
    for item in sorted(items, key=lambda i: (SECTION_ORDER[i.section], i.order, i.pk or 0)):
        counters[item.section] = counters.get(item.section, 0) + 1
        n = counters[item.section]
        where = f"{names[item.section]}第{chinese_numeral(n)}段"
        fields.append((where, item.heading))
        fields.append((where, item.body))
    return fields


def _traditional(report, items):
    """Traditional script left in the text (pasted from a traditional source and
    edited by hand after 一键汇总): named by paragraph, converted by 转为简体."""
    found, named = [], set()
    for where, text in _report_fields(report, items):
        simplified, changed = simplify(text)
        if not changed or where in named:
            continue
        named.add(where)
        first = next(a for a, b in zip(text, simplified, strict=False) if a != b)
        found.append(
            Problem(
                ERROR,
                f"含有繁体字{changed}个，请在编辑段落时点击“转为简体”后再提交",
                f"{where}：“{_snippet(text.strip(), first)}”",
            )
        )
    return found


def _unconfirmed_meetings(meetings):
    """The report draws on meeting records that are not confirmed yet."""
    drafts = [m for m in meetings if m.status == Meeting.Status.DRAFT]
    return [
        Problem(
            WARNING,
            "报告使用的会议记录尚未确认，确认后记录将锁定",
            f"会议“{m.title}”（{m.date.month}月{m.date.day}日）",
        )
        for m in drafts
    ]


def _placeholders(report, items, findings):
    found = []
    fields = _report_fields(report, items)
    # The appendix ledger prints the records themselves: check them too.
    for finding in findings:
        fields.append((f"附件台账问题“{finding.title[:20]}”", finding.title))
        for measure in finding.measures.all():
            fields.append((f"附件台账问题“{finding.title[:20]}”的整改措施", measure.content))
    for where, text in fields:
        for token in dict.fromkeys(find_placeholders(text)):
            found.append(
                Problem(
                    ERROR,
                    "检测到未替换的占位符（如“xx”“××”“20xx”），请修改后提交",
                    f"{where}：“{_snippet(text.strip(), token)}”",
                )
            )
    return found


def _empty_parts(report, items):
    """The kind's required parts (reports.kinds) each have content."""
    problems = []
    names = {**SECTION_NAMES, **dict(report.spec.sections(report))}
    required = report.spec.required_sections
    filled = {i.section for i in items if i.body.strip() or i.heading.strip()}
    if S.JUDGEMENT in required and S.JUDGEMENT not in filled:
        problems.append(Problem(ERROR, "缺少总体研判结论", names[S.JUDGEMENT]))
    for section in names:
        if section in required - {S.JUDGEMENT} | {S.OPENING} and section not in filled:
            problems.append(Problem(ERROR, "该部分没有内容", names[section]))
    for item in items:
        if item.heading.strip() and not item.body.strip() and item.section == S.BASIC:
            where = f"{names[S.BASIC]}“{item.heading.strip()}”"
            problems.append(Problem(WARNING, "只有小标题，没有正文", where))
    return problems
