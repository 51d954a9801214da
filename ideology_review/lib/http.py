"""Small helpers for reading requests."""

from django.core.paginator import Page, Paginator


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
