"""Browser tests: Debian's Chromium driven by Playwright against `live_server`, with the sandbox as Maileon.

Fixtures:
- `browser`: one Chromium for the session. Missing Chromium or Playwright skips the browser tests locally and
  fails them under CI=true (a CI run without its browser tests must not pass).
- `site`: the seeded default page behind the live server, with links for the sandbox's demo contacts.
- `open_page(width=..., javascript=...)`: a fresh context (no cookies, no cache) and a page with a network log.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest


from preference_center.models import PageConfig
from tests.conftest import demo_default_page

from .network import NetworkLog

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Root in a container, no GPU, closed network: nothing in the background may call home.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
PHONE, DESKTOP = 320, 1280
WIDTHS = [PHONE, DESKTOP]
LANGUAGES = ["de", "en"]
from tests.support import ERIKA, JOHN, LENA, ZOE  # noqa: E402, F401  (the demo contacts, re-exported)


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests are required)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop in this thread, so Django's async-unsafe guard would refuse
    the ORM calls the tests make beside it (the usual setting with pytest-django's live_server). Set while the
    browser tests run, database teardowns included; in the environment for good it would leak into other tests'
    subprocesses (`check --deploy` warns on it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


# Package scope: the loop ends with the browser tests, before any other test runs ORM code in this thread.
@pytest.fixture(scope="package")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    if not shutil.which(CHROMIUM):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    """The recipient pages of the default page configuration, as a recipient's browser reaches them."""

    base_url: str
    store: object  # the SandboxStore answering as Maileon
    page: PageConfig

    def url(self, path: str, contact: int | None = ERIKA, *, checksum: str | None = None, **params) -> str:
        query = {}
        if contact is not None:
            query = {"contactid": contact,
                     "checksum": self.store.checksum_for(contact) if checksum is None else checksum}
        query.update({name: value for name, value in params.items() if value is not None})
        return f"{self.base_url}{path}?{urlencode(query)}"

    def profile(self, contact: int = ERIKA, **params) -> str:
        return self.url("/profile/", contact, **params)

    def unsubscribe(self, contact: int = LENA, **params) -> str:
        return self.url("/unsubscribe/", contact, **params)


@pytest.fixture
def site(live_maileon, live_server, transactional_db) -> Site:
    page = demo_default_page()
    yield Site(base_url=live_server.url, store=live_maileon, page=page)


@pytest.fixture
def open_page(browser):
    """open_page(width=320, javascript=True, **context_options) -> a Playwright page with `.network` (NetworkLog)."""
    contexts = []

    def open_(*, width: int = DESKTOP, javascript: bool = True, **options):
        context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=javascript,
                                      **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.network = NetworkLog(page)
        return page

    yield open_
    for context in contexts:
        context.close()
