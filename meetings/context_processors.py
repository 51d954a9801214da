from .access import get_scope


def scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope": get_scope(user)}
