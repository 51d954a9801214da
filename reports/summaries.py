"""一键汇总 of the kinds beyond the quarterly report (issue 12): 半年分析研判报告,
年度意识形态工作总结, 述职报告 and 网络意识形态工作情况报告.

Each reads the period's records — meetings, findings marked 纳入报告, their
measures and progress — and, for the half-year and the year, the period's
approved quarterly reports. Like `assembly.generate` it reads and writes
nothing else; `assembly.apply` writes. The paragraphs go into the sections of
the kind's skeleton (reports.kinds); all text goes through the same pipeline
(`assembly.as_sentence`, document_text).
"""

import re

from meetings.models import Meeting

from .assembly import (
    CLOSING_TEMPLATES,
    DIMENSION_WORDS,
    Generated,
    as_clause,
    as_clauses,
    as_sentence,
    basic_paragraphs,
    dimension_of,
    done_count,
    facts_sentences,
    judgement_text,
    measure_line,
    meeting_summary,
    problems_and_measures,
    report_findings,
    strip_verb,
    used_meetings,
)
from .choices import ReportKind as Kind
from .choices import Section as S
from .kinds import RESPONSIBILITY, membership_of, propaganda_department
from .models import QuarterlyReport


def generate(report):
    findings = report_findings(report)
    meetings = _meetings(report)
    return {
        Kind.HALF_YEAR: _half_year,
        Kind.ANNUAL: _annual,
        Kind.DUTY: _duty,
        Kind.NETWORK: _network,
    }[report.kind](report, used_meetings(meetings, findings), findings)


def _meetings(report):
    return list(
        Meeting.objects.filter(report.records_q(), organisation=report.organisation)
        .select_related("chair")
        .order_by("date", "pk")
    )


def _measures(findings):
    return [m for f in findings for m in f.measures.all()]


def _progress_counts(measures):
    """共制定整改措施X项，已完成X项、整改中X项、长期坚持X项"""
    counts = {}
    for m in measures:
        counts[m.display_status] = counts.get(m.display_status, 0) + 1
    done = sum(1 for m in measures if m.status in m.DONE_STATUSES)
    parts = [done_count(done, counts)]
    for label in ("整改中", "未开始", "已逾期", "长期坚持"):
        if counts.get(label):
            parts.append(f"{label}{counts[label]}项")
    return f"共制定整改措施{len(measures)}项，" + "、".join(parts)


def _categories(findings):
    """涉及理论学习2项、网络意识形态1项 (in category order)."""
    counts = {}
    for f in findings:
        name = f.category.name if f.category_id else "其他"
        counts[name] = counts.get(name, 0) + 1
    return "、".join(f"{name}{n}项" for name, n in counts.items())


def approved_quarterly(report):
    """The period's approved quarterly reports of the organisation, in quarter order."""
    quarters = [p.quarter for p in report.period.quarters()]
    return list(
        QuarterlyReport.objects.filter(
            organisation_id=report.organisation_id,
            kind=Kind.QUARTERLY,
            year=report.year,
            quarter__in=quarters,
            status=QuarterlyReport.Status.APPROVED,
        ).order_by("quarter")
    )


def _quarterly_sentence(report, findings, who):
    """What the period's quarterly reports say together: how many were approved,
    the problems by category and what was rectified."""
    approved = approved_quarterly(report)
    text = ""
    if approved:
        names = "、".join(r.quarter_name for r in approved)
        text += (
            f"按季度开展意识形态领域分析研判，形成季度分析研判报告{len(approved)}份"
            f"（{names}），均经审核通过。"
        )
    if findings:
        span = report.period.name if report.kind == Kind.HALF_YEAR else "全年"
        text += f"{span}共查摆问题和风险隐患{len(findings)}项，涉及{_categories(findings)}；"
        text += _progress_counts(_measures(findings)) + "。"
    return text and f"{who}{text}"


def _superior_lead(report):
    org = report.organisation
    superior = org.parent.name if org.parent_id else ""
    return f"在{superior}的正确领导下，" if superior else ""


def _rectification(report, findings, period_name):
    """The period's measures: counts, then what is done, open and ongoing."""
    measures = _measures(findings)
    if not measures:
        return []
    out = [
        Generated(
            S.RECTIFICATION,
            "rectification:summary",
            "",
            f"{period_name}{_progress_counts(measures)}。",
        )
    ]
    groups = {"done": [], "open": [], "ongoing": []}
    for m in measures:
        if m.status in m.DONE_STATUSES:
            groups["done"].append(m)
        elif m.status == m.Status.ONGOING or m.long_term:
            groups["ongoing"].append(m)
        else:
            groups["open"].append(m)
    for key, label in (("done", "已完成"), ("open", "尚未完成"), ("ongoing", "长期坚持")):
        if groups[key]:
            lines = "；".join(measure_line(m) for m in groups[key])
            out.append(
                Generated(
                    S.RECTIFICATION,
                    f"rectification:{key}",
                    "",
                    f"{label}{len(groups[key])}项：{lines}。",
                )
            )
    return out


# ---------------------------------------------------------------------------
# 半年分析研判报告
# ---------------------------------------------------------------------------


