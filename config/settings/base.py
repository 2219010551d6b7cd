"""Settings shared by every environment. Values come from the environment (django-environ);
`.env.example` lists every variable. Everything has an embedded default so `make run` works
with nothing set: local PostgreSQL, eager Celery, console e-mail, local media."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # third party
    "django_htmx",
    "template_partials",
    "guardian",
    "axes",
    "csp",
    "pgtrigger",
    "django_filters",
    "django_celery_results",
    "health_check",
    "waffle",
    # project
    "organizations",
    "accounts",
    "planning",
    "budgeting",
    "coordination",
    "notifications",
    "bcp",
    "incidents",
    "ocm",
    "rollout",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.sessions.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # API tokens authenticate here, so the middleware below treats them like a session.
    "core.middleware.BearerTokenMiddleware",
    "core.middleware.CurrentOrganizationMiddleware",
    "core.middleware.OCMReadOnlyMiddleware",
    "core.modules.ModuleAccessMiddleware",
    "core.middleware.RequestLogMiddleware",
    "rollout.adoption.AdoptionMiddleware",
    # axes must be last
    "axes.middleware.AxesMiddleware",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.tenancy",
                "organizations.context_processors.modules",
                "rollout.context_processors.rollout",
                "notifications.context_processors.waiting",
            ],
            # Formats ({{ x|peso_short }}, {{ m|duration }}, {{ d|when }}) and {% icon %}
            # in every template without {% load %}.
            "builtins": ["organizations.templatetags.ui"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///bmms")}
# DATABASE_REPLICA_URL (optional): a streaming-replication standby for heavy read-only pages
# (OCM dashboard, CSV/PDF exports), used through config.db_router while its lag is small.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
#: Above this many seconds of replay lag the standby is not used (reads go to the primary).
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
#: How long one process trusts a lag measurement before measuring again.
REPLICA_LAG_CHECK_SECONDS = env.float("REPLICA_LAG_CHECK_SECONDS", default=2.0)
# DATABASE_PGBOUNCER=true when DATABASE_URL (and the replica) go through PgBouncer in
# transaction-pooling mode: no server-side cursors (a named cursor lives in one server session).
_pgbouncer = env.bool("DATABASE_PGBOUNCER", default=False)
for _alias in DATABASES:
    DATABASES[_alias]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
    DATABASES[_alias]["ATOMIC_REQUESTS"] = False
    if _pgbouncer:
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-waffle: flags named module.<app> switch modules, scoped by organizations.ModuleFlagScope.
WAFFLE_FLAG_MODEL = "waffle.Flag"
WAFFLE_CREATE_MISSING_FLAGS = False

# The portal's public address, used in links sent by e-mail from background tasks.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Invitation links (set-your-password) expire after this many seconds; they are one-time.
INVITATION_TIMEOUT = env.int("INVITATION_TIMEOUT_SECONDS", default=7 * 24 * 60 * 60)
# "Forgot password?" links (accounts/): one-time, and short-lived: an hour by default. Their
# tokens are of another kind than the invitations' (accounts/tokens.py): neither opens the other.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)
# Requests for a reset link: at most this many per client address, and (silently: the answer
# is the same) e-mails to one address, per PASSWORD_RESET_WINDOW_SECONDS (accounts/ratelimit.py).
PASSWORD_RESET_PER_CLIENT = env.int("PASSWORD_RESET_PER_CLIENT", default=10)
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=60 * 60)

# django-guardian: per-object exceptions only; no anonymous user row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# The client address (lockouts, audit log, request log: core/client.py). X-Forwarded-For
# is believed only from these proxies (addresses or networks), and only TRUSTED_PROXY_COUNT hops
# deep. Empty: the header is ignored and the client is the address of the connection.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# django-axes (core/lockouts.py): sign-in is paused for a username *and* client address
# after AXES_FAILURE_LIMIT failures, and for the username from everywhere after the much higher
# AXES_ACCOUNT_FAILURE_LIMIT (a massive attack is throttled; nobody elsewhere can lock a user
# out with a handful of tries). Both within AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=100)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "core.lockouts.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "core.client.client_ip"
AXES_USERNAME_CALLABLE = "core.lockouts.username_of"
# The login form keeps Django's field name "username" (it holds the e-mail address).
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "core.lockouts.lockout_response"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Manila"
# The portal is written in English only (no translations, no LocaleMiddleware): without the
# translation machinery every page makes ~6 % fewer Python calls (docs/performance.md).
USE_I18N = False
USE_TZ = True
# One date format and one date-time format everywhere (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
# List filters start at "Any" (not "---------"); each filter may say more ("Any record type").
FILTERS_EMPTY_CHOICE_LABEL = "Any"

STATIC_URL = "static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Cache: Redis when configured, otherwise process memory.
REDIS_URL = env("REDIS_URL", default="")
# Redis behind Sentinel: REDIS_SENTINELS=host1:26379,host2:26379,host3:26379 and the master's
# name; cache, sessions, the Celery broker and the beat lock then follow a failover by
# themselves. REDIS_URL and CELERY_BROKER_URL are not used.
REDIS_SENTINELS = [
    (host, int(port))
    for host, _, port in (s.rpartition(":") for s in env.list("REDIS_SENTINELS", default=[]))
]
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="bmms")
REDIS_SENTINEL_CACHE_DB = env.int("REDIS_SENTINEL_CACHE_DB", default=1)
REDIS_SENTINEL_BROKER_DB = env.int("REDIS_SENTINEL_BROKER_DB", default=0)
#: Seconds to wait for one sentinel, or for the cache (a lost host answers nothing, and a page
#: makes several cache calls: each must give up quickly on the local network). No retries of a
#: sentinel that does not answer (redis-py's default, 10 with backoff, costs ~7 s while a
#: sentinel's host is lost): the next sentinel of the list is asked instead.
REDIS_SENTINEL_KWARGS = {
    "socket_timeout": 0.25,
    "socket_connect_timeout": 0.25,
    "retry": Retry(NoBackoff(), 0),
}
if REDIS_SENTINELS:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            # One location, the master only (is_master=1): reads from a replica could see a
            # version token older than the one just written.
            "LOCATION": [f"redis://{REDIS_SENTINEL_MASTER}/{REDIS_SENTINEL_CACHE_DB}?is_master=1"],
            "KEY_PREFIX": "bmms",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.SentinelClient",
                "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
                "SENTINELS": REDIS_SENTINELS,
                "SENTINEL_KWARGS": REDIS_SENTINEL_KWARGS,
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
elif REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: with Redis down the cache misses instead of failing the request.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bmms",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions in PostgreSQL with a read-through copy in Redis: one cache read per request, and with
# Redis down they are still read from the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
#: Signed out after this many seconds without a request (the cookie lives SESSION_COOKIE_AGE).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Celery: without a broker every task runs eagerly in-process (laptop demo default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
if REDIS_SENTINELS:
    # kombu's Sentinel transport: it asks the sentinels for the master of `master_name`.
    CELERY_BROKER_URL = ";".join(
        f"sentinel://{host}:{port}/{REDIS_SENTINEL_BROKER_DB}" for host, port in REDIS_SENTINELS
    )
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "django-db"
#: Also keep each result's task name and arguments (the multi-host test counts beat's runs).
CELERY_RESULT_EXTENDED = env.bool("CELERY_RESULT_EXTENDED", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"bcp.tasks.generate_*": {"queue": "ai"}, "*.export_*": {"queue": "exports"}}
CELERY_TIMEZONE = TIME_ZONE
# Publishing fails fast when Redis is down (the outbox keeps the work; see core.outbox).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that dies unannounced (killed, host lost) goes back to the queue
    # after this many seconds; it must exceed the longest task (an AI draft: minutes).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if env("CELERY_UNACKED_RESTORE_THROTTLE", default=""):
    # kombu sweeps for messages past the visibility timeout every 10 s × this (default 10).
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = env.int(
        "CELERY_UNACKED_RESTORE_THROTTLE"
    )
if REDIS_SENTINELS:
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": REDIS_SENTINEL_KWARGS,
        "socket_connect_timeout": 1,
        # A master that vanished (host lost: no reset, no answer) must break the connection in
        # seconds, or a worker waits on it for ever and never asks Sentinel for the new one.
        "socket_timeout": 5,
        "socket_keepalive": True,
        "socket_keepalive_options": {
            socket.TCP_KEEPIDLE: 2,
            socket.TCP_KEEPINTVL: 1,
            socket.TCP_KEEPCNT: 3,
            socket.TCP_USER_TIMEOUT: 5000,
        },
    }
    # One beat across the cluster: celery-redbeat keeps the schedule in Redis and lets only the
    # holder of a lock (renewed every tick, expiring after CELERY_BEAT_LOCK_SECONDS) send tasks;
    # a beat started on another host waits for the lock and takes over when its holder dies.
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = f"redis-sentinel://{REDIS_SENTINEL_MASTER}"
    CELERY_REDBEAT_REDIS_OPTIONS = {
        "sentinels": REDIS_SENTINELS,
        "service_name": REDIS_SENTINEL_MASTER,
        "db": REDIS_SENTINEL_BROKER_DB,
        "socket_timeout": 1,
        "sentinel_kwargs": REDIS_SENTINEL_KWARGS,
    }
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_BEAT_LOCK_SECONDS", default=30)
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=5)
# The OCM summaries are recomputed this many seconds after a write; writes meanwhile share it.
OCM_REFRESH_DELAY_SECONDS = env.int("OCM_REFRESH_DELAY_SECONDS", default=10)
# Periodic tasks (celery beat). Each app adds its entries here.
CELERY_BEAT_SCHEDULE = {
    # Notifications (docs/notifications.md): reminders and escalation (BC reviews due
    # and overdue, pending acknowledgments, overdue partnership milestones, proposals waiting
    # too long), the daily digest, and e-mails a mail server refused. All idempotent.
    "notifications-send-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "notifications-send-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "notifications-retry-emails": {
        "task": "notifications.tasks.retry_emails",
        "schedule": 5 * 60,
    },
    "organizations-relay-outbox": {
        "task": "organizations.tasks.relay_outbox",
        # publishes work kept while Redis was down
        "schedule": env.int("OUTBOX_RELAY_INTERVAL_SECONDS", default=60),
    },
    "rollout-go-live": {
        "task": "rollout.tasks.run_go_live",
        "schedule": 60 * 60,  # hourly; idempotent (one GoLiveAttempt per organization and date)
    },
    "rollout-aggregate-adoption": {
        "task": "rollout.tasks.aggregate_adoption",
        "schedule": 6 * 60 * 60,  # folds yesterday's counters; an upsert, so repeats are harmless
    },
    # Incidents: each is idempotent, so a second run or two beat processes send
    # nothing twice.
    "incidents-escalate-unacknowledged": {
        "task": "incidents.tasks.escalate_unacknowledged",
        "schedule": 60,  # a contact past the response time → the alternate
    },
    "incidents-check-recovery-breaches": {
        "task": "incidents.tasks.check_recovery_breaches",
        "schedule": 60,  # a process past RTO / MTPD → the organization's admins
    },
    "incidents-retry-notifications": {
        "task": "incidents.tasks.retry_notifications",
        "schedule": 60,  # e-mail or SMS that failed (mail server, gateway down) → again
    },
    "bcp-expire-plan-shares": {
        "task": "bcp.tasks.expire_plan_shares",
        # tidies expired grants (access already ends at the expiry); idempotent
        "schedule": 15 * 60,
    },
    "ocm-refresh-summaries": {
        "task": "ocm.tasks.refresh_summaries",
        "schedule": 10 * 60,  # the dashboard's "data as of" is never older than this
    },
}

# Notifications: reminder and escalation thresholds, in days.
NOTIFY_REVIEW_DUE_DAYS = env.int("NOTIFY_REVIEW_DUE_DAYS", default=30)
NOTIFY_ACK_REMINDER_DAYS = env.int("NOTIFY_ACK_REMINDER_DAYS", default=7)
NOTIFY_PROPOSAL_REVIEW_DAYS = env.int("NOTIFY_PROPOSAL_REVIEW_DAYS", default=10)
NOTIFY_ESCALATE_AFTER_DAYS = env.int("NOTIFY_ESCALATE_AFTER_DAYS", default=7)

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
# SMTP (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): the server and its
# credentials. A slow or lost server never holds a page: mail is sent by background tasks.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="BMMS Portal <no-reply@bmms.local>")

# Incidents: SMS to call-tree contacts. The default sender only logs the message;
# "incidents.sms.HttpGatewaySender" POSTs JSON {to, message, sender} to the gateway URL with a
# bearer token (any non-2xx answer or timeout keeps the SMS as "failed, retrying").
INCIDENTS_SMS_SENDER = env("INCIDENTS_SMS_SENDER", default="incidents.sms.ConsoleSender")
INCIDENTS_SMS_GATEWAY_URL = env("INCIDENTS_SMS_GATEWAY_URL", default="")
INCIDENTS_SMS_GATEWAY_TOKEN = env("INCIDENTS_SMS_GATEWAY_TOKEN", default="")
INCIDENTS_SMS_SENDER_ID = env("INCIDENTS_SMS_SENDER_ID", default="BMMS")
INCIDENTS_SMS_GATEWAY_TIMEOUT_SECONDS = env.float(
    "INCIDENTS_SMS_GATEWAY_TIMEOUT_SECONDS", default=5.0
)

# AI generation (OpenAI-compatible endpoint); empty base URL = built-in generator.
LLM_BASE_URL = env("LLM_BASE_URL", default="")
LLM_API_KEY = env("LLM_API_KEY", default="")
LLM_MODEL = env("LLM_MODEL", default="llama-3.3-70b-versatile")
# One AI call waits at most this long; the client retries a failed call this many times
# (exponential backoff) before the built-in generator takes over.
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=60.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
# Hourly quotas (web and API together; the batch command is exempt). Each is per organization
# and per user; readers (viewers, OCM) may use at most a share of the organization's exports,
# so they cannot use up the exports of editors and approvers. An unchanged export asked for
# again is reused and counts against nothing.
BCP_GENERATIONS_PER_HOUR = env.int("BCP_GENERATIONS_PER_HOUR", default=20)
BCP_GENERATIONS_PER_USER_PER_HOUR = env.int("BCP_GENERATIONS_PER_USER_PER_HOUR", default=5)
BCP_EXPORTS_PER_HOUR = env.int("BCP_EXPORTS_PER_HOUR", default=60)
BCP_EXPORTS_PER_USER_PER_HOUR = env.int("BCP_EXPORTS_PER_USER_PER_HOUR", default=10)
BCP_EXPORTS_READER_SHARE_PERCENT = env.int("BCP_EXPORTS_READER_SHARE_PERCENT", default=50)

# Content Security Policy: nothing loads from outside, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logcontext.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Pagination size used by every list page.
PAGE_SIZE = 25
