"""一键汇总: fill a report from the organisation's records of the quarter.

`generate(report)` computes the AUTO paragraphs (pure: reads the database,
writes nothing); `apply(report, generated)` replaces the report's AUTO items
with them while keeping every MANUAL item, every AUTO item the secretary
edited (which became MANUAL) and every AUTO item the secretary removed.
"""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from meetings.models import Finding, Measure, Meeting, quarter_bounds
from meetings.text import strip_leading_marker, to_fullwidth

from .models import ReportItem

S = ReportItem.Section

ANALYSIS_TYPES = (
    Meeting.MeetingType.ANALYSIS,
    Meeting.MeetingType.JOINT,
    Meeting.MeetingType.CONSULTATION,
)

# domain.md §3.1: the five standard dimensions of 基本情况.
BASIC_HEADINGS = [
    "加强组织领导，强化责任落实",
    "加强理论学习，提升思想认识",
    "加强阵地管理，维护网络意识形态安全",
    "加强舆论引导，做好正面宣传",
    "加强队伍建设，夯实工作基础",
]

# domain.md §4.9, simplified; {self} is the unit's self-reference (我校、我院 …).
CLOSING_TEMPLATES = [
    "今后，{self}将进一步认真学习，贯彻落实意识形态工作责任制。对研判发现的问题，及时采取针对性措施，"
    "梳理抓好意识形态工作的思路，增强忧患意识、政治意识，增强做好意识形态工作的主动意识和主体意识，"
    "进一步建立健全意识形态工作相关规章制度，落实主体责任，做到守土有责、守土尽责。",
    "{self}将在继续高效开展意识形态工作的同时，加强领导，树立楷模，塑造正确的价值观和舆论导向，"
    "以宣传工作促发展，提高党员的思想高度，更好地履职尽责。",
    "下一步工作中，{self}将以习近平新时代中国特色社会主义思想为指引，坚持守正创新，再接再厉，"
    "认真总结，努力做好意识形态各项工作。",
]


@dataclass
class Generated:
    section: str
    key: str
    heading: str
    body: str


def previous_quarter(year, quarter):
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _sentence(text):
    """Trim, normalise punctuation, end with a full stop (unless it ends with ： or similar)."""
    text = to_fullwidth((text or "").strip())
    if text and text[-1] not in "。！？：；…":
        text += "。"
    return text


def _heading(text):
    return to_fullwidth(strip_leading_marker((text or "").strip())).rstrip("。.；;，, ")


def _month_day(date):
    return f"{date.month}月{date.day}日"


def _normalise_title(text):
    return re.sub(r"[\W_]+", "", strip_leading_marker(text or "")).lower()


def generate(report):
    """The AUTO paragraphs for `report`, in order."""
    org = report.organisation
    me = org.self_name
    year, quarter = report.year, report.quarter
    meetings = list(
        Meeting.objects.filter(organisation=org, year=year, quarter=quarter)
        .select_related("chair")
        .order_by("date", "pk")
    )
    analysis = [m for m in meetings if m.meeting_type in ANALYSIS_TYPES]
    findings = list(
        Finding.objects.filter(organisation=org, year=year, quarter=quarter, include_in_report=True)
        .select_related("category")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order", "pk")))
        .order_by("category__order", "meeting__date", "order", "pk")
    )
    out = []
    out.append(Generated(S.OPENING, "opening", "", _opening(report, analysis, me)))
    out.extend(_basic(org, meetings, analysis, me))
    judgement = _judgement(meetings, me)
    if judgement:
        out.append(Generated(S.JUDGEMENT, "judgement", "", judgement))

    seen_titles, seen_measures = set(), set()
    for finding in findings:
        title_key = _normalise_title(finding.title)
        if title_key in seen_titles:  # the same problem raised at two meetings
            continue
        seen_titles.add(title_key)
        out.append(
            Generated(
                S.PROBLEMS,
                f"finding:{finding.pk}",
                _heading(finding.title),
                _sentence(strip_leading_marker(finding.details)),
            )
        )
    for finding in findings:
        for measure in finding.measures.all():
            body = _sentence(strip_leading_marker(measure.content))
            if not body or _normalise_title(body) in seen_measures:
                continue
            seen_measures.add(_normalise_title(body))
            out.append(Generated(S.MEASURES, f"measure:{measure.pk}", "", body))

    out.extend(_rectification(org, year, quarter))
    out.append(Generated(S.CLOSING, "closing", "", CLOSING_TEMPLATES[0].format(self=me)))
    return out


def _opening(report, analysis, me):
    org = report.organisation
    period = f"{report.year}年{report.quarter_name}"
    superior = org.parent.name if org.parent_id else ""
    lead = f"{period}，在{superior}的正确领导下，" if superior else f"{period}，"
    text = (
        f"{lead}{org.display_short_name}以习近平新时代中国特色社会主义思想为指导，"
        "坚决落实意识形态工作责任制，抓实意识形态领域各项工作任务。"
    )
    if analysis:
        dates = "、".join(_month_day(m.date) for m in analysis)
        text += f"本季度共召开意识形态分析研判会议{len(analysis)}次（{dates}）。"
    return text + f"现将{me}{period}意识形态领域分析研判情况报告如下："