def _half_year(report, meetings, findings):
    org = report.organisation
    me = org.self_name
    period = report.period
    text = (
        f"{period.label}，{_superior_lead(report)}{org.display_short_name}以习近平新时代中国特色社会主义思想为指导，"
        "坚决落实意识形态工作责任制，抓实意识形态领域各项工作任务。"
    )
    if meetings:
        text += f"{period.name}共召开{meeting_summary(meetings)}。"
    text += f"现将{me}{period.label}意识形态领域分析研判情况报告如下："
    out = [Generated(S.OPENING, "opening", "", text)]
    for g in basic_paragraphs(meetings, me):
        out.append(Generated(g.section, g.key, g.heading, g.body.replace("本季度", period.name)))
    quarterly = _quarterly_sentence(report, findings, me)
    if quarterly:
        out.append(
            Generated(
                S.BASIC, "basic:quarterly", "加强分析研判，抓好问题整改", as_sentence(quarterly)
            )
        )
    judgement = judgement_text(meetings, me)
    if judgement:
        out.append(Generated(S.JUDGEMENT, "judgement", "", judgement))
    out.extend(problems_and_measures(findings))
    out.extend(_rectification(report, findings, period.name))
    closing = CLOSING_TEMPLATES[0].format(self=me)
    if period.half == 1:
        closing = "下半年，" + closing.removeprefix("今后，")  # [000:L88] "下半年,我會將…"
    out.append(Generated(S.CLOSING, "closing", "", closing))
    return out


# ---------------------------------------------------------------------------
# 年度意识形态工作总结 (seed 003)
# ---------------------------------------------------------------------------


def _annual(report, meetings, findings):
    org = report.organisation
    me = org.self_name
    year = report.year
    text = (
        f"{year}年，{_superior_lead(report)}{org.display_short_name}以习近平新时代中国特色社会主义思想为指导，"
        "认真贯彻落实意识形态工作责任制，坚持党管意识形态不动摇，牢牢把握意识形态工作领导权、"
        "管理权、话语权，较好地完成了本年度意识形态工作。"
    )
    if meetings:
        text += f"全年共召开{meeting_summary(meetings)}。"
    text += f"现将{year}年度的意识形态工作开展情况、存在的主要问题和下一步主要打算总结如下："
    out = [Generated(S.OPENING, "opening", "", text)]
    for g in basic_paragraphs(meetings, me):
        out.append(Generated(g.section, g.key, g.heading, g.body.replace("本季度", "全年")))
    quarterly = _quarterly_sentence(report, findings, me)
    out.append(
        Generated(
            S.BASIC,
            "basic:quarterly",
            "加强分析研判，关注意识形态问题和风险点",  # seed 003 四是
            as_sentence(quarterly or f"{me}定期召开会议，对意识形态工作进行分析研判"),
        )
    )
    out.extend(problems_and_measures(findings))
    out.append(Generated(S.CLOSING, "closing", "", CLOSING_TEMPLATES[0].format(self=me)))
    return out


# ---------------------------------------------------------------------------
# 落实意识形态工作责任制述职报告 (seed 002): the person's own, in the first person
# ---------------------------------------------------------------------------

DUTY_HEADINGS = [  # seed 002's four 履职情况 headings
    "提升思想认识，全面安排意识形态部署",
    "强化组织领导，落实意识形态主体责任",
    "加强理论学习，打牢意识形态思想根基",
    "注重舆论引导，维护网络意识形态安全",
]


FACT_FIELDS = (
    ("study_content", ()),
    ("briefings", ("会议通报了", "通报了", "通报")),
    ("requirements", ("会议要求", "要求")),
)


def _facts(meetings, dimensions):
    """What the meetings studied, briefed and required about the dimensions:
    (studies, briefings, requirements), each without its verb; the sentences
    give the verbs back (`facts_sentences`: 会议通报了… / 会议要求…)."""
    out, seen = ([], [], []), set()
    for m in meetings:
        for gathered, (field, verbs) in zip(out, FACT_FIELDS, strict=True):
            for clause in as_clauses(getattr(m, field)):
                index = 1 if field == "study_content" else dimension_of(clause, 0)
                key = re.sub(r"[\W_]+", "", clause)
                if index in dimensions and key not in seen:
                    seen.add(key)
                    gathered.append(strip_verb(clause, *verbs))
    return out


