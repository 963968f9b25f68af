"""Settings for every environment; switched by environment variables only (no secrets in files)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SANSHE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secrets() -> dict[str, str]:
    """Keys for a laptop demo, made once and kept in var/ (never committed); production sets env vars."""
    path = VAR_DIR / "local-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def _secret(name: str) -> str:
    return os.environ.get(name) or _local_secrets()[name]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret("SECRET_KEY")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Field encryption (django-fernet-encrypted-fields): the first key encrypts, all keys decrypt (rotation).
SALT_KEY = env_list("FIELD_ENCRYPTION_KEYS") or [_local_secrets()["FIELD_ENCRYPTION_KEYS"]]
# HMAC key for blind indexes (exact lookups / de-duplication of ID and phone numbers).
BLIND_INDEX_KEY = _secret("BLIND_INDEX_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form gets the site's Chinese "page expired" page (sanshe/templates/403_csrf.html) with a way back.
CSRF_FAILURE_VIEW = "sanshe.core.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "huey.contrib.djhuey",
    "ninja",
    "axes",
    "sanshe.core",
    "sanshe.core.notify",
    "sanshe.accounts",
    "sanshe.places",
    "sanshe.people",
    "sanshe.api",
    "sanshe.triage",
    "sanshe.volunteers",
    "sanshe.groups",
    "sanshe.rosters",
    "sanshe.monitoring",
    "sanshe.cases",
    "sanshe.assessments",
    "sanshe.crisis",
    "sanshe.records",
    "sanshe.knowledge",
    "sanshe.home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sanshe.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sanshe.core.context.RequestContextMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sanshe.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sanshe.urls"
WSGI_APPLICATION = "sanshe.wsgi.application"
ASGI_APPLICATION = "sanshe.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sanshe" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sanshe.home.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL, busy timeout) by default; PostgreSQL when DATABASE_URL is set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "sanshe.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;PRAGMA cache_size=-64000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "sanshe",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "sanshe",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sanshe.accounts.backends.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "sanshe.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保2.0: lock out after repeated failures, idle timeout.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "sanshe.accounts.views.lockout_response"
AXES_VERBOSE = False
# Per address, across accounts: this many failed logins within the window and the address may not try to
# log in (any account) until the oldest leaves the window. The accounts themselves are not locked.
# 0 turns it off (e.g. a whole district behind one NAT address).
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", "20"))
LOGIN_IP_WINDOW_MINUTES = float(os.environ.get("LOGIN_IP_WINDOW_MINUTES", "15"))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
# Residents (users with no staff role) stay logged in on their own phone: their session ends after this many
# seconds without use (sliding; never shorter than SESSION_IDLE_TIMEOUT), then they log in again by SMS code.
# Staff keep SESSION_IDLE_TIMEOUT. See sanshe/core/sessions.py.
RESIDENT_SESSION_IDLE_TIMEOUT = int(os.environ.get("RESIDENT_SESSION_IDLE_TIMEOUT", str(14 * 24 * 60 * 60)))
# An open WebSocket re-checks its session and access before a push at most this often (each action, catch-up
# and control message re-checks at once); see sanshe/core/consumers.py.
SOCKET_RECHECK_SECONDS = float(os.environ.get("SOCKET_RECHECK_SECONDS", "5"))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# One-time codes for residents.
# The console backend is for the laptop demo only: `check --deploy` refuses it when DEBUG is off. Production
# uses sanshe.accounts.sms.HttpSmsBackend (a JSON POST to SMS_WEBHOOK_URL) or another class of its own.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sanshe.accounts.sms.ConsoleSmsBackend")
# The console backend stars out codes and links unless this is on (DEBUG, or `serve --demo-logins`).
SMS_CONSOLE_SHOW_CODES = env_bool("SMS_CONSOLE_SHOW_CODES", DEBUG)
SMS_WEBHOOK_URL = os.environ.get("SMS_WEBHOOK_URL", "")
SMS_WEBHOOK_TOKEN = os.environ.get("SMS_WEBHOOK_TOKEN", "")
SMS_WEBHOOK_TIMEOUT = float(os.environ.get("SMS_WEBHOOK_TIMEOUT", "10"))
# The shared secret the SMS gateway signs its status reports with (HMAC-SHA256; /notifications/sms/status/,
# sanshe.core.notify.sms). Unset: the endpoint answers 404 and texts stay "sent".
SMS_STATUS_SECRET = os.environ.get("SMS_STATUS_SECRET", "")
# The notify layer (sanshe.core.notify): non-critical texts per phone per window, attempts before a delivery
# is marked failed; WeCom (企业微信) app messages when all three WECOM_* values are set, and the API base (an
# intranet relay may stand in for https://qyapi.weixin.qq.com).
NOTIFY_SMS_RATE = (int(os.environ.get("NOTIFY_SMS_PER_WINDOW", "20")), int(os.environ.get("NOTIFY_SMS_WINDOW", "600")))
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "4"))
WECOM_CORP_ID = os.environ.get("WECOM_CORP_ID", "")
WECOM_APP_SECRET = os.environ.get("WECOM_APP_SECRET", "")
WECOM_AGENT_ID = os.environ.get("WECOM_AGENT_ID", "")
WECOM_API_BASE = os.environ.get("WECOM_API_BASE", "")
OTP_TTL_SECONDS = int(os.environ.get("OTP_TTL_SECONDS", "300"))
OTP_MAX_PER_PHONE_PER_HOUR = int(os.environ.get("OTP_MAX_PER_PHONE_PER_HOUR", "5"))
OTP_MAX_PER_IP_PER_HOUR = int(os.environ.get("OTP_MAX_PER_IP_PER_HOUR", "20"))
OTP_MAX_ATTEMPTS = 5

# The address people open the platform at (e.g. https://sanshe.example.org): text messages about a crisis
# carry a link to it. Empty: messages name the page instead.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Rejected volunteer applications (tool 1 personal data and certificate files) are deleted this many days
# after the decision (PIPL: kept only as long as the purpose needs; the applicant has been told the reason).
VOLUNTEER_REJECTED_RETENTION_DAYS = max(int(os.environ.get("VOLUNTEER_REJECTED_RETENTION_DAYS", "90")), 30)

# Audit retention (at least 6 months by 等保2.0).
AUDIT_RETENTION_DAYS = max(int(os.environ.get("AUDIT_RETENTION_DAYS", "200")), 183)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sanshe" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "sanshe" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# ROSTER_MAX_UPLOAD_MB is the variable's name before the rename ("roster" now means duty shifts only).
HOUSEHOLD_SHEET_MAX_UPLOAD_BYTES = int(
    os.environ.get("HOUSEHOLD_SHEET_MAX_UPLOAD_MB") or os.environ.get("ROSTER_MAX_UPLOAD_MB") or "30") * 1024 * 1024
# Uploaded files (household sheets, knowledge imports, pictures, certificates) are parsed in a child process with these
# limits (sanshe.core.uploads): address space, CPU seconds, wall-clock seconds; spreadsheets also by cells
# (rows x columns of a sheet's used range), unzipped size and compression ratio; pictures by pixels.
UPLOAD_PARSE_MEMORY_MB = int(os.environ.get("UPLOAD_PARSE_MEMORY_MB", "2048"))
UPLOAD_PARSE_CPU_SECONDS = int(os.environ.get("UPLOAD_PARSE_CPU_SECONDS", "120"))
UPLOAD_PARSE_TIMEOUT_SECONDS = int(os.environ.get("UPLOAD_PARSE_TIMEOUT_SECONDS", "300"))
UPLOAD_SHEET_MAX_CELLS = int(os.environ.get("UPLOAD_SHEET_MAX_CELLS", "5000000"))
UPLOAD_UNZIPPED_MAX_MB = int(os.environ.get("UPLOAD_UNZIPPED_MAX_MB", "300"))
UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("UPLOAD_ZIP_MAX_RATIO", "100"))
UPLOAD_IMAGE_MAX_PIXELS = int(os.environ.get("UPLOAD_IMAGE_MAX_PIXELS", "40000000"))

# Behind HTTPS in production (HTTPS=1): everything `check --deploy` asks for.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", HTTPS)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of the app append to X-Forwarded-For (1: the documented nginx). The
# client IP is the entry that many places from the right; entries further left are whatever the client
# sent and are never trusted. 0: the header is ignored and the socket address is the client.
TRUSTED_PROXY_COUNT = max(int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0")), 0)
# axes (login lockout and throttling) reads the client IP through the same function as everything else.
AXES_CLIENT_IP_CALLABLE = "sanshe.core.context.client_ip"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Where the browser opens WebSockets: same origin behind a proxy, or the ASGI port on a laptop.
WEBSOCKET_URL = os.environ.get("WEBSOCKET_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Own handler, not propagated: run_huey adds a second handler to a handler-less "huey" logger.
        "huey": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}

# Lockout is per account (等保2.0: "lock the account after repeated failures"); axes' per-IP lock would shut
# out a whole community office behind one NAT address. Addresses are throttled by a higher, windowed limit
# instead (LOGIN_IP_FAILURE_LIMIT, accounts.middleware.LoginIpThrottleMiddleware); one-time codes are
# rate-limited per IP separately.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- accounts (appended by the accounts part) ---
# Lock the account, not the spelling: a username and the phone number of the same account count together,
# and a phone number typed at the login page never lands in axes' tables in clear.
AXES_USERNAME_CALLABLE = "sanshe.accounts.lockout.axes_username"
# Session policy runs after MessageMiddleware (it tells the user why they were sent to another page):
# idle timeout, then the forced change of a password that an administrator chose.
MIDDLEWARE.remove("sanshe.accounts.middleware.IdleTimeoutMiddleware")
_messages_at = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_messages_at:_messages_at] = [
    "sanshe.accounts.middleware.IdleTimeoutMiddleware",
    "sanshe.accounts.middleware.PasswordChangeRequiredMiddleware",
    "sanshe.accounts.middleware.LoginIpThrottleMiddleware",
]
# The same length rule, with a Chinese message (Django's zh-Hans catalogue has none for it).
AUTH_PASSWORD_VALIDATORS = [
    {**rule, "NAME": "sanshe.accounts.validators.MinimumLengthValidator"}
    if rule["NAME"].endswith(".MinimumLengthValidator") else rule
    for rule in AUTH_PASSWORD_VALIDATORS
]

# --- pages (appended by the pages part) ---
# Every 403 a view raises is written to the audit log as `access.denied`.
MIDDLEWARE.append("sanshe.core.middleware.AccessDeniedAuditMiddleware")

# --- groups (appended by the groups part) ---
# Keep SQLite connections between requests and WebSocket messages, as PostgreSQL's already are (conn_max_age
# above): reopening the file and re-running the PRAGMAs for every chat message made a send ~4× slower.
if not DATABASE_URL:
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
