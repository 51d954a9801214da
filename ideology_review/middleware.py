"""Request and response policies that hold for every page."""

from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def private_cache_middleware(get_response):
    """An authenticated response (a page, a ledger, a download) is the user's
    alone: `Cache-Control: private, no-store`, so that neither a shared proxy
    nor the browser's back button keeps another user's records."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def atomic_writes_middleware(get_response):
    """Every request that may change something runs in one transaction: the
    change, the audit rows django-auditlog and meetings.audit write for it, the
    login attempt django-axes records. An error page (5xx) rolls all of it back,
    so there is never a change without its audit row, nor a row without its change.
    Reads stay outside a transaction (Django's ATOMIC_REQUESTS would wrap them too).

    A view marked `@transaction.non_atomic_requests` commits its own changes: one
    that queues a Celery task for a record must commit the record first (a worker
    reads it), then queue, and still tell the user at once if the broker is down."""

    def middleware(request):
        if request.method in SAFE_METHODS or _non_atomic(request):
            return get_response(request)
        with transaction.atomic():
            response = get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    return middleware


def _non_atomic(request):
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return DEFAULT_DB_ALIAS in getattr(match.func, "_non_atomic_requests", ())
