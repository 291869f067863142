"""System checks: the app refuses to start misconfigured rather than fail on a recipient's click."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def maileon_key_required(app_configs, **kwargs):
    if not settings.DEBUG and not settings.MAILEON_API_KEY:
        return [
            Error(
                "MAILEON_API_KEY is not set.",
                hint="Set MAILEON_API_KEY to the Maileon API key (the sandbox answers only while DEBUG is on).",
                id="preference_center.E001",
            )
        ]
    return []


# Backends whose contents other processes never see: counts kept there would let a guesser try N times the
# limit with N processes (or without any limit: the dummy cache keeps nothing).
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(Tags.caches, deploy=False)
def shared_cache_required(app_configs, **kwargs):
    if not settings.DEBUG and settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        return [
            Error(
                "The default cache is per-process memory.",
                hint="Link-failure counts must be shared by every process: leave CACHE_URL unset (the database "
                     "cache) or set it to redis://…",
                id="preference_center.E002",
            )
        ]
    return []
