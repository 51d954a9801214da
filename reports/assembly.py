"""一键汇总: fill a report from the organisation's records of the quarter.

`generate(report)` computes the AUTO paragraphs (pure: reads the database,
writes nothing); `apply(report, generated)` replaces the report's AUTO items
with them while keeping every MANUAL item, every AUTO item the secretary
edited (which became MANUAL) and every AUTO item the secretary removed.
"""

import re
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db.models import Prefetch, Q

from ideology_review.lib.periods import Period
from ideology_review.lib.text import (
    chinese_numeral,
    document_heading,
    document_text,
    strip_leading_marker,
)
from meetings.models import Finding, Measure, Meeting

from . import committee
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


def as_sentence(text, *, paragraphs=False):
    """Document text (simplified, tidied, no typed numbering) ending with a full
    stop; one line unless `paragraphs` keeps the text's paragraphs (one a line)."""
    text = document_text(text)
    if not paragraphs:
        text = text.replace("\n", "")
    if text and text[-1] not in "。！？：；…”":
        text += "。"
    return text


def as_clause(text):
    """A clause to join into a sentence: no closing punctuation."""
    return as_sentence(text).rstrip("。；;，,")


def _heading(text):
    return document_heading(text)


def _month_day(date):
    return f"{date.month}月{date.day}日"


def _normalise_title(text):
    return re.sub(r"[\W_]+", "", document_heading(text or "")).lower()


def report_findings(report):
    """The report's findings in report order (category, meeting date, order):
    the one order of the body's problems and of the 台账."""
    return list(
        Finding.objects.for_report(report)
        .select_related("category", "meeting")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.select_related("responsible_person").order_by(
                    "order", "pk"
                ),
            )
        )
        .order_by("category__order", "meeting__date", "order", "pk")
    )


def generate(report):
    """The AUTO paragraphs of a quarterly report, in order (reports.summaries
    assembles the other kinds from the same pieces)."""
    if not report.is_quarterly:
        raise ValueError("reports.summaries assembles the other kinds of report")
    org = report.organisation
    me = org.self_name
    year, quarter = report.year, report.quarter
    meetings = list(
        Meeting.objects.filter(organisation=org, year=year, quarter=quarter)
        .select_related("chair")
        .order_by("date", "pk")
    )
    findings = report_findings(report)
    used = used_meetings(meetings, findings)
    out = []
    out.append(Generated(S.OPENING, "opening", "", _opening(report, used, me)))
    out.extend(basic_paragraphs(used, me))
    # A committee's report also says what the branches reporting to it reported.
    out.extend(Generated(S.BASIC, *paragraph) for paragraph in committee.branch_paragraphs(report))
    judgement = judgement_text(used, me)
    if judgement:
        out.append(Generated(S.JUDGEMENT, "judgement", "", judgement))

    out.extend(problems_and_measures(findings))

    out.extend(_rectification(org, year, quarter))
    out.append(Generated(S.CLOSING, "closing", "", CLOSING_TEMPLATES[0].format(self=me)))
    return out


def problems_and_measures(findings):
    """存在的问题 (one paragraph a problem, the same title raised at two meetings
    once) and 整改措施 (each measure once), in report order."""
    out = []
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
                as_sentence(finding.details, paragraphs=True),
            )
        )
    for finding in findings:
        for measure in finding.measures.all():
            body = as_sentence(measure.content, paragraphs=True)
            if not body or _normalise_title(body) in seen_measures:
                continue
            seen_measures.add(_normalise_title(body))
            out.append(Generated(S.MEASURES, f"measure:{measure.pk}", "", body))
    return out


def _has_content(meeting):
    return any(
        getattr(meeting, name).strip()
        for name in ("study_content", "briefings", "requirements", "judgement_detail")
    ) or bool(meeting.judgement)


def used_meetings(meetings, findings):
    """The meetings whose content the report uses: an analysis meeting always
    (it is what the quarter reports on), any other meeting when something of it
    (study, briefings, requirements, judgement, a finding) goes into the report."""
    with_findings = {f.meeting_id for f in findings}
    return [
        m
        for m in meetings
        if m.meeting_type in ANALYSIS_TYPES or _has_content(m) or m.pk in with_findings
    ]


