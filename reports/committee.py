"""一键汇总 of a committee's own report: what its branches reported.

A 党委/党工委/党总支 reviews the reports of the organisations that report to
it (meetings.access.organisations_reviewed_by). Its own quarterly report also
says how many of them reported (their reports approved for the same quarter),
of how many; the problems those reports cover, by category and risk level;
the typical problems and their measures; and how far rectification has come.

`branch_figures` reads the database with a constant number of queries (the
reviewed set: 2; the branches with their approved report: 1; the reports'
findings and their measures: 2), whatever the number of branches;
`branch_paragraphs` turns the figures into (key, heading, body) paragraphs for
reports.assembly. Neither writes anything.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch

from ideology_review.lib.periods import QUARTER_NAMES
from ideology_review.lib.text import chinese_numeral, document_heading, document_text
from meetings.access import REVIEWING_TYPES, organisations_reviewed_by
from meetings.models import Finding, Measure, Organisation

from .models import QuarterlyReport

RISK_ORDER = [level for level, _ in Finding.RiskLevel.choices]  # 高, 中, 低
TYPICAL = 3  # typical problems named in the report

HEADING_REPORTING = "加强对所属党组织的督促指导，压实分析研判责任"
HEADING_TYPICAL = "掌握基层意识形态动态，推动问题整改落实"


@dataclass
class BranchFigures:
    should: list = field(default_factory=list)  # organisations that report here
    reported: list = field(default_factory=list)  # …with an approved report of the quarter
    findings: list = field(default_factory=list)  # the approved reports' findings
    categories: list = field(default_factory=list)  # [(category name, n)], by category order
    levels: list = field(default_factory=list)  # [(risk level, n)] for 高, 中, 低 (n > 0)
    measures: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    ongoing: int = 0
    overdue: int = 0

    @property
    def missing(self):
        return [org for org in self.should if org not in self.reported]

    @property
    def rate(self):
        """整改完成率 in per cent, one decimal (None without measures)."""
        return round(100 * self.done / self.measures, 1) if self.measures else None


def reviews_branches(organisation):
    """Whether the organisation is of a kind that reviews branches at all (no query)."""
    return organisation.org_type in REVIEWING_TYPES


def branch_figures(report):
    """The figures of the branches reporting to the report's organisation, for its quarter."""
    committee = report.organisation
    reviewed = organisations_reviewed_by([committee]) - {committee.pk}
    figures = BranchFigures()
    if not reviewed:
        return figures
    approved = QuarterlyReport.objects.filter(
        organisation=OuterRef("pk"),
        year=report.year,
        quarter=report.quarter,
        status=QuarterlyReport.Status.APPROVED,
    )
    figures.should = list(
        Organisation.objects.filter(pk__in=reviewed, must_report=True)
        .annotate(approved=Exists(approved))
        .order_by("path")
    )
    figures.reported = [org for org in figures.should if org.approved]
    if not figures.reported:
        return figures
    # What an approved report covers: Finding.objects.for_report, for each of them at once.
    figures.findings = list(
        Finding.objects.filter(
            organisation__in=[org.pk for org in figures.reported],
            year=report.year,
            quarter=report.quarter,
            include_in_report=True,
        )
        .select_related("category", "organisation")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("order", "pk")))
        .order_by("category__order", "organisation__path", "order", "pk")
    )
    categories, levels = {}, {}
    for finding in figures.findings:
        categories[finding.category.name] = categories.get(finding.category.name, 0) + 1
        levels[finding.risk_level] = levels.get(finding.risk_level, 0) + 1
        for measure in finding.measures.all():
            figures.measures += 1
            if measure.status in Measure.DONE_STATUSES:
                figures.done += 1
            elif measure.status == Measure.Status.ONGOING or measure.long_term:
                figures.ongoing += 1
            else:
                if measure.status == Measure.Status.NOT_STARTED:
                    figures.not_started += 1
                else:
                    figures.in_progress += 1
                figures.overdue += measure.is_overdue
    figures.categories = list(categories.items())  # findings are in category order
    figures.levels = [(level, levels[level]) for level in RISK_ORDER if levels.get(level)]
    return figures


