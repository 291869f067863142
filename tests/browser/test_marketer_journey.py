"""Issue 14's "done when", as one marketer's afternoon in a German browser at 1,280 px: a new member of the
Marketing group (no superuser) sets up a second page for an account that is not the sandbox's demo account,
sees the links with their copy buttons while typing, learns on saving what the account lacks, opens a preview,
and after a few test clicks by recipients reads what was kept next to what was lost."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect

from preference_center.dev.sandbox.store import PreferenceValue
from preference_center.services import definitions

from .conftest import DESKTOP, ERIKA, LENA
from .states import submit

QUERY = "contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]&mailingid=[MAILING|ID]"
MAILING = 88120
PASSWORD = "herbst-Laub-2026"
roles = importlib.import_module("preference_center.migrations.0012_kept_events_and_marketing_group")


@pytest.fixture
def marketer(site):
    """A staff user whose only rights are the Marketing group's (the migration's group, which a transactional
    test's flush removed: created again the same way)."""
    roles.create_marketing_group(apps, SimpleNamespace(connection=connection))
    user = User.objects.create_user("neu.im.team", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.MARKETING))
    return user


@pytest.fixture
def other_account(site):
    """The sandbox plays another customer: its category is "Interessen"; "Themen" of the demo account is unknown."""
    site.store.become_another_account()
    site.store.contact(ERIKA).preferences.update(
        {("Interessen", name): PreferenceValue(True) for name in ("Mode", "Sport")})
    definitions.forget()


def test_a_new_marketer_sets_up_a_page_for_another_account_and_reads_what_was_kept(open_page, site, marketer,
                                                                                  other_account):
    page = open_page(width=DESKTOP, locale="de-DE", permissions=["clipboard-read", "clipboard-write"])
    page.goto(site.base_url + "/admin/login/")
    page.get_by_label("Benutzername").fill(marketer.username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_title("Seiten und Berichte | Maileon-Präferenzcenter")

    # A new page: the links follow the name as it is typed, ready to copy before the first save.
    page.goto(site.base_url + reverse("admin:preference_center_pageconfig_add"))
    page.locator("#id_name").press_sequentially("Herbst Aktion")
    expect(page.locator("#link-unsubscribe")).to_have_text(
        f"{site.base_url}/p/herbst-aktion/unsubscribe/?{QUERY}")
    page.get_by_role("button", name="Kopieren: Abmelde-Link").click()
    expect(page.get_by_role("status")).to_have_text("Abmelde-Link in die Zwischenablage kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == \
        f"{site.base_url}/p/herbst-aktion/unsubscribe/?{QUERY}"

    # Two topic groups: one the account has, one copied from the demo that it lacks: refused, with the name.
    add_group = page.locator("#preference_groups-group .add-row a")
    for index, category in enumerate(["Interessen", "Themen"]):
        add_group.click()
        page.locator(f"#id_preference_groups-{index}-category").fill(category)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist")).to_have_text(
        "Ihr Maileon-Konto hat keine Präferenzkategorie Themen (Groß- und Kleinschreibung zählt).")
    page.locator("#preference_groups-1 .inline-deletelink").click()
    page.locator("input[name=_continue]").click()

    # Saved; on top, the account has everything the page names.
    expect(page.locator("#maileon-ok")).to_be_visible()
    # The preview opens in a new tab, the marketer's page staying where it was.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Abmeldeseite (de) (öffnet in einem neuen Tab)").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.locator("h1")).to_be_visible()
    preview.close()

    # Test clicks by two recipients of mailing 88120, without JavaScript: Erika keeps one topic instead of
    # leaving (the unknown category is left out of her page), Lena leaves.
    recipient = open_page(width=DESKTOP, javascript=False, locale="de-DE")
    recipient.goto(site.url("/p/herbst-aktion/unsubscribe/", ERIKA, mailingid=MAILING))
    topics = recipient.locator("form[action*='/unsubscribe/topics/']")
    expect(topics.locator("input[type=checkbox]")).to_have_count(2)  # Mode and Sport: Interessen only
    topics.locator("input[type=checkbox][value=Sport]").uncheck()
    submit(topics)
    assert site.store.contact(ERIKA).preferences[("Interessen", "Sport")].value is False
    recipient.goto(site.url("/p/herbst-aktion/unsubscribe/", LENA, mailingid=MAILING))
    submit(recipient.locator("form[action*='/unsubscribe/?']"))
    expect(recipient.locator("h1")).to_have_text("Sie sind abgemeldet")

    # The figures: one kept, one unsubscribed, for that mailing.
    page.goto(site.base_url + reverse("admin:preference_center_unsubscriberequest_reasons"))
    row = page.locator("#kept-mailing-table tbody tr").filter(has_text=str(MAILING))
    expect(row.locator("[data-figure=kept]")).to_have_text("1")
    expect(row.locator("[data-figure=unsubscribed]")).to_have_text("1")
    expect(row.locator("[data-figure=kept-rate]")).to_have_text("50,0 %")

    # Later a colleague renames the category in Maileon: the page says what is missing, the list counts it.
    site.store.categories.pop("Interessen")
    definitions.forget()  # else read afresh within 30 s
    page.goto(site.base_url + reverse("admin:preference_center_pageconfig_changelist"))
    expect(page.locator("tr").filter(has_text="herbst-aktion").locator("td.field-maileon_status")).to_have_text(
        "1 fehlt")
    page.get_by_role("link", name="Herbst Aktion").click()
    expect(page.locator("#maileon-missing")).to_contain_text("Präferenzkategorie: Interessen")