def _duty(report, meetings, findings):
    org = report.organisation
    person = report.person
    membership = membership_of(person, org) if person else None
    role = membership.party_role if membership else "负责人"
    duty = RESPONSIBILITY.get(membership.party_role if membership else "", "“一岗双责”")
    year = report.year
    department = propaganda_department(org)
    help_ = f"在{department.name}的帮助指导下，" if department else ""
    out = [
        Generated(
            S.OPENING,
            "opening",
            "",
            f"{year}年，{_superior_lead(report)}{help_}我作为{org.name}{role}，"
            f"认真履行意识形态工作{duty}职责，牢牢把握正确的政治方向，始终坚持党管意识形态原则，"
            f"全面落实意识形态工作责任制。现将本人{year}年度落实意识形态工作责任制情况报告如下：",
        )
    ]
    chaired = [m for m in meetings if m.chair_id == person.pk] if person else []
    first = "我始终把做好意识形态工作作为重大政治责任，纳入重要议事日程"
    if chaired:
        first += (
            f"，全年主持召开{meeting_summary(chaired)}，分析研判意识形态领域形势，研究部署整改措施"
        )
    elif meetings:
        first += f"，全年参加{meeting_summary(meetings)}，分析研判意识形态领域形势"
    bodies = ["。".join([first, *facts_sentences(*_facts(meetings, {0}))])]
    second = "我坚持“一把手”带头，把意识形态工作与业务工作同部署、同落实、同检查、同考核"
    quarterly = _quarterly_sentence(report, findings, "")
    if quarterly:
        second += "。我" + quarterly
    bodies.append(second)
    studies, briefings, requirements = _facts(meetings, {1})
    third = "我带头学习习近平新时代中国特色社会主义思想，做到理论学习有制度、有计划、有主题、有记录"
    if studies:
        third += "，全年带领班子成员和党员" + "；".join(studies)
    bodies.append("。".join([third, *facts_sentences([], briefings, requirements)]))
    fourth = "我坚持正确舆论导向，亲自抓网络意识形态安全，严格落实阵地管理制度"
    bodies.append("。".join([fourth, *facts_sentences(*_facts(meetings, {2, 3, 4}))]))
    for index, (heading, body) in enumerate(zip(DUTY_HEADINGS, bodies, strict=True)):
        out.append(Generated(S.BASIC, f"basic:{index}", heading, as_sentence(body)))
    out.extend(problems_and_measures(findings))
    return out


# ---------------------------------------------------------------------------
# 网络意识形态工作情况报告 (seed 004)
# ---------------------------------------------------------------------------

NETWORK_WORDS = DIMENSION_WORDS[0][1]
OPINION_WORDS = ("舆情", "舆论", "谣言", "负面", "热点", "敏感", "评论")
TEAM_WORDS = ("网评员", "通讯员", "信息员", "信息专干", "队伍", "培训", "管理员")
NETWORK_LEADS = {
    S.POSITIONS: "{me}严格落实网络阵地管理制度，网站、微信公众号、工作群等平台明确专人管理，"
    "信息发布实行审核把关",
    S.OPINION: "{me}坚持把网络舆情工作摆在重要位置，注重掌握网上舆论动态，"
    "及时监测、研判、处置网络舆情",
    S.TEAM: "{me}注重网络宣传和网评员、通讯员队伍建设，明确信息发布和舆情报送责任",
}


def _network_meeting(meeting):
    text = " ".join(
        getattr(meeting, f) for f in ("title", "study_content", "briefings", "requirements")
    )
    return any(word in text for word in NETWORK_WORDS)


def _network(report, meetings, findings):
    org = report.organisation
    me = org.self_name
    year = report.year
    with_findings = {f.meeting_id for f in findings}
    network_meetings = [m for m in meetings if _network_meeting(m) or m.pk in with_findings]
    text = (
        f"{year}年，{me}高度重视网络意识形态工作，认真落实网络意识形态工作责任制，"
        "掌控网络意识形态主导权，把握正确的舆论方向。"
    )
    if network_meetings:
        text += f"全年召开研究网络意识形态工作的{meeting_summary(network_meetings)}。"
    text += f"现将{me}{year}年网络意识形态工作开展情况报告如下："
    out = [Generated(S.OPENING, "opening", "", text)]

    facts = {section: ([], [], []) for section in (S.POSITIONS, S.OPINION, S.TEAM)}
    seen = set()
    for m in network_meetings:
        for n, (field, verbs) in enumerate(FACT_FIELDS):
            for clause in as_clauses(getattr(m, field)):
                key = re.sub(r"[\W_]+", "", clause)
                if key in seen:
                    continue
                if any(w in clause for w in TEAM_WORDS):
                    section = S.TEAM
                elif any(w in clause for w in OPINION_WORDS):
                    section = S.OPINION
                elif any(w in clause for w in NETWORK_WORDS):
                    section = S.POSITIONS
                else:
                    continue
                seen.add(key)
                facts[section][n].append(strip_verb(clause, *verbs))
    done = [m for m in _measures(findings) if m.status in m.DONE_STATUSES or m.long_term]
    for section, lead in NETWORK_LEADS.items():
        body = "。".join([lead.format(me=me), *facts_sentences(*facts[section])])
        if section == S.POSITIONS and done:
            body += "。针对发现的问题，" + "；".join(as_clause(m.content) for m in done)
        out.append(Generated(section, f"{section}:summary", "", as_sentence(body)))
    out.extend(problems_and_measures(findings))
    out.append(
        Generated(
            S.CLOSING,
            "closing",
            "",
            f"下一步，{me}将在继续高效开展网络意识形态工作的同时，加强领导，提高思想意识，"
            "加大对网络意识形态工作人员的培训和教育，塑造正确的价值观和舆论导向，"
            "以宣传工作促发展，对网络意识形态工作加强监管，提高网络意识形态工作的思想高度。",
        )
    )
    return out
