"""Django settings, read from the environment.

Every setting an operator may change is an environment variable named in
docs/operations.md. The defaults give a working single-machine installation on
SQLite with all state under MELDPUNT_DATA_DIR.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from meldpunt.datadir import data_dir, installation_secret


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = os.environ.get("MELDPUNT_SECRET_KEY") or installation_secret("django")
DEBUG = env_bool("MELDPUNT_DEBUG")
ALLOWED_HOSTS = os.environ.get("MELDPUNT_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
# An onion address, when the line is also published as a Tor onion service.
MELDPUNT_ONION_LOCATION = os.environ.get("MELDPUNT_ONION_LOCATION", "")

INSTALLED_APPS = [
    # Django's admin behind the staff sign-in, every write audited (vault.adminsite).
    "meldpunt.vault.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    # infrastructure: imports nothing of ours but meldpunt.periodic
    "meldpunt.workers",
    # foundation
    "meldpunt.lines",
    "meldpunt.vault",
    "meldpunt.evidence",
    "meldpunt.privacy",
    "meldpunt.hashes",
    # workflow
    "meldpunt.intake",
    "meldpunt.cases",
    "meldpunt.chat",
    "meldpunt.hotline",
    # outbound
    "meldpunt.network",
    "meldpunt.stats",
    "meldpunt.operations.apps.OperationsConfig",
]

MIDDLEWARE = [
    # First, so nothing after it ever sees who the client is.
    "meldpunt.privacy.middleware.ClientAnonymityMiddleware",
    "meldpunt.privacy.middleware.SecurityHeadersMiddleware",
    # Outside all but the two above, so it sees every answer, also those of other
    # middleware; counts view names and status codes only (docs/operations.md).
    "meldpunt.operations.metrics.RequestMetricsMiddleware",
    # Outside the session's, which saves staff sessions after the view (chat.live).
    "meldpunt.chat.live.StreamConnectionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "meldpunt.language.BrowserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which is the first to read a form body.
    "meldpunt.intake.multipart.MultipartWatchMiddleware",
    "meldpunt.privacy.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "meldpunt.vault.middleware.SessionSecretMiddleware",
    "meldpunt.vault.middleware.PasswordChangeRequiredMiddleware",
    "meldpunt.vault.middleware.CorruptedContentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "meldpunt.urls"
WSGI_APPLICATION = "meldpunt.wsgi.application"

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
                "meldpunt.hotline.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'meldpunt.sqlite3'}"),
        conn_max_age=int(os.environ.get("MELDPUNT_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process and the worker read and write side by side.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# PostgreSQL only: a pool of at most this many connections per process (psycopg_pool
# through Django's OPTIONS["pool"]); 0 for none. Why: under ASGI every request runs
# in a thread of its own, so without a pool each one connects anew (a new server
# process on PostgreSQL's side) and persistent connections (CONN_MAX_AGE) never get
# reused. The pool also caps a process's connections: a request waits for a free one.
DB_POOL_SIZE = int(os.environ.get("MELDPUNT_DB_POOL", "0"))
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise ImproperlyConfigured(
            "MELDPUNT_DB_POOL and MELDPUNT_DB_CONN_MAX_AGE exclude each other: set one."
        )
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_SIZE),
        "max_size": DB_POOL_SIZE,
        # A request waiting longer than this for a connection fails as one that
        # cannot connect at all does: psycopg_pool.PoolTimeout is an OperationalError,
        # so the answer is 503 with Retry-After (meldpunt.errorpages.server_error).
        "timeout": 10,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "vault.StaffUser"
LOGIN_URL = "vault:login"
LOGIN_REDIRECT_URL = "cases:queue"
# Partner users (police, municipalities, ...) see only the forwards to their organisation.
PARTNER_LOGIN_REDIRECT_URL = "partner:inbox"

PASSWORD_HASHERS = [
    "meldpunt.vault.passwords.InstallationArgon2PasswordHasher",
]
# Argon2id cost of staff passwords; the defaults are Django's own (8 lanes).
PASSWORD_ARGON2_TIME_COST = int(os.environ.get("MELDPUNT_PASSWORD_TIME_COST", "2"))
PASSWORD_ARGON2_MEMORY_KIB = int(os.environ.get("MELDPUNT_PASSWORD_MEMORY_KIB", "102400"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions are short and die with the browser; the cookie never outlives the visit.
# The store keeps no time of a reporter's visit finer than the hour (docs/security.md).
SESSION_ENGINE = "meldpunt.privacy.sessionstore"
SESSION_COOKIE_AGE = int(os.environ.get("MELDPUNT_SESSION_SECONDS", str(30 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_NAME = "mp_session"
CSRF_COOKIE_NAME = "mp_csrf"
CSRF_COOKIE_AGE = None
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("MELDPUNT_HTTPS")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "meldpunt.errorpages.csrf_failure"
if SECURE:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploaded files are spooled into anonymous memory files, never to disk (plaintext
# would outlive a crash there); evidence/spool.py caps their size, and the intake
# forms enforce each line's limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["meldpunt.evidence.spool.MemoryFileUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
DATA_UPLOAD_MAX_NUMBER_FILES = 50
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(exist_ok=True, mode=0o700)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "mp_lang"
LANGUAGE_COOKIE_AGE = None
# Set only by the staff and partner pages' language button; reporter pages take the
# language from the URL and never read it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Strict"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are public: a front web server that must not read the data
# directory (docs/operations.md, "Production set-up") serves them from elsewhere.
STATIC_ROOT = Path(os.environ.get("MELDPUNT_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Encrypted blobs on disk: blobs/ in the data directory, or a folder that several
# machines share (a network file system; docs/operations.md, "Several machines").
BLOB_DIR = os.environ.get("MELDPUNT_BLOB_DIR") or str(DATA_DIR / "blobs")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BLOB_DIR},
    },
    "blobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BLOB_DIR, "file_permissions_mode": 0o600},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Blobs in an S3-compatible object store (docs/operations.md, "Object storage"): the
# encrypted blobs go there unchanged, under the same content-addressed names. Keys come
# from MELDPUNT_S3_ACCESS_KEY_ID/SECRET_ACCESS_KEY or, when those are unset, from boto3's
# own chain (AWS_ACCESS_KEY_ID, AWS_SHARED_CREDENTIALS_FILE, an instance role).
S3_STORAGE = "storages.backends.s3.S3Storage"
BLOB_STORAGE = os.environ.get("MELDPUNT_BLOB_STORAGE", "").strip()
if BLOB_STORAGE in {"s3", S3_STORAGE}:
    from botocore.config import Config as S3ClientConfig

    STORAGES["blobs"] = {
        "BACKEND": S3_STORAGE,
        "OPTIONS": {
            "bucket_name": os.environ.get("MELDPUNT_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("MELDPUNT_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MELDPUNT_S3_REGION") or None,
            "access_key": os.environ.get("MELDPUNT_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("MELDPUNT_S3_SECRET_ACCESS_KEY") or None,
            # A name is the hash of the content: the same name is the same bytes, so
            # writing it again is harmless and no other name may be chosen.
            "file_overwrite": True,
            # The bucket's own (private) policy; no public links to blobs.
            "default_acl": None,
            "querystring_auth": True,
            # A blob being read is held in memory up to this size, beyond it in a
            # nameless temporary file in tmp/ (ciphertext, as stored).
            "max_memory_size": 8 * 1024 * 1024,
            # A reporter waits for the upload: a store that does not answer fails the
            # send within seconds ("try again later"), after a few quick retries.
            "client_config": S3ClientConfig(
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "total_max_attempts": 3},
            ),
        },
    }
elif BLOB_STORAGE:
    STORAGES["blobs"]["BACKEND"] = BLOB_STORAGE

# django_tasks_db, writing task rows with their times to the hour (docs/security.md).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "MELDPUNT_TASK_BACKEND", "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"
        ),
    }
}
# Tasks whose worker died are retried or failed (meldpunt/workers/recovery.py): a
# `meldpunt worker` beats every WORKER_HEARTBEAT_SECONDS and counts as dead after
# WORKER_DEAD_SECONDS of silence; a task of a worker that never beats (plain
# db_worker) counts as abandoned after TASK_MAX_SECONDS. TASK_ATTEMPTS in all.
# Running workers look for abandoned tasks every WORKER_RECOVERY_SECONDS.
WORKER_RECOVERY_SECONDS = float(os.environ.get("MELDPUNT_WORKER_RECOVERY_SECONDS", "60"))
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("MELDPUNT_WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_DEAD_SECONDS = float(os.environ.get("MELDPUNT_WORKER_DEAD_SECONDS", "60"))
TASK_MAX_SECONDS = float(os.environ.get("MELDPUNT_TASK_MAX_SECONDS", "3600"))
TASK_ATTEMPTS = int(os.environ.get("MELDPUNT_TASK_ATTEMPTS", "3"))

# The worker key, which opens the data keys of files waiting for previews
# (docs/security.md): read from a file outside the data directory, or, only when
# explicitly allowed (the demo does), from the data directory itself.
EVIDENCE_WORKER_KEY_FILE = os.environ.get("MELDPUNT_WORKER_KEY_FILE", "")
EVIDENCE_WORKER_KEY_IN_DATA_DIR = env_bool("MELDPUNT_WORKER_KEY_IN_DATA_DIR")
# A file's sealed key for the worker is destroyed after this long, done or not.
EVIDENCE_DERIVATIVE_JOB_SECONDS = int(os.environ.get("MELDPUNT_DERIVATIVE_JOB_SECONDS", "3600"))
# A derivative job the blob store could not serve (a full disk) is tried again this
# much later, until the job's window above ends.
EVIDENCE_STORE_RETRY_SECONDS = float(os.environ.get("MELDPUNT_STORE_RETRY_SECONDS", "20"))

# Prometheus metrics at /metrics: off (404) without a token; with one, asked as
# "Authorization: Bearer <token>". /health/ready fails when a due task has
# waited longer than HEALTH_QUEUE_MAX_AGE_MINUTES (docs/operations.md).
METRICS_TOKEN = os.environ.get("MELDPUNT_METRICS_TOKEN", "").strip()
HEALTH_QUEUE_MAX_AGE_MINUTES = float(os.environ.get("MELDPUNT_HEALTH_QUEUE_MAX_AGE_MINUTES", "120"))

# Cost of the Argon2id key derivations (receipts and staff key wrapping).
# The defaults follow libsodium's "moderate" profile; tests lower them.
VAULT_KDF_OPSLIMIT = int(os.environ.get("MELDPUNT_KDF_OPSLIMIT", "3"))
VAULT_KDF_MEMLIMIT = int(os.environ.get("MELDPUNT_KDF_MEMLIMIT", str(256 * 1024 * 1024)))

# Receipt derivations (report submission, mailbox) run at most this many at once
# per process, in arrival order (0: one per core, within a quarter of the memory);
# a reporter who would wait longer than the limit is told the site is busy.
VAULT_KDF_SLOTS = int(os.environ.get("MELDPUNT_KDF_SLOTS", "0"))
VAULT_KDF_MAX_WAIT_SECONDS = float(os.environ.get("MELDPUNT_KDF_MAX_WAIT", "20"))

# The hash-check API's index split over processes (docs/operations.md, "Hash matching
# beyond one machine"): a shard process holds the rows of MELDPUNT_HASH_SHARD ("i/n");
# a front lists the shards' internal addresses in order, and fans each batch out to them.
HASHES_SHARD = os.environ.get("MELDPUNT_HASH_SHARD", "").strip()
HASHES_SHARD_SERVERS = [
    url.strip()
    for url in os.environ.get("MELDPUNT_HASH_SHARD_SERVERS", "").split(",")
    if url.strip()
]
HASHES_SHARD_TOKEN = os.environ.get("MELDPUNT_HASH_SHARD_TOKEN", "").strip()
HASHES_SHARD_TIMEOUT = float(os.environ.get("MELDPUNT_HASH_SHARD_TIMEOUT", "10"))

# This installation's address as staff and partners reach it, for links in e-mail.
SITE_URL = os.environ.get("MELDPUNT_SITE_URL", "http://localhost:8000")

# Published figures show smaller counts in small breakdowns as "< N" (docs/statistics.md).
STATS_MIN_COUNT = int(os.environ.get("MELDPUNT_STATS_MIN_COUNT", "5"))
# The annual report's "reports per workday" divides by this many workdays a year.
STATS_WORKDAYS_PER_YEAR = int(os.environ.get("MELDPUNT_STATS_WORKDAYS_PER_YEAR", "260"))
# PostgreSQL work_mem for the statistics' grouped passes over a period's reports
# (docs/statistics.md, "How the figures are counted"); empty: the server's own.
STATS_WORK_MEM = os.environ.get("MELDPUNT_STATS_WORK_MEM", "256MB").strip()

# Outgoing mail (staff and partner notifications, provider notices, partner
# deliveries): an SMTP server when MELDPUNT_SMTP_HOST is set, else the console.
SMTP_HOST = os.environ.get("MELDPUNT_SMTP_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "MELDPUNT_EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend"
            if SMTP_HOST
            else "django.core.mail.backends.console.EmailBackend",
        ),
        "OPTIONS": {
            "host": SMTP_HOST,
            "port": int(os.environ.get("MELDPUNT_SMTP_PORT", "25")),
            "username": os.environ.get("MELDPUNT_SMTP_USER", ""),
            "password": os.environ.get("MELDPUNT_SMTP_PASSWORD", ""),
            "use_tls": env_bool("MELDPUNT_SMTP_STARTTLS"),
            "timeout": float(os.environ.get("MELDPUNT_SMTP_TIMEOUT", "30")),
        }
        if SMTP_HOST
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("MELDPUNT_EMAIL_FROM", "meldpunt@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS: list[tuple[str, str]] = []

# Every handler carries the anonymity filter, including replacements for the
# handlers of Django's own default configuration (console and admin e-mail), and
# the filter that writes nothing about reporters' requests and tasks (a log line
# always has a time). The anonymity filter comes first: it cleans the record
# itself, for every handler, also when this handler then drops it.
# "plain" lines for people, "json" lines for a log collector (docs/operations.md, Logs).
LOG_FORMAT = os.environ.get("MELDPUNT_LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"MELDPUNT_LOG_FORMAT must be 'plain' or 'json', not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "anonymity": {"()": "meldpunt.privacy.logging.ClientDetailsFilter"},
        "reporter_activity": {"()": "meldpunt.privacy.logging.ReporterActivityFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {"()": "meldpunt.privacy.logging.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["anonymity", "reporter_activity"],
            "formatter": LOG_FORMAT,
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["anonymity", "reporter_activity", "require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MELDPUNT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        # The development server's access log names the client; it is never wanted.
        "django.server": {"handlers": [], "propagate": False},
        "waitress": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Libraries that announce at start-up which CPU features they loaded.
        "faiss": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}
