"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.queues import DEFAULT_PREFIX, HOUSEKEEPING, queue_name, task_routes

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "crisis",
    "crisis.api",
    "crisis.reports",
    "crisis.oncall",
    "crisis.approvals",
    "crisis.facts",
    "crisis.comms",
    "crisis.commitments",
    "crisis.listening",
    "crisis.media",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware, with unprefixed URLs in the reader's language too (crisis/web/locale.py).
    "crisis.web.locale.ReaderLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crisis.web.caching.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Plain HTTP here (bin/up, tests); production.py turns on the redirect to HTTPS and HSTS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# Content-Security-Policy (django-csp): only the desk's own files run, no inline script, handler or style attribute;
# the few inline <style>/<script> blocks carry the per-request nonce. htmx is told not to inject its indicator
# styles nor evaluate trigger expressions (templates/base.html), so it lives within this too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'golden_hours.sqlite3'}"),
}
# Keep connections between requests (a new PostgreSQL connection costs more than the request itself);
# health checks make a connection that died with a database restart reconnect instead of failing.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server, worker and engine write to the same file: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing (django-axes), on the desk's sign-in and the admin's alike. Axes' backend comes first: it
# refuses a locked-out pair before the password is even checked. A lockout is for one user from one address,
# so a guesser cannot lock a colleague out from elsewhere, nor everyone behind one address (an office's NAT).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("GOLDEN_HOURS_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("GOLDEN_HOURS_LOGIN_COOLOFF_MINUTES", default=15))
# A guess during the lockout does not prolong it: the real person gets back in when the cool-off says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The peer address, never a header a client can write; behind N trusted proxies, the address the first of them
# saw (config/client_address.py). Unset behind a proxy, every sign-in seems to come from the proxy, and a lockout
# holds for that user from every address.
GOLDEN_HOURS_TRUSTED_PROXY_COUNT = env.int("GOLDEN_HOURS_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"

# Storage is UTC; each organization and incident carries the zone it is shown in.
USE_TZ = True
TIME_ZONE = "UTC"
GOLDEN_HOURS_DEFAULT_TIME_ZONE = env("GOLDEN_HOURS_DEFAULT_TIME_ZONE", default="Asia/Shanghai")

USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]

# The crisis desk's own sign-in page (crisis/web), not the admin's.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crisis:home"
LOGOUT_REDIRECT_URL = "login"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# API rate-limit counters live here. Each process has its own by default, so the real limit is the rate
# times the number of web workers; CACHE_URL=redis://... gives all workers one budget (and one more round
# trip per API request).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it ran, and requeued if its worker dies: the database
# decides the outcome, so running twice is harmless and running never is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis (redis://) or RabbitMQ (amqp://); docs/operations.md, "Which broker" says which to choose and why.
IS_RABBITMQ_BROKER = CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://"))
if IS_RABBITMQ_BROKER:
    # Publisher confirms: a publish returns once RabbitMQ has taken the (persistent) message into its durable
    # queue, so a dispatch queued just before a broker restart is not lost with it. An unacknowledged message
    # (acks_late, an ETA retry held by the worker) goes back to the queue when its channel closes; RabbitMQ's
    # consumer_timeout (30 min by default) must stay above the longest ETA the app schedules.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
else:
    # Redis redelivers an unacknowledged message after this many seconds; ETA tasks (delivery retries, and
    # timers if GOLDEN_HOURS_ETA_HORIZON is set) are only scheduled well inside it so none is delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by urgency (config/queues.py, docs/operations.md): sends, dispatch, timers, housekeeping, reports,
