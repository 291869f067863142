"""The recipient pages inside a customer's site, as Chromium shows them with third-party cookies blocked.

One live server, two sites: the demo host page (preference_center/dev/embed_demo.py) is opened on
`http://localhost:PORT`, the recipient pages it embeds come from `http://127.0.0.1:PORT`. Different hosts are
different sites, so the iframe is third-party to Chromium and its cookie blocking applies to it.

Fixtures (import them into the test module):
- `embedding`: the seeded site with the host's origin in FRAME_ANCESTORS; builds host page and page URLs.
- `cookie_blocking_browser`: a Chromium profile whose preferences block third-party cookies, as a user's
  setting does (there is no command-line flag for it); a function opening a new page in it. The Chromium
  behind it (`cookie_blocking_context`) is launched once per module; each test's pages are closed after it.
  `chromium_profile("allow")` is the same with them allowed. Both use the session's `browser` fixture
  (tests/browser/conftest.py), so a missing Chromium skips (or under CI fails) these tests alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest

from .conftest import CHROMIUM, DESKTOP, LAUNCH_ARGS

# What Chromium's settings page writes for "Block third-party cookies" and for "Allow third-party cookies".
# (A fresh profile of Chromium 156 blocks them too, and so do Playwright's incognito contexts; saying it keeps
# the tests' premise from depending on a default.)
THIRD_PARTY_COOKIES = {
    "block": {"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}},
    "allow": {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}},
}
HEIGHT_TOLERANCE = 1  # px: the page reports whole pixels, rounded up


@dataclass
class Embedding:
    host_origin: str  # the customer's site
    pages_origin: str  # the recipient pages
    store: object  # the SandboxStore answering as Maileon

    def link_query(self, contact: int, **params) -> str:
        query = {"contactid": contact, "checksum": self.store.checksum_for(contact)}
        query.update({name: value for name, value in params.items() if value is not None})
        return urlencode(query)

    def host_page(self, page: str, contact: int, **params) -> str:
        """The customer's page for `page` ("profile" or "unsubscribe"), as the mailing links to it."""
        return f"{self.host_origin}/sandbox/embed-demo/{page}/?{self.link_query(contact, **params)}"

    def page(self, page: str, contact: int, **params) -> str:
        """The recipient page itself, opened directly."""
        return f"{self.pages_origin}/{page}/?{self.link_query(contact, **params)}"


@pytest.fixture
def embedding(site, settings) -> Embedding:
    host = site.base_url  # live_server.url: http://localhost:PORT
    parts = urlsplit(host)
    assert parts.hostname == "localhost", f"the host page needs the live server on localhost, not {host}"
    embedding = Embedding(host_origin=host, pages_origin=f"{parts.scheme}://127.0.0.1:{parts.port}",
                          store=site.store)
    settings.FRAME_ANCESTORS = [embedding.host_origin]
    return embedding


def launch_profile(browser, directory, third_party_cookies: str):
    """A Chromium with its own profile directory whose preferences say "block" or "allow" third-party cookies.

    Launched from the session's Playwright (one Playwright per thread); preferences need a profile directory,
    which only a persistent context has."""
    (directory / "Default").mkdir(parents=True)
    (directory / "Default" / "Preferences").write_text(json.dumps(THIRD_PARTY_COOKIES[third_party_cookies]))
    context = browser.browser_type.launch_persistent_context(
        user_data_dir=str(directory), executable_path=CHROMIUM, args=LAUNCH_ARGS,
        viewport={"width": DESKTOP, "height": 800},
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def chromium_profile(browser, tmp_path):
    """chromium_profile("block" | "allow") -> open_page(): new pages in a Chromium with that cookie setting."""
    contexts = []

    def launch(third_party_cookies: str):
        contexts.append(launch_profile(browser, tmp_path / f"chromium-{len(contexts)}", third_party_cookies))
        return contexts[-1].new_page

    yield launch
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def cookie_blocking_context(browser, tmp_path_factory):
    # One launch per module: the pages set no cookies and a test's pages are closed after it, so tests share
    # nothing through it but the browser.
    context = launch_profile(browser, tmp_path_factory.mktemp("chromium-blocking"), "block")
    yield context
    context.close()


@pytest.fixture
def cookie_blocking_browser(cookie_blocking_context):
    """open_page() -> a new page in a Chromium whose profile blocks third-party cookies."""
    pages = []

    def open_page():
        pages.append(cookie_blocking_context.new_page())
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()
    cookie_blocking_context.clear_cookies()


# --- reading a host page with the recipient page in its iframe


def recipient_frame(page):
    """The iframe's content frame, once embed.js has made the iframe and its page has loaded."""
    page.wait_for_selector("iframe")
    frame = page.locator("iframe").element_handle().content_frame()
    frame.wait_for_load_state()
    return frame


def iframe_height(page) -> float:
    return page.locator("iframe").evaluate("iframe => iframe.getBoundingClientRect().height")


def content_height(frame) -> float:
    """How tall the recipient page is inside the frame, whatever the frame's own height."""
    return frame.evaluate("document.documentElement.getBoundingClientRect().height")


def wait_until_fitted(page, frame) -> float:
    """Wait for the iframe to take the height of the page inside it; return that height."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    height = content_height(frame)
    try:
        page.wait_for_function(
            "([height, tolerance]) => Math.abs("
            "document.querySelector('iframe').getBoundingClientRect().height - height) <= tolerance",
            arg=[height, HEIGHT_TOLERANCE], timeout=5_000,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(f"the iframe stayed {iframe_height(page)} px tall for a page of {height} px") from None
    return iframe_height(page)


def scrolls_inside(frame) -> bool:
    return frame.evaluate("document.scrollingElement.scrollHeight > document.scrollingElement.clientHeight")


def submit_in_frame(frame, form) -> None:
    """Click the form's (a locator in `frame`) submit button and wait for the page it leads to, in the frame."""
    with frame.expect_navigation():
        form.locator("button[type=submit]").click()
    frame.wait_for_load_state()
