"""`make screenshots`: a PNG of every page state (tests/browser/states.py) in German and English, on a phone
(320 px) and a desktop (1280 px), written to docs/screenshots/<state>-<language>-<width>.png.

Not collected by `make test` (the file name does not start with test_); run it by path:
`DEBUG=1 .venv/bin/python -m pytest tests/browser/screenshots.py`.
"""

from pathlib import Path

import pytest

from .conftest import LANGUAGES, WIDTHS
from .states import STATES

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BROWSER_LOCALE = {"de": "de-DE", "en": "en-GB"}  # the browser language of a German or English recipient


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", list(STATES))
def test_screenshot(open_page, site, state, language):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = open_page(width=WIDTHS[0], locale=BROWSER_LOCALE[language])
    STATES[state][0](page, site, language)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 640})
        page.screenshot(path=OUTPUT / f"{state}-{language}-{width}.png", full_page=True, animations="disabled")
