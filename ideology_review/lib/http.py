"""Small helpers for reading requests."""

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render

from ideology_review import audit


def parse_int(value, *, low=None, high=None):
    """An integer from a query parameter, or None ("²".isdigit() is True, int("²") fails)."""
    try:
        number = int(value) if value and value.isascii() else None
    except (TypeError, ValueError):
        return None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def paginate(request, object_list, per_page):
    """The page `?page=` asks for (as Paginator.get_page). The first page reads
    its rows before any COUNT: one row more than fit, so that a list that fits
    on one page (a branch's meetings, a filtered ledger) is counted from its
    rows and costs one query, not two; a longer one is counted as usual."""
    paginator = Paginator(object_list, per_page)
    if request.GET.get("page", "1") not in ("", "1"):
        return paginator.get_page(request.GET.get("page"))
    rows = list(object_list[: per_page + 1])
    if len(rows) <= per_page:
        paginator.count = len(rows)  # a cached_property: no COUNT query
    return Page(rows[:per_page], 1, paginator)


def history_page(request, record, build):
    """A record's 全部历史记录, HISTORY_PAGE rows a page (`?page=`, at most 1,000):
    `build(start=…, limit=…)` is the record's audit.history_for.

    With `?panel=1`, the record's page's 历史记录 panel instead: its newest
    rows and the link here (the page loads it when it is scrolled into view:
    includes/history_lazy.html)."""
    if request.GET.get("panel"):
        return render(request, "includes/history.html", {"history": build()})
    number = parse_int(request.GET.get("page", ""), low=1, high=1000) or 1
    history = build(start=(number - 1) * audit.HISTORY_PAGE, limit=audit.HISTORY_PAGE)
    if not history and number > 1:
        raise Http404("没有更多历史记录")
    history.url = ""  # this is the page the panel's link goes to
    context = {
        "history": history,
        "subject": record.title,
        "back": record.get_absolute_url(),
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if history.more and number < 1000 else None,
    }
    return render(request, "history_page.html", context)
