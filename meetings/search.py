"""搜索: meetings, findings, measures and reports in the user's scope.

Every row comes through `for_user` (meetings.access), so another branch's
records never appear and a reviewer searches their committee's tree. Each
group runs a count and one page of rows (the reports one more, for their
matching paragraphs): the number of queries does not grow with the matches.

The match is `icontains`: on PostgreSQL `UPPER(field::text) LIKE UPPER(%s)`,
which the trigram indexes of meetings 0008 (built on `UPPER(field)`) serve
for a substring of three or more characters; on SQLite a plain LIKE.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from ideology_review.lib.text import simplify
from reports.models import QuarterlyReport, ReportItem

from .access import get_scope
from .models import Finding, Measure, Meeting

QUERY_MAX_LENGTH = 50
SNIPPET_WIDTH = 30  # characters shown either side of the match
PREVIEW_SIZE = 5  # rows per group on the overview; 更多 opens the group, paginated
PAGE_SIZE = 20
FIELDS_SHOWN = 3  # matched fields shown per row

EMPTY = "请输入搜索词。"
CONTROL = "搜索词含有无法识别的控制字符，请重新输入。"
TOO_LONG = f"搜索词过长，只按前{QUERY_MAX_LENGTH}个字搜索。"


@dataclass
class Query:
    text: str = ""  # what is searched for, as shown (simplified)
    terms: tuple = ()  # the simplified text, and the input as typed when it differs
    message: str = ""  # why nothing (or less) was searched for


def normalise_query(raw):
    """The search words from the input: spaces collapsed, at most
    QUERY_MAX_LENGTH characters, 繁体 converted to 简体 (a record typed in
    繁体 is still found by its own script). Control characters are refused
    (PostgreSQL cannot even hold a NUL), as is an empty query."""
    if raw is None:
        return Query()
    if any(
        unicodedata.category(char) in ("Cc", "Cs") and not char.isspace() for char in raw
    ) or any(char in "\ufffe\uffff" for char in raw):
        return Query(message=CONTROL)
    text = " ".join(raw.split())
    if not text:
        return Query(message=EMPTY)
    message = ""
    if len(text) > QUERY_MAX_LENGTH:
        text, message = text[:QUERY_MAX_LENGTH].rstrip(), TOO_LONG
    simplified = simplify(text)[0]
    terms = (simplified,) if simplified == text else (simplified, text)
    return Query(text=simplified, terms=terms, message=message)


def matching(fields, terms, prefix=""):
    """A Q: any of the fields contains any of the terms."""
    q = Q()
    for name in fields:
        for term in terms:
            q |= Q(**{f"{prefix}{name}__icontains": term})
    return q


def _pattern(terms):
    # The longest term first, so that the whole of it is marked.
    alternatives = sorted(set(terms), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in alternatives), re.IGNORECASE)


def highlight(text, terms, width=SNIPPET_WIDTH):
    """The text around the first match, every match in it in <mark>, the rest
    escaped; None when the text does not contain a term. `width=None` keeps
    the whole text (a title)."""
    text = " ".join((text or "").split())
    pattern = _pattern(terms)
    first = pattern.search(text)
    if first is None:
        return None
    if width is None:
        start, end = 0, len(text)
    else:
        start, end = max(0, first.start() - width), min(len(text), first.end() + width)
    parts = ["…" if start else ""]
    last = start
    for match in pattern.finditer(text, start, end):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html("<mark>{}</mark>", match.group()))
        last = match.end()
    parts.append(escape(text[last:end]))
    parts.append("…" if end < len(text) else "")
    # Every part is escaped or built by format_html: the join is safe.
    return mark_safe("".join(parts))


@dataclass
class Snippet:
    label: str
    html: str


@dataclass
class Hit:
    title: str  # highlighted when the title matched, else escaped
    url: str
    meta: str
    matched: list = field(default_factory=list)  # labels of the fields that matched
    snippets: list = field(default_factory=list)


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def _hit(obj, model, title_field, fields, terms, *, url, meta, extra=()):
    """A result row: the title (marked if it matched), the labels of the
    matching fields and a snippet of each (the title's is the title itself)."""
    title = getattr(obj, title_field)
    marked = highlight(title, terms, width=None)
    hit = Hit(title=marked or escape(title), url=url, meta=meta)
    if marked:
        hit.matched.append(_label(model, title_field))
    found = [(_label(model, name), getattr(obj, name)) for name in fields]
    for label, text in [*found, *extra]:
        html = highlight(text, terms)
        if html:
            hit.matched.append(label)
            if len(hit.snippets) < FIELDS_SHOWN:
                hit.snippets.append(Snippet(label, html))
    hit.matched = list(dict.fromkeys(hit.matched))  # a report's paragraphs share labels
    return hit


# ---------------------------------------------------------------------------
# The groups: what each searches, in which order, and how a row is shown
# ---------------------------------------------------------------------------

MEETING_FIELDS = (
    "study_content",
    "briefings",
    "statements",
    "judgement_detail",
    "requirements",
    "concluding_speech",
)
FINDING_FIELDS = ("details", "cause")
MEASURE_FIELDS = ("content", "progress_note")
ITEM_FIELDS = ("heading", "body")
# Every field searched needs its trigram index (meetings 0008, INDEXED): a
# single field without one turns the OR of all of them into a sequential scan.


def _meetings(user, terms):
    return (
        Meeting.objects.for_user(user)
        .filter(matching(("title", *MEETING_FIELDS), terms))
        .select_related("organisation")
        .order_by("-date", "-pk")
    )


def _meeting_hit(meeting, terms):
    day = meeting.date
    meta = f"{meeting.organisation.display_short_name} · {day.year}年{day.month}月{day.day}日"
    return _hit(
        meeting,
        Meeting,
        "title",
        MEETING_FIELDS,
        terms,
        url=meeting.get_absolute_url(),
        meta=meta,
    )


def _findings(user, terms):
    return (
        Finding.objects.for_user(user)
        .filter(matching(("title", *FINDING_FIELDS), terms))
        .select_related("organisation", "category")
        .order_by("-raised_on", "-pk")
    )


def _finding_hit(finding, terms):
    meta = (
        f"{finding.organisation.display_short_name} · {finding.year}年"
        f"{finding.get_quarter_display()} · {finding.category}"
    )
    return _hit(
        finding,
        Finding,
        "title",
        FINDING_FIELDS,
        terms,
        url=finding.get_absolute_url(),
        meta=meta,
    )


def _measures(user, terms):
    return (
        Measure.objects.for_user(user)
        .filter(matching(MEASURE_FIELDS, terms))
        .select_related("finding__organisation")
        .order_by("-finding__raised_on", "-pk")
    )


def _measure_hit(measure, terms):
    finding = measure.finding
    meta = f"{finding.organisation.display_short_name} · 问题：{finding.title}"
    hit = _hit(
        measure,
        Measure,
        "content",
        MEASURE_FIELDS[1:],
        terms,
        url=f"{finding.get_absolute_url()}#measure-{measure.pk}",
        meta=meta,
    )
    if hit.matched[:1] == [_label(Measure, "content")]:
        # A measure's text is long: its title is the snippet around the match.
        hit.title = highlight(measure.content, terms)
    elif len(measure.content) > 2 * SNIPPET_WIDTH:
        hit.title = escape(measure.content[: 2 * SNIPPET_WIDTH] + "…")
    return hit


def _items_q(user, terms, prefix=""):
    """The paragraphs a search may match: those still in the report, of a
    report the user edits, or whose page shows its paragraphs as they are —
    never submitted, or 待审核/已通过 (unchanged since submission). A reviewer
    reading a returned or withdrawn report sees its last submission, so its
    new draft paragraphs are not searched for them."""
    scope = get_scope(user)
    editable = [org.pk for org in scope.editable_organisations]
    shown = (
        Q(**{f"{prefix}report__organisation_id__in": editable})
        | Q(**{f"{prefix}report__round": 0})
        | Q(
            **{
                f"{prefix}report__status__in": (
                    QuarterlyReport.Status.SUBMITTED,
                    QuarterlyReport.Status.APPROVED,
                )
            }
        )
    )
    return Q(**{f"{prefix}excluded": False}) & shown & matching(ITEM_FIELDS, terms, prefix)


def _reports(user, terms):
    items = ReportItem.objects.filter(_items_q(user, terms)).order_by("section", "order", "pk")
    return (
        QuarterlyReport.objects.for_user(user)
        .filter(matching(("title",), terms) | Q(pk__in=items.values("report_id")))
        .select_related("organisation")
        .prefetch_related(Prefetch("items", queryset=items, to_attr="matched_items"))
        .order_by("-year", "-half", "-quarter", "-pk")
    )


def _report_hit(report, terms):
    organisation = report.organisation.display_short_name
    meta = f"{organisation} · {report.name} · {report.get_status_display()}"
    extra = []
    for item in report.matched_items:
        section = item.get_section_display()
        extra.append((f"{section}·{_label(ReportItem, 'heading')}", item.heading))
        extra.append((f"{section}·{_label(ReportItem, 'body')}", item.body))
    return _hit(
        report,
        QuarterlyReport,
        "title",
        (),
        terms,
        url=report.get_absolute_url(),
        meta=meta,
        extra=extra,
    )


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    rows: object  # (user, terms) → queryset
    hit: object  # (row, terms) → Hit


GROUPS = (
    Group("meetings", "研判会议", _meetings, _meeting_hit),
    Group("findings", "问题", _findings, _finding_hit),
    Group("measures", "整改措施", _measures, _measure_hit),
    Group("reports", "研判报告", _reports, _report_hit),
)
GROUP_KEYS = {group.key: group for group in GROUPS}


@dataclass
class GroupResult:
    group: Group
    page: object
    hits: list
    more_url: str = ""


def search(user, query, *, only=None, page=None):
    """The results per group: the page of rows (PREVIEW_SIZE of each group,
    or PAGE_SIZE of the one group asked for) turned into hits."""
    results = []
    for group in [GROUP_KEYS[only]] if only else GROUPS:
        paginator = Paginator(group.rows(user, query.terms), PAGE_SIZE if only else PREVIEW_SIZE)
        current = paginator.get_page(page if only else 1)
        hits = [group.hit(row, query.terms) for row in current]
        result = GroupResult(group, current, hits)
        if not only and paginator.count > PREVIEW_SIZE:
            result.more_url = "?" + urlencode({"q": query.text, "in": group.key})
        results.append(result)
    return results


@login_required
@require_safe
def search_page(request):
    query = normalise_query(request.GET.get("q"))
    only = request.GET.get("in")
    only = only if only in GROUP_KEYS else None
    results = []
    if query.terms:
        results = search(request.user, query, only=only, page=request.GET.get("page"))
    context = {
        "search_query": query.text,
        "query": query,
        "results": results,
        "only": GROUP_KEYS.get(only),
        "total": sum(result.page.paginator.count for result in results),
        "page_query": urlencode({"q": query.text, "in": only}) if only else "",
        "all_url": "?" + urlencode({"q": query.text}),
    }
    return render(request, "meetings/search.html", context)
