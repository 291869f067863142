"""A whole-page PNG of each admin screen a marketer uses, in German and English at 1,280 px, with months of data
on it (tests/backoffice/admin_screens.py, the screens the fit and language tests walk), written to
docs/screenshots/admin-<screen>-<language>.png. (tests/browser/admin_screenshots.py: details of single screens.)

Not collected by `make test` (the file name does not start with test_); run it by path:
`DEBUG=1 .venv/bin/python -m pytest tests/browser/admin_screens_screenshots.py -p no:cacheprovider`.
"""

from pathlib import Path

import pytest

from tests.backoffice.admin_screens import screens

from .conftest import DESKTOP
from .test_admin_fit import admin_site, sign_in  # noqa: F401  (admin_site: a fixture)

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BROWSER_LOCALE = {"de": "de-DE", "en": "en-GB"}
SHOWN = ["index", "pages", "page-change", "page-change-missing", "reasons", "reason-change", "requests",
         "requests-filtered", "request-suspected", "sla", "reasons-report"]


@pytest.mark.parametrize("language", list(BROWSER_LOCALE))
def test_admin_screenshots(open_page, admin_site, language):  # noqa: F811
    base_url, data = admin_site
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = open_page(width=DESKTOP, locale=BROWSER_LOCALE[language])
    sign_in(page, base_url)
    urls = screens(data)
    for name in SHOWN:
        page.goto(base_url + urls[name])
        page.screenshot(path=OUTPUT / f"admin-{name}-{language}.png", full_page=True, animations="disabled")
