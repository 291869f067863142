"""The link builder in a German marketer's browser at 1280 px: the mailing links and one-click headers follow the
slug as it is typed, before the first save; each has a copy button (the Clipboard API, or the text selected where
the browser refuses it) whose outcome a screen reader hears; without JavaScript the saved page's links still show.
All under the admin's CSP (script-src 'self'): a blocked script would show as a console error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from preference_center.models import PageConfig

from .admin_session import sign_in
from .conftest import DESKTOP

QUERY = "contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]&mailingid=[MAILING|ID]"
ADD_URL = reverse("admin:preference_center_pageconfig_add")


@pytest.fixture
def marketer(site):
    """open(open_page, javascript=True, **context options) -> a page in a German browser at 1280 px, signed in to
    the admin, with `.console_errors`."""

    def open_(open_page, *, javascript: bool = True, **options):
        page = open_page(width=DESKTOP, javascript=javascript, locale="de-DE", **options)
        sign_in(page, site.base_url)
        page.console_errors = []

        def note(message):
            # Django's admin links no icon, so the browser's own request for /favicon.ico is a 404: not ours.
            if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
                page.console_errors.append((message.text, message.location["url"]))

        page.on("console", note)
        page.on("pageerror", lambda error: page.console_errors.append((str(error), page.url)))
        return page

    return open_


def change_url(site, page: PageConfig) -> str:
    return site.base_url + reverse("admin:preference_center_pageconfig_change", args=[page.pk])


def test_the_links_follow_the_slug_as_it_is_typed_before_the_first_save(open_page, marketer, site):
    page = marketer(open_page)
    page.goto(site.base_url + ADD_URL)
    profile, unsubscribe = page.locator("#link-profile"), page.locator("#link-unsubscribe")
    header = page.locator("#header-list-unsubscribe")
    waiting = page.get_by_text("Geben Sie oben einen Kurznamen ein")
    expect(waiting).to_be_visible()
    expect(profile).to_be_hidden()

    # The name fills in the slug (Django's prepopulate), and the links follow it.
    page.locator("#id_name").press_sequentially("Herbst Aktion")
    expect(page.locator("#id_slug")).to_have_value("herbst-aktion")
    expect(profile).to_have_text(f"{site.base_url}/p/herbst-aktion/profile/?{QUERY}")
    expect(unsubscribe).to_have_text(f"{site.base_url}/p/herbst-aktion/unsubscribe/?{QUERY}")
    expect(header).to_have_text(f"List-Unsubscribe: <{site.base_url}/p/herbst-aktion/unsubscribe/one-click/?{QUERY}>")
    expect(page.locator("#header-list-unsubscribe-post")).to_have_text(
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    expect(waiting).to_be_hidden()

    slug = page.locator("#id_slug")
    slug.fill("")
    expect(waiting).to_be_visible()
    expect(profile).to_be_hidden()
    slug.press_sequentially("winter-2025")
    expect(profile).to_have_text(f"{site.base_url}/p/winter-2025/profile/?{QUERY}")

    page.locator("#id_is_default").check()  # the default page answers without a slug
    expect(profile).to_have_text(f"{site.base_url}/profile/?{QUERY}")
    expect(page.get_by_role("button", name="Kopieren: Profil-Link")).to_be_visible()
    assert page.console_errors == []


def test_copy_puts_the_link_on_the_clipboard_and_says_so(open_page, marketer, site):
    page = marketer(open_page, permissions=["clipboard-read", "clipboard-write"])
    page.goto(change_url(site, site.page))
    status = page.get_by_role("status")
    page.get_by_role("button", name="Kopieren: Abmelde-Link").click()

    expect(status).to_have_text("Abmelde-Link in die Zwischenablage kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{site.base_url}/unsubscribe/?{QUERY}"
    assert page.locator("#mailing-links-status").get_attribute("aria-live") == "polite"

    page.get_by_role("button", name="Kopieren: Header List-Unsubscribe-Post").click()
    expect(status).to_have_text("Header List-Unsubscribe-Post in die Zwischenablage kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    assert page.console_errors == []


def test_without_the_clipboard_api_the_text_is_selected_for_the_keyboard(open_page, marketer, site):
    page = marketer(open_page)
    # As on a plain-http admin, where browsers offer no navigator.clipboard.
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});")
    page.goto(change_url(site, site.page))
    assert page.evaluate("navigator.clipboard") is None
    page.get_by_role("button", name="Kopieren: Profil-Link").click()

    expect(page.get_by_role("status")).to_have_text(
        # Chromium still lets a click copy the selection the old way; a browser that does not is told to press Ctrl+C.
        re.compile(r"^Profil-Link (in die Zwischenablage kopiert\.|markiert: Drücken Sie Strg\+C)"))
    assert page.evaluate("window.getSelection().toString()") == f"{site.base_url}/profile/?{QUERY}"


def test_without_javascript_the_saved_page_shows_its_links_and_a_new_one_none(open_page, marketer, site):
    other = PageConfig.objects.create(slug="herbst", name="Herbst")
    page = marketer(open_page, javascript=False)
    page.goto(change_url(site, other))
    expect(page.locator("#link-profile")).to_have_text(f"{site.base_url}/p/herbst/profile/?{QUERY}")
    expect(page.locator("button.pc-copy").first).to_be_hidden()  # copying needs the script

    page.goto(site.base_url + ADD_URL)
    expect(page.locator("#mailing-links")).to_be_hidden()


def test_previews_open_in_a_new_tab_and_say_so(open_page, marketer, site):
    page = marketer(open_page)
    page.goto(change_url(site, site.page))
    preview = page.get_by_role("link", name="Abmeldeseite (de) (öffnet in einem neuen Tab)")
    assert preview.get_attribute("target") == "_blank" and preview.get_attribute("rel") == "noopener"
    with page.context.expect_page() as opened:
        preview.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.endswith("/preview/unsubscribe/de/") and page.url == change_url(site, site.page)
