"""Settings for 意识形态分析研判管理系统.

Everything that differs between a laptop and a deployment is read from the
environment (see `.env.example`). With nothing set, the product runs on the
embedded default: SQLite, Celery tasks executed in-process.
"""

import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key():
    key = env("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：生产环境必须通过环境变量提供 SECRET_KEY（见 .env.example）。"
        )
    # Local runs only: generate once and keep it in a git-ignored file so that
    # sessions survive a restart of `make run`.
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# (Django's test runner adds "testserver" itself: it is no host of a deployment.)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "auditlog",
    "axes",
    "csp",
    "ideology_review",
    "meetings",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves an unchanged session at most once a SESSION_REFRESH_SECONDS.
    "ideology_review.middleware.session_refresh_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # django-auditlog's, with the trusted client address (meetings.client).
    "ideology_review.audit.AuditMiddleware",
    # Authenticated pages and downloads are never kept by a browser or proxy cache.
    "ideology_review.middleware.private_cache_middleware",
    # A POST's changes and their audit rows commit together or not at all.
    "ideology_review.middleware.atomic_writes_middleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ideology_review.urls"
WSGI_APPLICATION = "ideology_review.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meetings.context_processors.scope",
                "reports.context_processors.review_badge",
                "reports.context_processors.notification_bell",
            ],
        },
    },
]

# Database: SQLite unless DATABASE_URL points elsewhere (PostgreSQL in CI and
# production). Health checks make a connection that died between requests
# (database restart, idle timeout) reconnect instead of failing the request.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Writers take the lock at BEGIN: two concurrent transactions then queue
    # instead of deadlocking on the read-to-write upgrade ("database is locked").
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A file, not the in-memory default: concurrent test threads then wait for
    # each other's locks the way real users' requests do.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

# Optional read replica (a streaming copy of the primary): the statistics may
# read from it (ideology_review.routers.replica_reads); everything else, and
# every write, stays on default. In tests it mirrors default.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["ideology_review.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Brute-force protection first, so a locked-out attempt never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Ten failures of one username from one address lock that pair: a shared office
# address cannot lock everybody out, and other accounts keep working.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# How many reverse proxies of our own stand in front (nginx: 1). The client's
# address is then taken from X-Forwarded-For that many hops from the right, and
# nowhere else (meetings.client); audit log, django-axes and login records agree.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "ideology_review.lib.client.client_address"
AXES_USERNAME_CALLABLE = "ideology_review.lib.client.login_username"
AXES_VERBOSE = False

# Sessions end after 30 idle minutes and, if set, when the browser closes. A
# request extends them, but the session is written at most once a minute
# (ideology_review.middleware.session_refresh_middleware), not on every request.
# A password change logs out every other session (Django's session auth hash).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Cache and sessions: with CACHE_URL (Redis, e.g. redis://redis:6379/1) the
# cache is shared by every web node and worker, and sessions are read from it
# (`cached_db`: written through to the database too, so a Redis restart or a
# flush of the cache logs nobody out; while Redis is down a failed cache call is
# a miss and sessions are read from the database). A Redis database of its own, not
# the broker's: flushing the cache must not drop queued tasks. Without it: a
# per-process memory cache and sessions in the database, as `make run` needs.
CACHE_URL = env("CACHE_URL", default="")


