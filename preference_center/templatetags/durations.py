"""Template filters for durations."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(duration: timedelta) -> int:
    """Minutes, rounded up: "try again in 1 minute" must not be said of a wait of 90 seconds."""
    return math.ceil(duration.total_seconds() / 60)
