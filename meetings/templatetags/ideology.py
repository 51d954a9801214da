import unicodedata

from django import template
from django.template.defaultfilters import truncatechars

from ideology_review.lib.periods import cn_date as _cn_date
from ideology_review.lib.text import strip_leading_marker
from ideology_review.lib.urls import pk_url as _pk_url

register = template.Library()

_BADGES = {
    "已逾期": "danger",
    "未制定措施": "danger",
    "无措施": "danger",
    "未开始": "secondary",
    "整改中": "warning",
    "已完成": "success",
    "待销号": "primary",
    "已销号": "success",
    "长期坚持": "info",
    "高": "danger",
    "中": "warning",
    "低": "secondary",
}


@register.simple_tag
def pk_url(name, pk, *rest):
    """{% url name pk … %} for a route whose first argument is an integer pk, in
    a loop over rows: the route is reversed once, not once a row
    (ideology_review.lib.urls)."""
    return _pk_url(name, pk, *rest)


@register.filter(is_safe=True)
def shortened(value, length):
    """truncatechars, the common case first: a text no longer than `length` is
    itself (NFC, as Truncator returns it), without Truncator's translation
    lookups (~16 µs a cell, in tables of twenty rows and two such columns)."""
    text = str(value)
    if len(text) <= int(length):
        return unicodedata.normalize("NFC", text)
    return truncatechars(text, length)


@register.filter
def cn_date(value):
    """2027年1月10日 (no zero padding)."""
    return _cn_date(value)


@register.filter
def badge(value):
    """Bootstrap colour for a status or risk level."""
    return _BADGES.get(str(value), "secondary")


@register.filter
def progress_label(value):
    return "未制定措施" if value == "无措施" else value


@register.filter
def duration_zh(value):
    """A timedelta in Chinese: 30分钟, 1小时, 1小时30分钟, 2天 (django-axes' cool-off)."""
    try:
        minutes = round(value.total_seconds() / 60)
    except AttributeError:
        return value
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "天"), (hours, "小时"), (minutes, "分钟")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "1分钟"


@register.filter
def unnumbered(value):
    """A title without the numbering the user pasted: the page numbers it (（1）…)."""
    return strip_leading_marker(str(value or "").strip())


@register.filter
def lines(value):
    """A text's paragraphs (one per line), for printing each as its own <p>."""
    return [line for line in str(value or "").split("\n") if line.strip()]