def redis_cache(url):
    """The django-redis cache at `url` (the tests build theirs with it too)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "ideology",
        "OPTIONS": {
            # A Redis that does not answer costs a request a second or two, not a
            # hang, and a failed call is a cache miss (logged), not an error page.
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 2,
            "IGNORE_EXCEPTIONS": True,
        },
    }


if CACHE_URL:
    CACHES = {"default": redis_cache(CACHE_URL)}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "meetings:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Production hardening: everything `manage.py check --deploy` asks for.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A plain-HTTP health check from the load balancer gets its JSON, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Everything is served from this site (no CDN): a strict policy costs nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest (hashed names, long cache) needs `collectstatic`; tests
        # and DEBUG runs serve the files as they are.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATICFILES_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
        # Public files, served by nginx (another user than the app's): readable by
        # all, whatever FILE_UPLOAD_PERMISSIONS says for uploads.
        "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
    },
}


def _media_root():
    """MEDIA_ROOT: a relative value is taken from the project directory (never the
    working directory), and it must be a directory of its own: `backup` archives all
    of it and `restore` writes into it, so it can never be the project, a parent of
    it, or a directory of code, templates or public static files."""
    value = env("MEDIA_ROOT", default="./media").strip()
    if not value:
        raise ImproperlyConfigured(
            "MEDIA_ROOT 为空：请设为上传与生成文件专用的目录，如 ./media（相对项目目录）"
            "或 /srv/ideology/media（见 .env.example）。"
        )
    path = (BASE_DIR / Path(value).expanduser()).resolve()
    base = BASE_DIR.resolve()
    if base.is_relative_to(path):
        raise ImproperlyConfigured(
            f"MEDIA_ROOT={value} 指向项目目录 {base} 或其上级目录：备份会打包 .env、数据库文件"
            "和源代码，恢复会写入代码目录。请设为专用目录，如 ./media 或 /srv/ideology/media。"
        )
    for name in ("ideology_review", "meetings", "reports", "templates", "static", "staticfiles"):
        if path.is_relative_to(base / name):
            raise ImproperlyConfigured(
                f"MEDIA_ROOT={value} 位于代码或静态文件目录 {base / name} 之内。"
                "请设为专用目录，如 ./media 或 /srv/ideology/media。"
            )
    return path


# Uploaded evidence and generated documents. There is deliberately no
# MEDIA_URL route: every file is served by a view that checks the user's scope.
MEDIA_ROOT = _media_root()
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=20) * 1024 * 1024
UPLOAD_ALLOWED_EXTENSIONS = [
    # The real type must match the extension (meetings.uploads); no macro-capable
    # legacy Office formats (.doc/.xls/.ppt).
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "docx",
    "xlsx",
    "pptx",
    "txt",
    "zip",
]
FILE_UPLOAD_PERMISSIONS = 0o640

# Free-text fields accept long pasted text, but not without limit.
TEXT_MAX_LENGTH = env.int("TEXT_MAX_LENGTH", default=200_000)
# A form body must fit every text field of the longest form (the meeting form,
# ten of them) at TEXT_MAX_LENGTH, percent-encoded (9 bytes a Chinese character).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(10 * 1024 * 1024, TEXT_MAX_LENGTH * 9 * 10 + 1024 * 1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Demo data (accounts with a shared, published password) is never loaded
# unless explicitly allowed; `make run` allows it.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA", default=DEBUG)

# Celery: with a broker URL, tasks go to real workers; without one they run
# in-process (the embedded default), exactly the same code path.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="ideology")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Without these, a publish to an unreachable broker can hang a web request.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # How long an unacknowledged task (its worker died mid-render) waits before
    # Redis hands it to another worker. acks_late makes that redelivery happen.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}

# 通知: the reminders (a report or measure due or overdue, no meeting yet this
# quarter) are computed by `celery beat` each morning; REMINDER_INTERVAL_SECONDS
# runs them every N seconds instead (the integration test uses it). Without a
# broker, `make run` computes them at start (manage.py send_reminders).
_reminder_interval = env.int("REMINDER_INTERVAL_SECONDS", default=0)
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {
        "task": "reports.send_reminders",
        "schedule": _reminder_interval or crontab(hour=7, minute=30),
    },
    # 统计分析's precomputed rows whose 已逾期 count changed with the date (a
    # page refreshes them itself too; this keeps the first view of the day fast)
    "refresh-statistics": {
        "task": "reports.refresh_statistics",
        "schedule": crontab(hour=0, minute=20),
    },
}

# Email (EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587): where
# set, every notification is also mailed; SITE_URL makes its link absolute.
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
NOTIFY_BY_EMAIL = bool(EMAIL_URL)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ideology-review@localhost")
SITE_URL = env("SITE_URL", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
