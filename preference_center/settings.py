"""The only settings module. Environments differ in values (environment variables, `.env`), not code."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Dev-safe defaults only while DEBUG is on: production must say what it wants.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
FRAME_ANCESTORS = env.list("FRAME_ANCESTORS", default=[])

MAILEON_API_KEY = env.str("MAILEON_API_KEY", default="")
# Sandbox mode: no key while DEBUG is on -> the embedded fake Maileon answers (it accepts the key "sandbox").
MAILEON_SANDBOX = DEBUG and not MAILEON_API_KEY
MAILEON_API_URL = env.str(
    "MAILEON_API_URL",
    default="http://127.0.0.1:8000/sandbox/maileon/1.0" if MAILEON_SANDBOX else "https://api.maileon.com/1.0",
).rstrip("/")
if MAILEON_SANDBOX:
    MAILEON_API_KEY = "sandbox"
MAILEON_CONNECT_TIMEOUT = 3.0
MAILEON_READ_TIMEOUT = 5.0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "preference_center.apps.PreferenceCenterConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, keeping the policy on our own 404/500 pages in DEBUG too (security.py)
    "preference_center.security.CSPMiddleware",
]

ROOT_URLCONF = "preference_center.urls"
WSGI_APPLICATION = "preference_center.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default": what every process and host must share (link-failure counts, lockouts), so never per-process
# memory. The database cache by default (its table is created by migrate, apps.py); redis://host:6379/0 when a
# Redis is there, with Django's own backend (pip install '.[redis]').
_CACHE_URL = env.str("CACHE_URL", default="dbcache://preference_center_cache")
CACHES = {
    "default": env.cache_url_config(
        _CACHE_URL,
        backend="django.core.cache.backends.redis.RedisCache" if _CACHE_URL.startswith("redis") else None,
    ),
    # "local": per process, for what may differ between processes for a while and must cost no round trip
    # (Maileon's account definitions, services/account.py).
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "preference-center-local"},
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Django culls a third of the rows once the table holds MAX_ENTRIES (default 300), oldest keys first by
    # name, not by age: an attacker filling the table could erase the counts of the contact they guess.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)

# Proxies in front of the app that append the client's address to X-Forwarded-For (throttle.client_address):
# 0 = none, the socket's peer is the client and the header, which anyone can send, is ignored.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)
if TRUSTED_PROXY_HOPS < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_HOPS must be 0 or more")

LANGUAGE_CODE = "en"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # Development serves static files from static/ through the finders; collectstatic is for production.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# Security headers. Recipient pages widen frame-ancestors per view (security.py); everything else is DENY.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# HSTS preload is a decision about the customer's whole registrable domain, not this app's (it usually runs
# on a subdomain such as prefs.example.com): we send HSTS but leave the preload list to the domain owner.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Every record reaches the root handler, whose filter masks checksums, email addresses and the API key
# (preference_center/redaction.py). Django gives "django" and "django.server" handlers of their own
# ("django.server" does not even propagate), so both are emptied here and send everything to root.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "preference_center.redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
