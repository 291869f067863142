"""Admin screens for the closing note: docs/screenshots/admin-<screen>-<language>.png at 1280 px, in a German and
an English browser, against the sandbox as Maileon.

Not collected by `make test` (the file name does not start with test_); run it by path:
`DEBUG=1 .venv/bin/python -m pytest tests/browser/admin_screenshots.py -p no:cacheprovider`.
Each screen is a function (page, site) that leaves the browser where the picture is taken and returns the
element to photograph (None: the viewport).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from preference_center.models import PageConfig
from preference_center.services import definitions

from .admin_session import sign_in
from .conftest import DESKTOP

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BROWSER_LOCALE = {"de": "de-DE", "en": "en-GB"}


def _change(site, page: PageConfig) -> str:
    return site.base_url + reverse("admin:preference_center_pageconfig_change", args=[page.pk])


def _top_of_change_form(page, site):
    page.goto(_change(site, site.page))
    return None  # the viewport: the status box on top and the first fieldsets


def page_status_ok(page, site):
    return _top_of_change_form(page, site)


def page_status_missing(page, site):
    site.store.become_another_account()
    definitions.forget()
    return _top_of_change_form(page, site)


def page_status_unreachable(page, site):
    site.store.faults.inject(status=503, times=None)
    definitions.forget()
    return _top_of_change_form(page, site)


def pages_list(page, site):
    PageConfig.objects.create(slug="herbst-aktion", name="Herbst-Aktion")
    PageConfig.objects.create(slug="altes-konto", name="Altes Konto", pause_field="PAUSIERT_BIS",
                              new_link_transaction_type=9999)
    definitions.forget()
    page.goto(site.base_url + reverse("admin:preference_center_pageconfig_changelist"))
    return None


def link_builder(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site.base_url + reverse("admin:preference_center_pageconfig_add"))
    page.locator("#id_name").press_sequentially("Herbst Aktion")
    page.locator("#mailing-links button.pc-copy").first.click()
    page.locator("#mailing-links-status").filter(has_text="Link").wait_for()
    return page.locator("#mailing-links")


def theme_contrast(page, site):
    PageConfig.objects.filter(pk=site.page.pk).update(primary_colour="#ff7a00")  # saved before the check
    page.goto(_change(site, site.page))
    page.locator("input[type=submit][name=_continue]").click()  # saving it unchanged is refused
    page.locator("#id_primary_colour").scroll_into_view_if_needed()
    return page.locator(".form-row.field-primary_colour")


def kept_report(page, site):
    from .test_kept_report import seed_kept_figures  # twelve weeks, twenty mailings

    seed_kept_figures()
    page.goto(site.base_url + reverse("admin:preference_center_unsubscriberequest_reasons") + "#kept")
    return None  # the viewport: the definition, the legend and the weekly chart


SCREENS = {
    "page-status-ok": page_status_ok,
    "page-status-missing": page_status_missing,
    "page-status-unreachable": page_status_unreachable,
    "pages-list": pages_list,
    "link-builder": link_builder,
    "theme-contrast": theme_contrast,
    "kept-report": kept_report,
}


@pytest.mark.parametrize("language", list(BROWSER_LOCALE))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_admin_screenshot(open_page, site, screen, language):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = open_page(width=DESKTOP, locale=BROWSER_LOCALE[language])
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    sign_in(page, site.base_url)
    element = SCREENS[screen](page, site)
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    path = OUTPUT / f"admin-{screen}-{language}.png"
    if element is None:
        page.screenshot(path=path, animations="disabled")
    else:
        element.screenshot(path=path, animations="disabled")
