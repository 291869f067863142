"""`make screenshots`: a PNG of every page state (tests/browser/states.py) in German and English (and the first
pages in French, Italian, Spanish and Dutch), on a phone
(320 px) and a desktop (1280 px), written to docs/screenshots/<state>-<language>-<width>.png.

Not collected by `make test` (the file name does not start with test_); run it by path:
`DEBUG=1 .venv/bin/python -m pytest tests/browser/screenshots.py`.
"""

from pathlib import Path

import pytest

from .conftest import LANGUAGES, WIDTHS
from .states import STATES

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The browser language of a recipient of each language.
BROWSER_LOCALE = {"de": "de-DE", "en": "en-GB", "fr": "fr-FR", "it": "it-IT", "es": "es-ES", "nl": "nl-NL"}
# The four languages beyond German and English: the pages a recipient meets first, to show the catalogues.
MORE_LANGUAGES = ["fr", "it", "es", "nl"]
MORE_LANGUAGE_STATES = ["profile", "unsubscribe-topics", "unsubscribe-done", "link-invalid"]


@pytest.mark.parametrize(("state", "language"), [
    *((state, language) for state in STATES for language in LANGUAGES),
    *((state, language) for state in MORE_LANGUAGE_STATES for language in MORE_LANGUAGES),
])
def test_screenshot(open_page, site, state, language):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = open_page(width=WIDTHS[0], locale=BROWSER_LOCALE[language])
    STATES[state][0](page, site, language)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 640})
        page.screenshot(path=OUTPUT / f"{state}-{language}-{width}.png", full_page=True, animations="disabled")