# each consumed by the workers of the production layout, so a page never waits behind a timer or a report.
# Every queue name starts with this prefix: test runs and benches sharing one broker give themselves a
# private one and never eat each other's tasks.
GOLDEN_HOURS_QUEUE_PREFIX = env("GOLDEN_HOURS_QUEUE_PREFIX", default=DEFAULT_PREFIX)
CELERY_TASK_ROUTES = task_routes(GOLDEN_HOURS_QUEUE_PREFIX)
CELERY_TASK_DEFAULT_QUEUE = queue_name(GOLDEN_HOURS_QUEUE_PREFIX, HOUSEKEEPING)
# Publishing must not hang a web request when the broker is down: the sweeper is the safety net.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Tokens for tools and scripts; the session (with its CSRF check) for the web page.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crisis.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "crisis.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_PARSER_CLASSES": ["crisis.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "crisis.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["crisis.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "per_token": env("GOLDEN_HOURS_API_RATE", default="600/min"),
        "webhook": env("GOLDEN_HOURS_WEBHOOK_RATE", default="120/min"),
    },
    "EXCEPTION_HANDLER": "crisis.api.errors.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    # Swagger UI from our own static files: no CDN (offline desks, strict CSPs).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Golden Hours API",
    "DESCRIPTION": "Crisis-response timeline tracker",
    "VERSION": "1.0.0",
    # The schema documents the API (/api/v1/), not the page that serves it.
    "SERVE_INCLUDE_SCHEMA": False,
    # PATCH bodies are read with their required fields (the views never validate them as partial): the schema
    # must not make every field optional for PATCH.
    "COMPONENT_SPLIT_PATCH": False,
    # One component per choice set, named after what it is. Without these drf-spectacular names an enum after
    # the field that uses it: the same set gets two names (RoleEnum and ResponsibleRoleEnum) and two sets under
    # one field name get hashes (Kind484Enum), and a client generates a type for each.
    "ENUM_NAME_OVERRIDES": {
        "StakeholderKindEnum": "crisis.media.models.StakeholderKind",
        "StakeholderChannelEnum": "crisis.media.models.StakeholderChannel",
        "InquiryStateEnum": "crisis.media.models.InquiryState",
        "ChannelEnum": "crisis.models.Channel",
        "RoleEnum": "crisis.models.Role",
        "EventKindEnum": "crisis.models.EventKind",
        "StatementKindEnum": "crisis.models.StatementKind",
        "StatementStatusEnum": "crisis.models.StatementStatus",
        "StatementLanguageEnum": "crisis.models.StatementLanguage",
        "IncidentStatusEnum": "crisis.models.IncidentStatus",
        # An incident is opened as one of these two (IncidentListCreateView).
        "IncidentOpeningStatusEnum": ["monitoring", "active"],
        "SeverityEnum": "crisis.models.Severity",
        "SentimentLevelEnum": "crisis.listening.models.SentimentLevel",
        # A suggestion is never for calm: apply and dismiss take the three levels above it.
        "SuggestionLevelEnum": "crisis.listening.models.decisions.SUGGESTION_LEVELS",
        "TimeZoneEnum": "crisis.api.fields.TIME_ZONES",
        "DeadlineKindEnum": "crisis.models.DeadlineKind",
        "DeadlineStateEnum": "crisis.models.DeadlineState",
        "DeadlineOutcomeEnum": "crisis.api.views.deadlines.OUTCOMES",
        "SatisfiedByEnum": "crisis.models.SatisfiedBy",
        "RecurUntilEnum": "crisis.models.RecurUntil",
        "PageStateEnum": "crisis.oncall.models.pages.PageState",
        "PageSourceEnum": "crisis.oncall.models.pages.PageSource",
        "TokenScopeEnum": "crisis.api.models.TokenScope",
        "ActionItemStatusEnum": "crisis.reports.models.ActionItemStatus",
        "ReportStatusEnum": "crisis.reports.models.ReportStatus",
        "ReportFormatEnum": "crisis.reports.models.ReportFormat",
        "CommitmentStateEnum": "crisis.commitments.models.CommitmentState",
        "AudienceEnum": "crisis.commitments.models.Audience",
    },
}

THIRD_PARTY_LOGGERS = ("weasyprint", "fontTools", "axes")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Libraries that narrate their work at INFO: WeasyPrint logs a weasyprint.progress line per step of every PDF,
    # fontTools one per font subset, django-axes a banner per process. `bin/up` runs three processes on one
    # terminal, where that buried the desk's own lines; their warnings and errors still come through.
    "loggers": {
        name: {"level": env("DJANGO_THIRD_PARTY_LOG_LEVEL", default="WARNING")}
        for name in THIRD_PARTY_LOGGERS
    },
}

