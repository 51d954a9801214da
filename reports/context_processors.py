from django.utils.functional import SimpleLazyObject

from .workbench import pending_count


def review_badge(request):
    """报告审核's count badge, counted only where a page shows it (a reviewer's menu)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"review_pending": SimpleLazyObject(lambda: pending_count(user))}
