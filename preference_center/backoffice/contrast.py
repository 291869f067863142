"""A primary colour the pages cannot be read in is refused, with the measured contrast and a darker shade of the
same hue that passes (WCAG 2.2 AA, 4.5:1 for text). Pages saved before with such a colour keep rendering: the
admin only warns when one is opened, and refuses to save it again unchanged."""

from __future__ import annotations

import math

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy as _

from .. import colours

PAIRINGS = {
    "background": _("as link text on the white page background"),
    "surface": _("as link text on the light grey boxes (e.g. \"Fewer emails instead?\")"),
    "button_text": _("behind the button text"),
}


def _ratio(value: float) -> str:
    # Cut, not rounded: 4.497 must not read "4.50:1" in a message that says 4.5:1 is not reached.
    return number_format(math.floor(value * 100) / 100, decimal_pos=2)


def problem(primary: str) -> str | None:
    """What is wrong with `primary` in the marketer's words, with the numbers and a suggestion; None when it
    passes (or is no #rrggbb colour at all, which the field's own validator reports)."""
    if not colours.HEX_COLOUR.fullmatch(primary or ""):
        return None
    reading = colours.reading(primary)
    if reading.passes:
        return None
    suggestion = colours.darker_passing_shade(primary)
    return gettext(
        "The primary colour %(colour)s is hard to read: its contrast %(where)s is %(ratio)s:1, and WCAG AA asks "
        "for at least %(minimum)s:1. The nearest darker shade of the same hue that passes is %(suggestion)s "
        "(%(suggested_ratio)s:1)."
    ) % {
        "colour": reading.colour,
        "where": PAIRINGS[reading.against],
        "ratio": _ratio(reading.ratio),
        "minimum": number_format(colours.AA_NORMAL_TEXT, decimal_pos=1),
        "suggestion": suggestion,
        "suggested_ratio": _ratio(colours.reading(suggestion).ratio),
    }