def typical_problems(findings, limit=TYPICAL):
    """The problems to name: the highest risk first, one per category, then by
    category order; the same problem raised by two branches is named once."""
    ranked = sorted(
        findings,
        key=lambda f: (RISK_ORDER.index(f.risk_level), f.category.order, f.organisation.path),
    )
    chosen, categories, titles = [], set(), set()
    for finding in ranked:
        title = re.sub(r"[\W_]+", "", document_heading(finding.title))
        if finding.category_id in categories or title in titles:
            continue
        categories.add(finding.category_id)
        titles.add(title)
        chosen.append(finding)
        if len(chosen) == limit:
            break
    return chosen


def _inner_quotes(text):
    """Quotes inside a quotation become single quotes: “……‘一岗双责’……”."""
    return text.replace("“", "‘").replace("”", "’")


def as_clause(text):
    return document_text(text).replace("\n", "").rstrip("。；;，, ")


def branch_paragraphs(report):
    """[(source key, heading, body)] for the committee's 基本情况; [] for an
    organisation no branch reports to."""
    if not reviews_branches(report.organisation):
        return []
    figures = branch_figures(report)
    if not figures.should:
        return []
    committee = report.organisation.display_short_name
    period = f"{report.year}年{QUARTER_NAMES[report.quarter]}"
    names = "、".join(org.display_short_name for org in figures.reported)
    text = (
        f"{committee}把所属党组织的季度分析研判纳入日常督促指导。{period}，"
        f"应报送季度分析研判报告的所属党组织{len(figures.should)}个，"
        f"已报送并经{committee}审核通过{len(figures.reported)}个"
    )
    text += f"（{names}）" if names else ""
    if figures.missing:
        missing = "、".join(org.display_short_name for org in figures.missing)
        text += f"，尚未报送或尚未审核通过{len(figures.missing)}个（{missing}）"
    text += "。"
    if figures.findings:
        categories = "、".join(f"{name}{n}项" for name, n in figures.categories)
        levels = "、".join(f"{level}风险{n}项" for level, n in figures.levels)
        text += (
            f"各党组织报告共查摆问题和风险隐患{len(figures.findings)}项，"
            f"按类别分：{categories}；按风险等级分：{levels}。"
        )
    out = [("branches:reporting", HEADING_REPORTING, text)]
    if not figures.findings:
        return out

    lines = []
    for n, finding in enumerate(typical_problems(figures.findings), start=1):
        line = (
            f"{chinese_numeral(n)}是{finding.organisation.display_short_name}"
            f"查摆的“{_inner_quotes(document_heading(finding.title))}”问题"
        )
        first = next(iter(finding.measures.all()), None)
        if first is not None and as_clause(first.content):
            line += f"，整改措施为{_inner_quotes(as_clause(first.content))}"
        lines.append(line)
    text = "从各党组织报告看，典型问题主要有：" + "；".join(lines) + "。"
    if figures.measures:
        parts = [f"已完成{figures.done}项"]
        if figures.in_progress:
            parts.append(f"整改中{figures.in_progress}项")
        if figures.not_started:
            parts.append(f"未开始{figures.not_started}项")
        if figures.ongoing:
            parts.append(f"长期坚持{figures.ongoing}项")
        text += (
            f"各党组织共制定整改措施{figures.measures}项，" + "、".join(parts) + "，"
            f"整改完成率{figures.rate:g}%"
        )
        if figures.overdue:
            text += f"；其中逾期未完成{figures.overdue}项，{committee}已督促限期整改"
        text += "。"
    out.append(("branches:typical", HEADING_TYPICAL, text))
    return out