def _basic(org, meetings, analysis, me):
    out = []
    parts = []
    if analysis:
        parts.append(
            f"{me}坚持把意识形态工作摆在重要位置，本季度召开意识形态分析研判会议{len(analysis)}次，"
            "分析研判意识形态领域形势，查摆风险隐患，研究部署整改措施。"
        )
    for m in meetings:
        facts = []
        if m.briefings.strip():
            facts.append(_sentence(m.briefings).rstrip("。"))
        if m.requirements.strip():
            facts.append(
                "会议要求：" + _sentence(strip_leading_marker(m.requirements)).rstrip("。")
            )
        if facts:
            parts.append(f"{_month_day(m.date)}召开的{m.title}上，" + "；".join(facts) + "。")
    if parts:
        out.append(Generated(S.BASIC, "basic:organisation", BASIC_HEADINGS[0], "".join(parts)))
    studies = [_sentence(m.study_content).rstrip("。") for m in meetings if m.study_content.strip()]
    if studies:
        body = f"本季度，{me}" + "；".join(studies) + "，进一步统一了思想认识。"
        out.append(Generated(S.BASIC, "basic:study", BASIC_HEADINGS[1], body))
    return out


def _judgement(meetings, me):
    for m in reversed(meetings):
        text = m.judgement_text
        if text:
            if text.startswith("意识形态"):
                text = f"目前{me}" + text
            return "通过研判认为，" + _sentence(text)
    return ""


def _rectification(org, year, quarter):
    """Last quarter's measures and their status now, and every still-open
    measure of an earlier quarter: unresolved findings carry forward."""
    prev_year, prev_quarter = previous_quarter(year, quarter)
    start, _ = quarter_bounds(year, quarter)
    earlier = (
        Measure.objects.filter(finding__organisation=org, finding__raised_on__lt=start)
        .filter(
            Q(finding__year=prev_year, finding__quarter=prev_quarter)
            | Q(status__in=Measure.OPEN_STATUSES)
        )
        .select_related("finding")
        .order_by("finding__raised_on", "finding__order", "order", "pk")
    )
    last_quarter = [
        m for m in earlier if (m.finding.year, m.finding.quarter) == (prev_year, prev_quarter)
    ]
    still_open = [m for m in earlier if m.status in Measure.OPEN_STATUSES]
    out = []
    if last_quarter:
        counts = {}
        for m in last_quarter:
            counts[m.display_status] = counts.get(m.display_status, 0) + 1
        done = counts.get("已完成", 0) + counts.get("已销号", 0)
        parts = [f"已完成{done}项"]
        for label in ("整改中", "未开始", "已逾期", "长期坚持"):
            if counts.get(label):
                parts.append(f"{label}{counts[label]}项")
        out.append(
            Generated(
                S.RECTIFICATION,
                "rectification:summary",
                "",
                f"上季度（{prev_year}年第{'一二三四'[prev_quarter - 1]}季度）共制定整改措施"
                f"{len(last_quarter)}项，" + "、".join(parts) + "。",
            )
        )
    for m in still_open:
        status = m.display_status
        note = f"，{_sentence(m.progress_note).rstrip('。')}" if m.progress_note.strip() else ""
        body = (
            f"关于“{_heading(m.finding.title)}”问题，{_sentence(m.content).rstrip('。')}"
            f"（{m.finding.year}年第{'一二三四'[m.finding.quarter - 1]}季度提出），"
            f"目前{status}{note}。"
        )
        out.append(Generated(S.RECTIFICATION, f"carry:{m.pk}", "", body))
    return out


def apply(report, generated):
    """Replace the AUTO items of `report` with `generated`; return how many were written."""
    existing = list(report.items.all())
    kept_keys = {
        item.source_key
        for item in existing
        if item.source_key and (item.origin == ReportItem.Origin.MANUAL or item.excluded)
    }
    # A paragraph the secretary moved keeps its place when it is regenerated.
    old_order = {
        item.source_key: item.order
        for item in existing
        if item.origin == ReportItem.Origin.AUTO and not item.excluded
    }
    report.items.filter(origin=ReportItem.Origin.AUTO, excluded=False).delete()
    new = []
    position = {}
    for g in generated:
        position[g.section] = position.get(g.section, 0) + 10
        if g.key in kept_keys:
            continue
        new.append(
            ReportItem(
                report=report,
                section=g.section,
                order=old_order.get(g.key, position[g.section]),
                heading=g.heading,
                body=g.body,
                origin=ReportItem.Origin.AUTO,
                source_key=g.key,
            )
        )
    ReportItem.objects.bulk_create(new)
    return len(new)