def meeting_summary(meetings):
    """意识形态分析研判会议2次、意识形态工作专题会议1次（7月15日、8月20日、9月20日）"""
    counts = {}
    for m in meetings:
        label = str(m.get_meeting_type_display())
        if not label.endswith(("会", "会议", "学习")):
            label += "会"  # 会商研判 → 会商研判会
        counts[label] = counts.get(label, 0) + 1
    kinds = "、".join(f"{label}{n}次" for label, n in counts.items())
    return f"{kinds}（{'、'.join(_month_day(m.date) for m in meetings)}）"


def _opening(report, meetings, me):
    org = report.organisation
    period = f"{report.year}年{report.quarter_name}"
    superior = org.parent.name if org.parent_id else ""
    lead = f"{period}，在{superior}的正确领导下，" if superior else f"{period}，"
    text = (
        f"{lead}{org.display_short_name}以习近平新时代中国特色社会主义思想为指导，"
        "坚决落实意识形态工作责任制，抓实意识形态领域各项工作任务。"
    )
    if meetings:
        text += f"本季度共召开{meeting_summary(meetings)}。"
    return text + f"现将{me}{period}意识形态领域分析研判情况报告如下："


# domain.md §3.1: what each of the five dimensions is about, by the words its facts use.
# Checked in this order; the first that matches takes the fact.
DIMENSION_WORDS = [
    (
        2,
        (
            "网络",
            "网站",
            "微信",
            "公众号",
            "工作群",
            "QQ",
            "微博",
            "抖音",
            "舆情",
            "阵地",
            "宣传栏",
            "电子屏",
            "新媒体",
            "信息发布",
            "三审三校",
            "网上",
        ),
    ),
    (4, ("队伍", "培训", "通讯员", "网评员", "宣传员", "信息员", "骨干", "人才")),
    (3, ("宣传", "舆论", "宣讲", "正面", "典型", "报道", "氛围")),
    (1, ("学习", "传达", "讲话", "精神", "《", "理论", "中心组", "党课")),
]
# The themed lead sentence of each dimension; {me} is the unit (我校、我院 …).
DIMENSION_LEADS = [
    "{me}坚持把意识形态工作摆在重要位置，本季度召开{meetings}，分析研判意识形态领域形势，"
    "查摆风险隐患，研究部署整改措施",
    "{me}把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务",
    "{me}严格落实意识形态阵地管理制度",
    "{me}坚持团结稳定鼓劲、正面宣传为主",
    "{me}注重意识形态工作队伍建设",
]


def dimension_of(text, default):
    for index, words in DIMENSION_WORDS:
        if any(word in text for word in words):
            return index
    return default


def as_clauses(text):
    """A field's text split into its statements (sentences, list items)."""
    text = document_text(text)
    for piece in re.split(r"[。；;\n]", text):
        piece = strip_leading_marker(piece.strip()).strip("，,：: ")
        if len(piece) >= 2:
            yield piece


def strip_verb(clause, *verbs):
    for verb in verbs:
        if clause.startswith(verb):
            return clause[len(verb) :].lstrip("：:，, ")
    return clause


def facts_sentences(studies, briefings, requirements):
    """What one dimension gathered, as sentences with their verbs: 会议通报了…；
    会议要求：一是…；二是…"""
    sentences = list(studies)
    if briefings:
        sentences.append("会议通报了" + "；".join(briefings))
    if len(requirements) == 1:
        sentences.append("会议要求" + requirements[0])
    elif requirements:
        items = (f"{chinese_numeral(n)}是{text}" for n, text in enumerate(requirements, start=1))
        sentences.append("会议要求：" + "；".join(items))
    return sentences


def basic_paragraphs(meetings, me):
    """基本情况 under the five dimensions' lead sentences, from what was studied,
    briefed and required across the quarter's meetings."""
    facts = [{"study": [], "briefing": [], "requirement": []} for _ in DIMENSION_LEADS]
    seen = set()

    def add(index, kind, clause):
        key = re.sub(r"[\W_]+", "", clause)
        if key not in seen:
            seen.add(key)
            facts[index][kind].append(clause)

    for m in meetings:
        for clause in as_clauses(m.study_content):
            add(1, "study", clause)  # what was studied is 理论学习, whatever its subject
        for clause in as_clauses(m.briefings):
            add(
                dimension_of(clause, 0),
                "briefing",
                strip_verb(clause, "会议通报了", "通报了", "通报"),
            )
        for clause in as_clauses(m.requirements):
            add(dimension_of(clause, 0), "requirement", strip_verb(clause, "会议要求", "要求"))
    out = []
    for index, heading in enumerate(BASIC_HEADINGS):
        gathered = facts[index]
        sentences = facts_sentences(
            gathered["study"], gathered["briefing"], gathered["requirement"]
        )
        if not sentences and not (index == 0 and meetings):
            continue
        if index == 0:
            lead = (
                DIMENSION_LEADS[0].format(me=me, meetings=meeting_summary(meetings))
                if meetings
                else f"{me}坚持把意识形态工作摆在重要位置"
            )
            body = "。".join([lead, *sentences])
        else:
            body = DIMENSION_LEADS[index].format(me=me) + "，" + "；".join(sentences)
        out.append(Generated(S.BASIC, f"basic:{index}", heading, as_sentence(body)))
    return out


