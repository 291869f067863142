"""The only settings module. Environments differ in values (environment variables, `.env`), not code."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from . import languages

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
    "axes",
    "preference_center.apps.PreferenceCenterConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, sign-in and messages for the admin's paths only (recipient pages use none of them)
    "preference_center.backoffice.middleware.AdminSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "preference_center.backoffice.middleware.AdminAuthenticationMiddleware",
    "preference_center.backoffice.middleware.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, keeping the policy on our own 404/500 pages in DEBUG too (pages/security.py)
    "preference_center.pages.security.CSPMiddleware",
    # Last, as axes requires: it turns a sign-in refused for a lockout into the lockout page, which then passes
    # through the language, framing and CSP middleware above like any other answer.
    "axes.middleware.AxesMiddleware",
]

# axes first: it refuses a locked-out sign-in before ModelBackend checks the password (and it needs the request,
# so tests that are not about signing in use force_login, not Client.login).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "preference_center.urls"
WSGI_APPLICATION = "preference_center.wsgi.application"

TEMPLATES = [
    # The admin's (preference_center/templates/admin, Django's own): Django's template engine. The app's folder
    # is also searched first, so its admin/base_site.html and admin/filter.html win over django.contrib.admin's.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "preference_center" / "templates"],
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
    # The recipient pages (templates/): Jinja2, compiled once per process (pages/templating.py). No context
    # processors: a page gets what rendering.py gives it.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "preference_center.pages.templating.environment"},
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A crowd of unsubscribes at once, from several threads and processes. IMMEDIATE: a transaction takes the
    # write lock when it begins, so one that has read cannot fail on upgrading to write ("database is locked"
    # at once, whatever the timeout); the others queue for up to `timeout` seconds. WAL: readers never wait
    # for the writer. synchronous=NORMAL in WAL: no fsync per commit (a power cut may lose the last commits,
    # a crashed process loses nothing). Options in DATABASE_URL's query win. In memory (tests) WAL is a no-op.
    for option, value in {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }.items():
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(option, value)
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
LANGUAGES = list(languages.LANGUAGES)
# Which of them recipients are offered (links' lang=, the contact's LOCALE, Accept-Language, the switcher) and the
# admin asks texts for. A page whose default language is not enabled speaks the first enabled one.
ENABLED_LANGUAGES = env.list("ENABLED_LANGUAGES", default=list(languages.CODES))
if not ENABLED_LANGUAGES or set(ENABLED_LANGUAGES) - set(languages.CODES):
    raise ImproperlyConfigured(
        f"ENABLED_LANGUAGES must name one or more of {', '.join(languages.CODES)}; got {','.join(ENABLED_LANGUAGES)!r}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from with DEBUG off (a deployment may keep it outside the code).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
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

# Security headers. Recipient pages widen frame-ancestors per view (pages/security.py); everything else is DENY.
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

# Brute-force protection of the admin sign-in (django-axes; README "Admin sign-in lockout"). Fixed here, not in
# the environment: 5 failed sign-ins for one username from one client address lock that pair for 15 minutes;
# the same username from elsewhere, and other usernames from that address, still sign in. Counted in the
# database, so every process and host sees the same counts. A failed attempt while locked restarts the cool-off
# (axes' default), a successful sign-in clears the count.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/preference_center/lockout.html"
# The same client address as the link-failure throttle, proxies and all (preference_center/lockout.py).
AXES_CLIENT_IP_CALLABLE = "preference_center.backoffice.lockout.client_ip_address"
# Every failure is also kept in "Access failures" (the admin), which survive an unlock; prune with
# `manage.py axes_reset_failure_logs --age DAYS`.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Log lines name the username and the address (needed to unlock the right pair); the password is always masked.
AXES_SENSITIVE_PARAMETERS = []
# No "AXES: BEGIN" line at the start of every process and command; log lines name only what a lock is about.
AXES_VERBOSE = False

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
        # axes: failures and lockouts are warnings; its INFO lines (housekeeping on every attempt) are noise.
        "axes": {"level": "WARNING"},
    },
}
