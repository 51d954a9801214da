"""Sessions: the idle timeout slides, but an unchanged session is written at most
once a SESSION_REFRESH_SECONDS; with CACHE_URL they live in Redis (cached_db).

Time is controlled by moving the session's own record back (its stamp and its
expiry, as they would stand had the last save been that long ago), never by
sleeping or by patching the clock."""

import json
import time
import uuid
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ideology_review.middleware import SESSION_REFRESHED_KEY
from ideology_review.settings import redis_cache

from .production import manage, production_env
from .workers import require_broker

pytestmark = pytest.mark.django_db

PASSWORD = "qingshan2026"


def log_in(client, user):
    """Through the login page, as a person does (not force_login)."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def store(key):
    return import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=key)


def session_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().startswith(("UPDATE", "INSERT"))
    ]


def age_session(key, seconds):
    """The session as it stands `seconds` after its last save: stamp and expiry
    both that much earlier (saving through the store, then moving the row's
    expire_date back, the one column the store always sets to now + age)."""
    session = store(key)
    session[SESSION_REFRESHED_KEY] -= seconds
    session.save()
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + timedelta(seconds=session.get_expiry_age() - seconds)
    )


def test_sessions_end_after_the_idle_minutes_and_are_not_saved_on_every_request(
    client, world, settings
):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    response = client.post(
        reverse("login"), {"username": world.secretary.username, "password": PASSWORD}
    )
    assert response.cookies["sessionid"]["max-age"] == 1800


def test_an_unchanged_session_is_not_rewritten_within_the_refresh_interval(client, world):
    key = log_in(client, world.secretary)
    row = Session.objects.get(pk=key)
    stamp = store(key)[SESSION_REFRESHED_KEY]
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("meetings:dashboard"))
        second = client.get(reverse("meetings:dashboard"))
    assert first.status_code == second.status_code == 200
    assert session_writes(queries.captured_queries) == []
    assert "sessionid" not in first.cookies and "sessionid" not in second.cookies
    after = Session.objects.get(pk=key)
    assert (after.expire_date, after.session_data) == (row.expire_date, row.session_data)
    assert store(key)[SESSION_REFRESHED_KEY] == stamp


def test_the_session_is_refreshed_once_the_interval_has_passed(client, world):
    key = log_in(client, world.secretary)
    age_session(key, 61)
    aged = Session.objects.get(pk=key).expire_date
    before = int(time.time())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("meetings:dashboard"))
    assert response.status_code == 200
    assert len(session_writes(queries.captured_queries)) == 1
    assert response.cookies["sessionid"]["max-age"] == 1800
    refreshed = Session.objects.get(pk=key).expire_date
    assert refreshed - aged >= timedelta(seconds=60)
    assert store(key)[SESSION_REFRESHED_KEY] >= before


def test_a_session_idle_for_less_than_the_timeout_still_works(client, world):
    key = log_in(client, world.secretary)
    age_session(key, 29 * 60 + 30)
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert Session.objects.get(pk=key).expire_date > timezone.now() + timedelta(minutes=29)


def test_an_idle_session_expires_and_is_not_revived(client, world):
    key = log_in(client, world.secretary)
    age_session(key, 30 * 60 + 1)
    response = client.get(reverse("meetings:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert response.cookies["sessionid"]["max-age"] == 0  # the cookie is deleted
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_a_changed_session_is_saved_within_the_interval(client, world):
    """A change (here a message for the next page) is never lost for fewer writes."""
    key = log_in(client, world.secretary)
    client.get(reverse("meetings:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("reports:notifications_read_all"))
    assert response.status_code == 302
    assert len(session_writes(queries.captured_queries)) == 1
    assert "_messages" in store(key).load()
    assert "0条通知已标为已读" in client.get(response["Location"]).content.decode()


def test_logging_out_within_the_interval_deletes_the_session(client, world):
    key = log_in(client, world.secretary)
    client.get(reverse("meetings:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert session_writes(queries.captured_queries) == []  # deleted, not revived


def test_refresh_seconds_zero_saves_on_every_request(client, world, settings):
    settings.SESSION_REFRESH_SECONDS = 0
    log_in(client, world.secretary)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("meetings:dashboard"))
        client.get(reverse("meetings:dashboard"))
    assert len(session_writes(queries.captured_queries)) == 2


# --- Redis: CACHE_URL -------------------------------------------------------------------


def test_cache_url_puts_the_cache_and_sessions_in_redis():
    """The settings module itself, in a child process with CACHE_URL set: django-redis
    as the default cache, cached_db sessions, and the cache answers from Redis."""
    url = require_broker()
    code = (
        "import json; from django.conf import settings; from django.core.cache import cache;"
        "cache.set('settings-check', 'ok', 30);"
        "print(json.dumps([settings.CACHES['default'], settings.SESSION_ENGINE,"
        " cache.get('settings-check'), cache.ttl('settings-check')]));"
        "cache.delete('settings-check')"
    )
    result = manage("shell", "-c", code, env=production_env(CACHE_URL=url))
    assert result.returncode == 0, result.stderr
    caches, engine, value, ttl = json.loads(result.stdout.strip().splitlines()[-1])
    assert caches["BACKEND"] == "django_redis.cache.RedisCache"
    assert caches["LOCATION"] == url
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert value == "ok" and 0 < ttl <= 30

    env = production_env()
    env.pop("CACHE_URL", None)
    result = manage("shell", "-c", code.replace("cache.ttl('settings-check')", "0"), env=env)
    assert result.returncode == 0, result.stderr
    caches, engine, value, _ = json.loads(result.stdout.strip().splitlines()[-1])
    assert caches["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert engine == "django.contrib.sessions.backends.db"


@pytest.fixture
def redis_sessions(settings):
    """The CACHE_URL configuration on the real Redis, under a key prefix of this
    test's own (the broker's database is shared: nothing else is deleted)."""
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {**redis_cache(require_broker()), "KEY_PREFIX": prefix}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield cache
    cache.delete_pattern("*")  # under this prefix only


def test_sessions_in_redis_log_in_and_are_read_from_the_cache(redis_sessions, world):
    client = Client()
    key = log_in(client, world.secretary)
    cache_key = store(key).cache_key
    assert redis_sessions.get(cache_key)["_auth_user_id"] == str(world.secretary.pk)
    assert 1700 < redis_sessions.ttl(cache_key) <= 1800
    assert Session.objects.filter(pk=key).exists()  # written through to the database
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_session_in_redis_is_refreshed_at_most_once_an_interval(redis_sessions, world):
    client = Client()
    cache_key = store(log_in(client, world.secretary)).cache_key
    # As if the last save were 1,700 s ago: the key has 100 s to live.
    redis_sessions.expire(cache_key, 100)
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert redis_sessions.ttl(cache_key) <= 100  # not rewritten within the minute
    data = redis_sessions.get(cache_key)
    data[SESSION_REFRESHED_KEY] -= 61
    redis_sessions.set(cache_key, data, timeout=100)
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert redis_sessions.ttl(cache_key) > 1700  # refreshed
    assert redis_sessions.get(cache_key)[SESSION_REFRESHED_KEY] >= int(time.time()) - 5


def test_sessions_in_redis_a_password_change_logs_out_every_other_session(redis_sessions, world):
    here, elsewhere = Client(), Client()
    log_in(here, world.secretary)
    log_in(elsewhere, world.secretary)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Qingshan-2027-safe",
            "new_password2": "Qingshan-2027-safe",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("meetings:dashboard")).status_code == 200
    assert elsewhere.get(reverse("meetings:dashboard")).status_code == 302


def test_sessions_in_redis_a_deactivated_user_is_logged_out(redis_sessions, world):
    client = Client()
    log_in(client, world.secretary)
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    world.secretary.is_active = False
    world.secretary.save(update_fields=["is_active"])
    assert client.get(reverse("meetings:dashboard")).status_code == 302


def test_sessions_in_redis_expire_with_the_idle_timeout(redis_sessions, world):
    client = Client()
    key = log_in(client, world.secretary)
    # Thirty idle minutes later the key is gone from Redis and the row has expired.
    redis_sessions.delete(store(key).cache_key)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("meetings:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sessions_fall_back_to_the_database_while_redis_is_down(settings, world, caplog):
    """A cache call that fails is a miss: cached_db then reads and writes the row
    alone, so Redis down logs nobody out (and says so in the log)."""
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}  # nothing on port 1
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = Client()
    key = log_in(client, world.secretary)
    assert Session.objects.filter(pk=key).exists()
    assert client.get(reverse("meetings:dashboard")).status_code == 200
    assert "Connection refused" in caplog.text
