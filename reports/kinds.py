"""The kinds of report (issue 12): each kind's title rule, addressee, 落款,
section skeleton and lead-ins. The workflow, checks, text pipeline and renderer
are shared; `reports.content` numbers the parts of a kind's skeleton, the edit
page lists its sections, and `reports.summaries` assembles the kinds other than
the quarterly report (which `reports.assembly` assembles).

Skeletons follow the seeds: 年度意识形态工作总结 seed 003, 述职报告 seed 002,
网络意识形态工作 seed 004, 半年分析研判报告 domain.md §3.4.
"""

from dataclasses import dataclass, field

from meetings.models import Membership, Organisation

from .choices import ReportKind as Kind
from .choices import Section as S

PAREN, SHI, PLAIN = "paren", "shi", "plain"  # （一）… or 一是…, or unnumbered paragraphs


@dataclass(frozen=True)
class Part:
    """One numbered part (一、…): its heading and the sections it prints, in order.
    The heading may name the period: {name} (上半年) and {next} (下半年)."""

    title: str
    sections: tuple
    required: bool = True
    marker: str = PAREN


@dataclass(frozen=True)
class Spec:
    kind: str
    parts: tuple
    # The sentence before the measures; {self} the unit (or 我), {count} 三 / 两 …
    measures_lead: str = ""
    # The labels of the edit page's sections where they differ from the part titles.
    labels: dict = field(default_factory=dict)

    @property
    def label(self):
        return Kind(self.kind).label

    def sections(self, report=None):
        """(section, label) in the order of the skeleton, 导语 first, 结束语 last."""
        out = [(S.OPENING, str(S.OPENING.label))]
        for part in self.parts:
            for section in part.sections:
                label = self.labels.get(section) or (
                    part.title if len(part.sections) == 1 else str(section.label)
                )
                out.append((section, self.format(label, report)))
        out.append((S.CLOSING, str(S.CLOSING.label)))
        return out

    def part_title(self, part, report):
        return self.format(part.title, report)

    @staticmethod
    def format(text, report):
        if report is None or "{" not in text:
            return text
        half = getattr(report.period, "half", 1)
        return text.format(name=report.period.name, next="下半年" if half == 1 else "下一步")

    @property
    def required_sections(self):
        return {s for part in self.parts if part.required for s in part.sections}


QUARTERLY = Spec(
    Kind.QUARTERLY,
    (
        Part("基本情况", (S.BASIC,)),
        Part("总体研判", (S.JUDGEMENT,)),
        Part("存在的问题和风险隐患", (S.PROBLEMS,)),
        Part("下一步工作措施", (S.MEASURES,)),
        Part("上季度整改落实情况", (S.RECTIFICATION,), required=False),
        Part("以前季度未完成的整改事项", (S.CARRIED,), required=False),
    ),
    measures_lead="针对上述问题，{self}将重点从以下{count}个方面努力：",
)

# domain.md §3.4 and the 科协 half-year report [000:L67–88]: 上半年工作开展情况 /
# 主要存在的风险和隐患 / 下半年 …, with the quarterly report's 总体研判 and 整改落实.
HALF_YEAR = Spec(
    Kind.HALF_YEAR,
    (
        Part("{name}意识形态工作开展情况", (S.BASIC,)),
        Part("总体研判", (S.JUDGEMENT,)),
        Part("主要存在的风险和隐患", (S.PROBLEMS,)),
        Part("{next}工作打算", (S.MEASURES,)),
        Part("{name}整改落实情况", (S.RECTIFICATION,), required=False),
    ),
    measures_lead="针对上述问题，{self}将重点从以下{count}个方面努力：",
)

# Seed 003: 一、年度意识形态工作开展情况 / 二、当前意识形态方面存在的主要问题 /
# 三、下一步意识形态工作的主要打算, 一是 … in all three (no （一） in its body).
ANNUAL = Spec(
    Kind.ANNUAL,
    (
        Part("年度意识形态工作开展情况", (S.BASIC,), marker=SHI),
        Part("当前意识形态方面存在的主要问题", (S.PROBLEMS,), marker=SHI),
        Part("下一步意识形态工作的主要打算", (S.MEASURES,), marker=SHI),
    ),
)

# Seed 002: 一、履职情况 （一）… / 二、主要问题 一是… / 三、下步打算 （一）…
DUTY = Spec(
    Kind.DUTY,
    (
        Part("履职情况", (S.BASIC,)),
        Part("主要问题", (S.PROBLEMS,), marker=SHI),
        Part("下步打算", (S.MEASURES,)),
    ),
)

