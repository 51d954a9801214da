"""Request and response policies that hold for every page."""

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


# When the session was last saved (epoch seconds), kept in the session itself so
# that it works the same with every session backend.
SESSION_REFRESHED_KEY = "_refreshed_at"


def session_refresh_middleware(get_response):
    """The idle timeout slides without a write on every request: a session is
    saved when something changed it, or when its last save is
    SESSION_REFRESH_SECONDS old. Saving sets the session's expiry (the row's
    expire_date, the cache key's TTL, the cookie's max-age) to SESSION_COOKIE_AGE
    from now, so an idle session still ends SESSION_COOKIE_AGE after its last
    request, less at most SESSION_REFRESH_SECONDS. (It replaces
    SESSION_SAVE_EVERY_REQUEST, which wrote the session on every request.)
    Placed after SessionMiddleware, so its response half runs first."""

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # no session cookie: nothing to keep alive
        refreshed = session.get(SESSION_REFRESHED_KEY)  # loads the session
        if session.is_empty():
            return response  # the cookie's session had expired: never revive it
        now = int(time.time())
        # A stamp from the future (another node's clock) counts as stale too.
        stale = refreshed is None or not 0 <= now - refreshed < settings.SESSION_REFRESH_SECONDS
        if session.modified or stale:
            session[SESSION_REFRESHED_KEY] = now
        return response

    return middleware


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
