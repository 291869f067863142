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