# Seed 004: 阵地管理, 舆情处置, 网评员/通讯员队伍, then the problems and what
# will be done about them ("同时，也存在着一些问题和不足…重点从以下四个方面努力").
# The three parts of work done are paragraphs of narrative, unnumbered as in 篇一.
NETWORK = Spec(
    Kind.NETWORK,
    (
        Part("网络阵地管理情况", (S.POSITIONS,), marker=PLAIN),
        Part("网络舆情处置情况", (S.OPINION,), marker=PLAIN),
        Part("网评员、通讯员队伍建设情况", (S.TEAM,), marker=PLAIN),
        Part("存在的问题和下一步措施", (S.PROBLEMS, S.MEASURES)),
    ),
    measures_lead="针对上述问题，{self}将重点从以下{count}个方面努力：",
    labels={S.PROBLEMS: "存在的问题", S.MEASURES: "下一步措施"},
)

SPECS = {spec.kind: spec for spec in (QUARTERLY, HALF_YEAR, ANNUAL, DUTY, NETWORK)}


def spec_of(kind):
    return SPECS[kind]


# ---------------------------------------------------------------------------
# Titles, addressees, 落款
# ---------------------------------------------------------------------------


def _formal(organisation):
    name = organisation.name
    return name if name.startswith("中共") else "中共" + name


def default_title(kind, organisation, period):
    """发文机关 + 关于 + 事由 + 文种 (GB/T 9704), or the seeds' own titles."""
    name = _formal(organisation)
    if kind in (Kind.QUARTERLY, Kind.HALF_YEAR):
        return f"{name}关于{period.label}意识形态领域分析研判情况的报告"
    if kind == Kind.ANNUAL:
        return f"{name}{period.year}年度意识形态工作总结"  # seed 003
    if kind == Kind.DUTY:
        return f"{period.year}年度落实意识形态工作责任制述职报告"  # seed 002
    return f"{name}关于{period.year}年网络意识形态工作开展情况的报告"


def propaganda_department(organisation):
    """The 宣传部 of the nearest committee above (述职报告 "报送党委宣传部" [000:L344])."""
    node = organisation.parent
    while node is not None:
        department = node.children.filter(org_type=Organisation.OrgType.PROPAGANDA).first()
        if department is not None:
            return department
        node = node.parent
    return None


def default_addressee(kind, organisation):
    """The superior committee; a 述职报告 and a network report go to its 宣传部."""
    if kind in (Kind.DUTY, Kind.NETWORK):
        department = propaganda_department(organisation)
        if department is not None:
            return department.name
    return organisation.parent.name if organisation.parent_id else ""


OFFICE_HOLDERS = (
    Membership.PartyRole.SECRETARY,
    Membership.PartyRole.DEPUTY,
    Membership.PartyRole.ORGANISATION,
    Membership.PartyRole.PUBLICITY,
    Membership.PartyRole.DISCIPLINE,
    Membership.PartyRole.COMMITTEE,
)
# 第一责任人, 直接责任人, the others 一岗双责 (domain.md §2.2).
RESPONSIBILITY = {
    Membership.PartyRole.SECRETARY: "第一责任人",
    Membership.PartyRole.DEPUTY: "直接责任人",
}


def office_holders(organisation):
    """The memberships whose holders write a 述职报告: 书记, 副书记, 委员 …"""
    return (
        Membership.objects.filter(organisation=organisation, party_role__in=OFFICE_HOLDERS)
        .select_related("person")
        .order_by("pk")
    )


def membership_of(person, organisation):
    return Membership.objects.filter(person=person, organisation=organisation).first()


def post_title(membership):
    """党支部书记、校长 — the party post before the office, once (镇党委书记 stays as it is)."""
    org_type = membership.organisation.org_type
    unit = "党支部" if org_type == Organisation.OrgType.BRANCH else org_type
    party = f"{unit}{membership.party_role}"
    post = membership.post.strip()
    if not post:
        return party
    if membership.party_role in post:
        return post
    return f"{party}、{post}"


def default_signatory(kind, organisation, person=None):
    """The organisation; a 述职报告 is signed by its person: 职务 + 姓名."""
    if kind == Kind.DUTY and person is not None:
        membership = membership_of(person, organisation)
        title = post_title(membership) if membership else ""
        return f"{title}{person.name}" if title else person.name  # post before name (§2.2)
    return organisation.name
