"""Colour contrast as WCAG 2 measures it, for the page theme: which text colour goes on the primary colour, whether
a primary colour is readable on the pages, and the nearest darker shade of its hue that is.

Pure arithmetic (no Django): the theme stylesheet (pages/views/assets.py) and the admin's check (backoffice/contrast.py)
must agree on every number.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

# WCAG 2.2 success criterion 1.4.3 (AA): normal-size text needs 4.5:1 against its background.
AA_NORMAL_TEXT = 4.5

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
WHITE, BLACK = "#ffffff", "#000000"
# What the primary colour is read against on the recipient pages (static/pages.css, tests keep these in step):
# links on the page background, and links inside the notice and down-sell boxes on the surface colour.
PAGE_BACKGROUND = "#ffffff"  # --pc-background
SURFACE = "#f6f8fa"  # --pc-surface


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2's relative luminance of an sRGB colour written #rrggbb."""
    def linear(c: float) -> float:
        # 0.03928 as in WCAG 2.0 and axe-core; 0.04045 (sRGB) differs from it for no 8-bit value.
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1.0 to 21.0."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def on_colour(hex_colour: str) -> str:
    """Black or white text on `hex_colour` (the button text on the primary colour), whichever contrasts more."""
    return BLACK if contrast(hex_colour, BLACK) > contrast(hex_colour, WHITE) else WHITE


@dataclass(frozen=True)
class Reading:
    """How well a primary colour reads where the pages use it: the weakest of its pairings."""

    colour: str
    ratio: float  # the lowest contrast of the pairings below
    against: str  # which pairing: "background", "surface" or "button_text"

    @property
    def passes(self) -> bool:
        return self.ratio >= AA_NORMAL_TEXT


def reading(primary: str) -> Reading:
    """The primary colour as link text on the page background and on the boxes' surface, and as the background
    of its button text."""
    pairings = {
        "background": contrast(primary, PAGE_BACKGROUND),
        "surface": contrast(primary, SURFACE),
        "button_text": contrast(primary, on_colour(primary)),
    }
    against = min(pairings, key=pairings.__getitem__)
    return Reading(primary.lower(), pairings[against], against)


def darker_passing_shade(primary: str) -> str:
    """The lightest shade of `primary`'s hue (same hue and saturation, lower lightness) that passes, i.e. the
    nearest darker one; `primary` itself when it passes already. Lightness only lowers the luminance, so a
    bisection finds it, and black always passes."""
    if reading(primary).passes:
        return primary.lower()
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(primary))

    def shade(level: float) -> str:
        return _hex(colorsys.hls_to_rgb(hue, level, saturation))

    low, high = 0.0, lightness  # low passes (black), high does not
    for _step in range(30):
        middle = (low + high) / 2
        if reading(shade(middle)).passes:
            low = middle
        else:
            high = middle
    # Rounding to #rrggbb may land a hair below the line: step down until the written colour passes.
    while not reading(shade(low)).passes:
        low = max(low - 1 / 510, 0.0)
    return shade(low)
