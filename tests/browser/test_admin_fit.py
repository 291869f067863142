"""The admin fits the screen: no admin screen scrolls sideways at 1,280 or 1,024 px, in German (the longest words
of the six languages), with a few months of data on it; nothing sticks out of the page either (a wide table may
scroll inside its own box, which must itself fit)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.backoffice.admin_screens import populate, screens

from .conftest import DESKTOP

WIDTHS = [DESKTOP, 1024]
USERNAME, PASSWORD = "marketer", "Richtig-und-geheim-42"

# The page's width against the viewport's, and what sticks out: elements whose right edge passes the viewport
# and that are not inside a box that scrolls sideways (such a box is measured instead).
MEASURE = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const scrolls = el => { const s = getComputedStyle(el).overflowX; return s === 'auto' || s === 'scroll'; };
  const inScrollBox = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    if (scrolls(p)) return true; } return false; };
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= width + 0.5 || inScrollBox(el)) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    outside.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} (${Math.round(box.right)} px)`);
  }
  const name = el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`;
  const scrolling = [...document.body.querySelectorAll('*')].filter(el => scrolls(el) && el.scrollWidth > el.clientWidth + 1)
    .map(el => `${name(el)} (${el.scrollWidth} in ${el.clientWidth} px)`);
  return {scrollWidth: root.scrollWidth, clientWidth: width, outside: outside.slice(0, 5), scrolling};
}"""


@pytest.fixture
def admin_site(live_server, live_maileon, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # signing in is not under test
    user = User.objects.create_superuser(USERNAME, password=PASSWORD)
    return live_server.url, populate(user)


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def lock_out(page, base_url: str) -> None:
    """Five wrong passwords for another username: the lockout page (django-axes) answers the fifth."""
    for _attempt in range(5):
        page.goto(f"{base_url}/admin/login/")
        page.fill("#id_username", "someone-else")
        page.fill("#id_password", "wrong")
        page.click("input[type=submit]")
    page.locator("body.lockout").wait_for()


def measure_all(open_page, base_url: str, data, width: int) -> dict[str, dict]:
    page = open_page(width=width, locale="de-DE")
    sign_in(page, base_url)
    measured = {}
    for name, url in screens(data).items():
        page.goto(base_url + url)
        measured[name] = page.evaluate(MEASURE)
    anonymous = open_page(width=width, locale="de-DE")
    anonymous.goto(f"{base_url}/admin/login/")
    measured["login"] = anonymous.evaluate(MEASURE)
    lock_out(anonymous, base_url)
    measured["lockout"] = anonymous.evaluate(MEASURE)
    return measured


@pytest.mark.parametrize("width", WIDTHS)
def test_no_admin_screen_scrolls_sideways_or_sticks_out(open_page, admin_site, width):
    base_url, data = admin_site
    measured = measure_all(open_page, base_url, data, width)
    assert len(measured) == len(screens(data)) + 2
    too_wide = {name: m for name, m in measured.items() if m["scrollWidth"] > m["clientWidth"] or m["outside"]}
    assert too_wide == {}
    # Nor does any of our boxes scroll sideways inside the page (the lists, the inlines, the report's tables and
    # charts did before): only Django's permission picker on a group's page, whose long names scroll in the box.
    scrolling = {name: [box for box in m["scrolling"] if not box.startswith("select#id_permissions_")]
                 for name, m in measured.items()}
    assert {name: boxes for name, boxes in scrolling.items() if boxes} == {}
