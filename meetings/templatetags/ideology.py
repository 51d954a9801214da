from django import template

register = template.Library()

_BADGES = {
    "已逾期": "danger",
    "未制定措施": "danger",
    "无措施": "danger",
    "未开始": "secondary",
    "整改中": "warning",
    "已完成": "success",
    "已销号": "success",
    "长期坚持": "info",
    "高": "danger",
    "中": "warning",
    "低": "secondary",
}


@register.filter
def badge(value):
    """Bootstrap colour for a status or risk level."""
    return _BADGES.get(str(value), "secondary")


@register.filter
def progress_label(value):
    return "未制定措施" if value == "无措施" else value
