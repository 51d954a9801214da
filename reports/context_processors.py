from django.utils.functional import SimpleLazyObject

from .notifications import unread_count
from .workbench import pending_count


def review_badge(request):
    """报告审核's count badge, counted only where a page shows it (a reviewer's menu)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"review_pending": SimpleLazyObject(lambda: pending_count(user))}


def notification_bell(request):
    """通知's unread count in the menu: one query, where a page shows the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