# The deadline engine (see docs/architecture.md).
# Per-deadline Celery ETA timers for deadlines due within this many seconds; 0 (the default) sends none. The
# engine sleeps until the next due time (woken by NOTIFY) and had nearly always breached a deadline before its
# timer fired: a burst of no-op timers then held the worker ahead of the pages (docs/benchmarks.md).
GOLDEN_HOURS_ETA_HORIZON = env.int("GOLDEN_HOURS_ETA_HORIZON", default=0)
# Send Celery timers at all; tests of pure database behaviour turn this off.
GOLDEN_HOURS_SEND_TIMERS = env.bool("GOLDEN_HOURS_SEND_TIMERS", default=True)
# The longest the sweeper sleeps when nothing is due (it is woken early by NOTIFY on PostgreSQL).
GOLDEN_HOURS_SWEEPER_MAX_SLEEP = env.float("GOLDEN_HOURS_SWEEPER_MAX_SLEEP", default=30.0)
# Breaches whose dispatch task has not marked them after this long are re-sent by the relay.
GOLDEN_HOURS_RELAY_AFTER = env.float("GOLDEN_HOURS_RELAY_AFTER", default=5.0)
# How long a retried POST with the same Idempotency-Key still gets the first answer back.
GOLDEN_HOURS_IDEMPOTENCY_TTL_HOURS = env.int("GOLDEN_HOURS_IDEMPOTENCY_TTL_HOURS", default=24)
# Breaches per dispatch task, and deliveries per send task: bursts are paged in batches (bench/paging.py).
# 100: on two cores, two tasks for 200 breaches kept p99 at 0.26-0.30 s where 25 gave 0.46-0.55 s.
GOLDEN_HOURS_DISPATCH_BATCH = env.int("GOLDEN_HOURS_DISPATCH_BATCH", default=100)
GOLDEN_HOURS_DELIVERY_BATCH = env.int("GOLDEN_HOURS_DELIVERY_BATCH", default=100)

# On-call alerts (crisis/oncall, docs/operations.md).
# Where one-click acknowledge links in messages point.
GOLDEN_HOURS_BASE_URL = env("GOLDEN_HOURS_BASE_URL", default="http://127.0.0.1:8000")
# How long an invitation to join an organization can be accepted (crisis/services/invitations.py).
GOLDEN_HOURS_INVITATION_MAX_AGE = env.int("GOLDEN_HOURS_INVITATION_MAX_AGE", default=7 * 24 * 3600)
# How long an acknowledge link works.
GOLDEN_HOURS_ACK_LINK_MAX_AGE = env.int("GOLDEN_HOURS_ACK_LINK_MAX_AGE", default=24 * 3600)
# Delivery: attempts per message, first retry delay (doubling each time, capped), HTTP timeout.
GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS = env.int("GOLDEN_HOURS_DELIVERY_MAX_ATTEMPTS", default=6)
GOLDEN_HOURS_DELIVERY_BACKOFF = env.float("GOLDEN_HOURS_DELIVERY_BACKOFF", default=2.0)
GOLDEN_HOURS_DELIVERY_BACKOFF_MAX = env.float("GOLDEN_HOURS_DELIVERY_BACKOFF_MAX", default=300.0)
GOLDEN_HOURS_WEBHOOK_TIMEOUT = env.float("GOLDEN_HOURS_WEBHOOK_TIMEOUT", default=5.0)
# A person with no contact method still gets the console / "sent messages" page, so paging is visible.
GOLDEN_HOURS_CONSOLE_FALLBACK = env.bool("GOLDEN_HOURS_CONSOLE_FALLBACK", default=True)

# Slow receivers (crisis/oncall/services/sending.py; docs/operations.md, "Slow receivers").
# Every transport connects within the connect timeout, then waits at most its read timeout for each answer
# (GOLDEN_HOURS_WEBHOOK_TIMEOUT above for webhooks).
GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT = env.float("GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT", default=2.0)
GOLDEN_HOURS_CHAT_TIMEOUT = env.float("GOLDEN_HOURS_CHAT_TIMEOUT", default=5.0)
GOLDEN_HOURS_EMAIL_TIMEOUT = env.float("GOLDEN_HOURS_EMAIL_TIMEOUT", default=5.0)
# The longest a send task waits for its receivers before leaving the slow ones to finish in the background
# (messages to receivers already failing are not waited for at all), and how many sends a worker process
# runs at once.
GOLDEN_HOURS_DELIVERY_WAIT = env.float("GOLDEN_HOURS_DELIVERY_WAIT", default=0.5)
GOLDEN_HOURS_DELIVERY_THREADS = env.int("GOLDEN_HOURS_DELIVERY_THREADS", default=32)
# A receiver's circuit opens after this many failures in a row, for the cooldown, doubling up to the cap.
GOLDEN_HOURS_BREAKER_FAILURES = env.int("GOLDEN_HOURS_BREAKER_FAILURES", default=5)
GOLDEN_HOURS_BREAKER_COOLDOWN = env.float("GOLDEN_HOURS_BREAKER_COOLDOWN", default=30.0)
GOLDEN_HOURS_BREAKER_COOLDOWN_MAX = env.float("GOLDEN_HOURS_BREAKER_COOLDOWN_MAX", default=600.0)
