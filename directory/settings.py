"""Settings, all from the environment. See the configuration table in README.md."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from sources.ratelimit import LIMITS, parse_rate, variable_for

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105 - refused below


def envbool(name: str, default: str) -> bool:
    """Read a true/false variable; anything else is a configuration error."""
    value = os.getenv(name, default).strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {value!r}")
    return value == "true"


def envint(name: str, default: int) -> int:
    value = os.getenv(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envfloat(name: str, default: float) -> float:
    value = os.getenv(name, str(default))
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# Off unless DEBUG=true is set: an empty environment must not serve debug pages.
DEBUG = envbool("DEBUG", "false")
SECRET_KEY = os.getenv("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (the development key is public)."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "sources",
]

MIDDLEWARE = [
    "sources.ops.health.HealthMiddleware",
    "sources.ops.requestlog.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"
ASGI_APPLICATION = "directory.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        # A connection that died (a database restart) is replaced, not used for one failure.
        conn_health_checks=True,
    )
}
# Under ASGI every request's database work runs in a thread of its own, so a connection
# kept open for reuse (DB_CONN_MAX_AGE) is never reused and piles up until PostgreSQL
# refuses clients: with DB_POOL_SIZE > 0 each process shares a pool of that many instead.
DB_POOL_SIZE = envint("DB_POOL_SIZE", 0)
if DB_POOL_SIZE > 0 and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or envbool("TESTING", "false")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A strict policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "submissions"
LOGOUT_REDIRECT_URL = "home"

# In development, mail is printed readably on the console (links whole, not wrapped).
EMAIL_BACKEND_PATH = os.getenv(
    "EMAIL_BACKEND",
    "sources.ops.devmail.ReadableConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": os.getenv("EMAIL_HOST", "localhost"),
                "port": envint("EMAIL_PORT", 25),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "false"),
                "timeout": 10,
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "directory@localhost")

# Three queues: "default" for mail, verifications, webhooks and periodic work, "bulk" for
# bulk checks, "monitor" for watched domains' re-checks, each with its own worker (README,
# Production), so a long bulk never delays a confirmation e-mail. Single checks do not
# queue: they run in the web process, on its event loop.
TASK_QUEUES = ["default", "bulk", "monitor"]
# The engine behind Django's Tasks API: "database" (django-tasks-db, one machine, the
# default) or "celery" (workers on many machines, with CELERY_BROKER_URL: redis://... or
# amqp://...). The task code is the same for both.
TASK_BACKEND = os.getenv("TASK_BACKEND", "database").strip().lower()
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
if TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
elif TASK_BACKEND == "celery":
    if not CELERY_BROKER_URL:
        raise ImproperlyConfigured("TASK_BACKEND=celery needs CELERY_BROKER_URL")
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_celery.CeleryBackend",
            "QUEUES": TASK_QUEUES,
            "OPTIONS": {"CELERY_APP": "directory.celery.app"},
        }
    }
else:
    raise ImproperlyConfigured(f"TASK_BACKEND must be 'database' or 'celery', not {TASK_BACKEND!r}")
# Results (task status, read by bulk-check recovery): Redis when the broker is Redis.
CELERY_RESULT_BACKEND = (
    os.getenv(
        "CELERY_RESULT_BACKEND", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else ""
    )
    or None
)
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 86400
CELERY_TASK_DEFAULT_QUEUE = "default"
# A task is acknowledged when it ends, so a worker that dies mid-task leaves it queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]


def envrate(name: str, default: str) -> str:
    """A rate limit written requests/period (30/min, 10/hour, 20/10min)."""
    value = os.getenv(name, default)
    try:
        parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    return value


# Caches: Redis when REDIS_URL is set, so that rate limits and caches hold across every
# server process and machine; otherwise each process keeps its own in memory.
REDIS_URL = os.getenv("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.getenv("CACHE_KEY_PREFIX", "directory"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Rate limits per client, by name (sources/ratelimit.py lists them): each from its
# <NAME>_RATE variable, e.g. CHECK_RATE=30/min, LOGIN_RATE=20/10min.
RATE_LIMITS = {name: envrate(variable_for(name), default) for name, (default, _) in LIMITS.items()}

# Uploads stay in memory up to their cap and never reach the disk (sources/uploads.py).
FILE_UPLOAD_HANDLERS = ["sources.uploads.CappedUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# Submissions and moderation (sources/services/submissions.py).
# A vendor entry form with every row filled holds a few thousand fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Proxies in front of the site whose X-Forwarded-For is trusted (client addresses for
# rate limits); 0 uses the socket's address.
NUM_PROXIES = envint("NUM_PROXIES", 0)
# Seconds a moderators' digest waits so that submissions arriving together share one e-mail.
MODERATOR_DIGEST_DELAY = envint("MODERATOR_DIGEST_DELAY", 600)

# API tokens (sources/services/apitokens.py) expire this many days after they are made.
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Link", "Retry-After"]

# The API (sources/api/): JSON (lists also CSV), one error shape, per-client throttling.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "sources.api.negotiation.FormatNegotiation",
    "EXCEPTION_HANDLER": "sources.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "sources.api.parsers.BoundedJSONParser",
        "sources.api.parsers.BoundedFormParser",
        "sources.api.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["sources.api.throttling.RateLimitThrottle"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sources.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Email sources directory API",
    "DESCRIPTION": "Vendors that send mail for their customers, their DMARC setup "
    "methods and DNS records, and live DNS checks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "MethodKindEnum": "sources.api.serializers.METHOD_KIND_CHOICES",
        "CapabilityEnum": "sources.api.serializers.CAPABILITY_CHOICES",
        "RouteEnum": "sources.capability.ROUTES",
        "WatchStateEnum": "sources.monitoringmodels.WatchState",
    },
}

# The DNS checker.
CHECKER_NAMESERVERS = envlist("CHECKER_NAMESERVERS")
CHECKER_TIMEOUT = envfloat("CHECKER_TIMEOUT", 5.0)
# Accept .test and .example domains (refused otherwise, like .local or .internal): only for
# the test suite and benchmarks, whose DNS server on loopback serves such zones.
CHECKER_ALLOW_TEST_DOMAINS = envbool("CHECKER_ALLOW_TEST_DOMAINS", "false")
# How long the networks of the catalog's SPF includes are kept (GET /api/v1/lookup?ip=).
LOOKUP_SPF_TTL = envint("LOOKUP_SPF_TTL", 3600)
CHECK_RETENTION_DAYS = envint("CHECK_RETENTION_DAYS", 30)
# Rows a whole-list CSV (GET /api/v1/vendors?format=csv without page) may hold; above
# it the API answers 400 too_many_rows instead of a truncated file.
API_CSV_MAX_ROWS = envint("API_CSV_MAX_ROWS", 50000)
# Seconds one check may take in all, well under the server's timeout: lookups still
# unanswered then are reported as timed out, with what was found ("timed_out": true).
CHECK_TIME_BUDGET = envfloat("CHECK_TIME_BUDGET", 10.0)
# Checks one client may have running at once (page and API together); more get a 429.
CHECK_CONCURRENCY = envint("CHECK_CONCURRENCY", 2)
BULK_CHECK_MAX_DOMAINS = envint("BULK_CHECK_MAX_DOMAINS", 5000)
# Checks one bulk task runs at a time (each one needs a few sockets at most).
BULK_CHECK_CONCURRENCY = envint("BULK_CHECK_CONCURRENCY", 50)
# Domains one bulk task checks before queuing the rest behind other clients' work.
BULK_SLICE_DOMAINS = envint("BULK_SLICE_DOMAINS", 500)
# A bulk with no progress for this long, its task not waiting in the queue, lost its
# worker: it is resumed, at most BULK_MAX_ATTEMPTS times, then marked failed.
BULK_STALE_SECONDS = envint("BULK_STALE_SECONDS", 300)
BULK_MAX_ATTEMPTS = envint("BULK_MAX_ATTEMPTS", 3)
# The drift monitor (sources/services/drift.py): vendors' own DNS names are checked again
# after this many hours, this many vendors at a time (each within CHECK_TIME_BUDGET), for
# at most this many seconds per run (the rest are queued for the next run).
VENDOR_DNS_INTERVAL_HOURS = envint("VENDOR_DNS_INTERVAL_HOURS", 24)
VENDOR_DNS_CONCURRENCY = envint("VENDOR_DNS_CONCURRENCY", 20)
VENDOR_DNS_RUN_BUDGET = envint("VENDOR_DNS_RUN_BUDGET", 900)

# Watched domains (sources/services/watches.py, watchscheduler.py, watchalerts.py).
# A record's state flips after this many consecutive agreeing results.
WATCH_FLIP_AFTER = envint("WATCH_FLIP_AFTER", 2)
WATCH_DEFAULT_INTERVAL_MINUTES = envint("WATCH_DEFAULT_INTERVAL_MINUTES", 1440)
WATCH_MIN_INTERVAL_MINUTES = envint("WATCH_MIN_INTERVAL_MINUTES", 60)
WATCH_MAX_INTERVAL_MINUTES = envint("WATCH_MAX_INTERVAL_MINUTES", 10080)
WATCH_MAX_PER_USER = envint("WATCH_MAX_PER_USER", 1000)
# Watches one scheduler run claims at most, and one task checks (one owner's).
WATCH_CLAIM_LIMIT = envint("WATCH_CLAIM_LIMIT", 5000)
WATCH_BATCH_SIZE = envint("WATCH_BATCH_SIZE", 100)
# Checks one task runs at once.
WATCH_CHECK_CONCURRENCY = envint("WATCH_CHECK_CONCURRENCY", 50)
# A claimed watch whose task never reported back is claimed again after this long.
WATCH_LEASE_SECONDS = envint("WATCH_LEASE_SECONDS", 900)
# Seconds between scheduler runs (manage.py watch_scheduler).
SCHEDULER_INTERVAL = envint("SCHEDULER_INTERVAL", 30)
# Periodic tasks the scheduler queues: dotted path of a django.tasks task -> seconds
# between runs. Each runs once per period, however many schedulers there are.
PERIODIC_TASKS: dict[str, int] = {}

# Webhooks (sources/services/webhooks.py).
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", 10)
WEBHOOK_MAX_ATTEMPTS = envint("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE = envint("WEBHOOK_RETRY_BASE", 60)
WEBHOOK_DISABLE_AFTER = envint("WEBHOOK_DISABLE_AFTER", 5)
WEBHOOK_MAX_PER_USER = envint("WEBHOOK_MAX_PER_USER", 5)
# Test suite only: accept http://127.0.0.1 webhook URLs (a local receiver without TLS).
WEBHOOK_ALLOW_LOOPBACK_HTTP = False

# Operations (sources/ops/): /healthz, /readyz, /metrics, request ids, logs.
# A task worker whose heartbeat is older than this is counted as gone.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_STALE_SECONDS = envint("WORKER_STALE_SECONDS", 60)
# /readyz fails when no task worker is alive (bulk checks would wait for ever).
READY_REQUIRES_WORKER = envbool("READY_REQUIRES_WORKER", "true")
# Bearer token for /metrics; without one, only loopback clients may read it.
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
# "json": one JSON object per line with the request id (the default in production);
# "text": readable lines for development.
LOG_FORMAT = os.getenv("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sources.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "sources.ops.requestlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # runserver's own request lines repeat the access log.
    "loggers": {"django.server": {"level": "WARNING"}},
}