def judgement_text(meetings, me):
    """通过研判认为，目前{me}{结论}，{补充说明}。: the latest meeting that has one."""
    for m in reversed(meetings):
        parts = []
        if m.judgement and m.judgement != Meeting.Judgement.OTHER:
            label = str(m.get_judgement_display())
            parts.append(f"目前{me}" + label if label.startswith("意识形态") else label)
        detail = as_clause(m.judgement_detail)
        if detail:
            parts.append(detail.replace("。", "，"))
        if parts:
            return "通过研判认为，" + as_sentence("，".join(parts))
    return ""


def done_count(done, counts):
    """已完成X项（其中已销号X项、待销号X项）: 已完成 counts what the owners
    finished; of it, what was verified and what still awaits 销号 is said
    apart (`counts`: display status → number of measures)."""
    verified = "、".join(f"{s}{counts[s]}项" for s in ("已销号", "待销号") if counts.get(s))
    return f"已完成{done}项" + (f"（其中{verified}）" if verified else "")


def measure_line(m):
    note = as_clause(m.progress_note)
    return f"关于“{_heading(m.finding.title)}”问题，{as_clause(m.content)}" + (
        f"（{m.display_status}，{note}）" if note else f"（{m.display_status}）"
    )


def _rectification(org, year, quarter):
    """上季度整改落实情况: every measure of the previous quarter, what was
    completed and what is open; and, under a heading of its own, every
    still-open measure of an earlier quarter (unresolved findings carry forward)."""
    previous = Period(year, quarter).previous()
    prev_year, prev_quarter = previous.year, previous.quarter
    start, _ = previous.bounds()
    measures = (
        Measure.objects.filter(finding__organisation=org)
        .filter(
            Q(finding__year=prev_year, finding__quarter=prev_quarter)
            | Q(finding__raised_on__lt=start, status__in=Measure.OPEN_STATUSES)
        )
        .select_related("finding")
        .order_by("finding__raised_on", "finding__order", "order", "pk")
    )
    last_quarter, older = [], []
    for m in measures:
        if (m.finding.year, m.finding.quarter) == (prev_year, prev_quarter):
            last_quarter.append(m)
        else:
            older.append(m)
    out = []
    if last_quarter:
        counts = {}
        for m in last_quarter:
            counts[m.display_status] = counts.get(m.display_status, 0) + 1
        groups = {"done": [], "open": [], "ongoing": []}
        for m in last_quarter:
            if m.status in Measure.DONE_STATUSES:
                groups["done"].append(m)
            elif m.status == Measure.Status.ONGOING or m.long_term:
                groups["ongoing"].append(m)
            else:
                groups["open"].append(m)
        parts = [done_count(len(groups["done"]), counts)]
        for label in ("整改中", "未开始", "已逾期", "长期坚持"):
            if counts.get(label):
                parts.append(f"{label}{counts[label]}项")
        out.append(
            Generated(
                S.RECTIFICATION,
                "rectification:summary",
                "",
                f"上季度（{previous.label}）共制定整改措施"
                f"{len(last_quarter)}项，" + "、".join(parts) + "。",
            )
        )
        for key, label in (("done", "已完成"), ("open", "尚未完成"), ("ongoing", "长期坚持")):
            if groups[key]:
                lines = "；".join(measure_line(m) for m in groups[key])
                body = f"{label}{len(groups[key])}项：{lines}。"
                out.append(Generated(S.RECTIFICATION, f"rectification:{key}", "", body))
    for m in older:
        body = f"{measure_line(m)}，该问题于{Period(m.finding.year, m.finding.quarter).label}提出。"
        out.append(Generated(S.CARRIED, f"carry:{m.pk}", "", body))
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
    # The automatic paragraphs are replaced wholesale, as they are written
    # (bulk_create): the assembly's one audit row (services.report_assemble)
    # stands for both, not a row per paragraph deleted (~40 ms for 120).
    with disable_auditlog():
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
