"""The admin tells the truth about the Maileon account: on top of each page configuration, everything found,
the names missing, or Maileon unreachable (never one taken for another); in the list of pages, a status column
that reads the account's definitions once per view, not once per row."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from preference_center.maileon import CustomFieldType
from preference_center.models import PageConfig, ProfileField
from preference_center.services import definitions

from tests.support import ZOE, form_data

LIST_URL = reverse("admin:preference_center_pageconfig_changelist")
BOXES = ("maileon-ok", "maileon-missing", "maileon-unreachable")


def change_url(page: PageConfig) -> str:
    return reverse("admin:preference_center_pageconfig_change", args=[page.pk])


def status_box(html: str) -> tuple[str, str]:
    """(which box, its text) of the one status box on top; fails unless exactly one is shown."""
    shown = [box for box in BOXES if f'id="{box}"' in html]
    assert len(shown) == 1, shown
    start = html.index(f'id="{shown[0]}"')
    return shown[0], html[start:html.index("</ul>\n", html.index("</li>\n</ul>", start))]


def test_everything_found_is_said_on_top_in_green(staff_client, maileon_sandbox, default_page):
    html = staff_client.get(change_url(default_page), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box, text = status_box(html)
    assert box == "maileon-ok" and 'class="success"' in text
    assert "transaction type) was found in your Maileon account." in text
    # On top: before the first fieldset of the form.
    assert html.index('id="maileon-status"') < html.index("<fieldset")
    # What cannot be checked in advance is said, so "found" is not taken for more than it is.
    assert "The double opt-in mailing key doi-standard cannot be checked in advance" in text


def test_everything_found_in_german(staff_client, maileon_sandbox, default_page):
    html = staff_client.get(change_url(default_page), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Transaktionstyp), ist in Ihrem Maileon-Konto vorhanden." in status_box(html)[1]


def _refuse_doi_mailing(store, page):
    """A recipient asks for the newsletter and Maileon refuses the page's DOI mailing key: how the app learns."""
    page.doi_mailing_key = "doi-alt"
    page.save()
    recipient = Client()
    query = f"contactid={ZOE}&checksum={store.checksum_for(ZOE)}&lang=en"
    action, data = form_data(recipient.get(f"/profile/?{query}"))
    data.update(opt_in=["on"])
    assert "could not be started" in recipient.post(action, data, follow=True).content.decode()


# (what goes missing, how, the line the box shows)
MISSING = {
    "standard field": (lambda store, page: ProfileField.objects.create(page=page, name="NICKNAME", source="standard"),
                       "standard field: NICKNAME"),
    "custom field": (lambda store, page: store.custom_field_definitions.pop("Lieblingsfarbe"),
                     "custom field: Lieblingsfarbe"),
    "category": (lambda store, page: store.categories.pop("Themen"), "preference category: Themen"),
    "preference": (lambda store, page: store.preference_definitions["Themen"].pop(0),
                   "preference: Themen/Rezepte"),
    "down-sell": (lambda store, page: PageConfig.objects.filter(pk=page.pk).update(downsell_preference="Jährlich"),
                  "down-sell preference: Frequenz/Jährlich"),
    "DOI mailing": (_refuse_doi_mailing, "double opt-in mailing: doi-alt"),
    "transaction type": (lambda store, page: store.transaction_types.pop(7001), "transaction type: 7001"),
    "pause field": (lambda store, page: store.custom_field_definitions.update(PAUSE_UNTIL=CustomFieldType.STRING),
                    "pause date field (a custom field of type date): PAUSE_UNTIL"),
}


@pytest.mark.parametrize("kind", list(MISSING))
def test_each_kind_of_name_the_account_lacks_is_listed_on_top(staff_client, maileon_sandbox, default_page, kind):
    make_missing, line = MISSING[kind]
    make_missing(maileon_sandbox, default_page)
    html = staff_client.get(change_url(default_page), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box, text = status_box(html)
    assert box == "maileon-missing" and 'class="warning"' in text
    assert re.findall(r"<li>([^<]*)</li>", text) == [line]


@pytest.mark.parametrize("failure", ["down", "refused", "busy"])
def test_maileon_unreachable_is_said_apart_from_found_or_missing(staff_client, maileon_sandbox, default_page,
                                                                   failure):
    if failure == "down":
        maileon_sandbox.faults.inject(drop=True, times=None)
    else:
        maileon_sandbox.faults.inject(status={"refused": 401, "busy": 503}[failure], times=None)
    html = staff_client.get(change_url(default_page), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box, text = status_box(html)
    assert box == "maileon-unreachable" and 'class="error"' in text
    assert "Whether your account has everything this page names is unknown until then" in text


def test_the_add_form_says_only_that_maileon_is_unreachable(staff_client, maileon_down):
    html = staff_client.get(reverse("admin:preference_center_pageconfig_add"), HTTP_ACCEPT_LANGUAGE="en")
    box, text = status_box(html.content.decode())
    assert box == "maileon-unreachable" and "is unknown until then" not in text


# --- the list of pages


def _status_column(html: str) -> dict[str, str]:
    """slug -> the text of its Maileon column."""
    rows = re.findall(r'<tr>.*?</tr>', html, re.S)
    result = {}
    for row in rows:
        slug = re.search(r'<td class="field-slug">([^<]+)</td>', row)
        status = re.search(r'<td class="field-maileon_status"><img [^>]*alt=""> <span class="pc-status[^"]*">([^<]+)'
                           r'</span>', row)
        if slug and status:
            result[slug.group(1)] = status.group(1)
    return result


def test_the_list_shows_each_pages_status(staff_client, maileon_sandbox, default_page, make_page):
    make_page(slug="neutral")
    make_page(slug="drifted", pause_field="GIBTS_NICHT", new_link_transaction_type=9999)
    html = staff_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _status_column(html) == {"default": "OK", "neutral": "OK", "drifted": "2 missing"}
    german = staff_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert _status_column(german)["drifted"] == "2 fehlen"


def _definition_reads(store) -> list[str]:
    return [call.path for call in store.calls if call.method == "GET" and not call.path.startswith("/contacts")]


def test_the_list_reads_the_accounts_definitions_once_however_many_rows(
    staff_client, maileon_sandbox, default_page, make_page
):
    definitions.forget()
    staff_client.get(LIST_URL)
    one_page = _definition_reads(maileon_sandbox)
    assert len(one_page) == len(set(one_page))  # nothing read twice

    for number in range(8):
        make_page(slug=f"kampagne-{number}", pause_field="PAUSE_UNTIL", new_link_transaction_type=7001,
                  downsell_category="Frequenz", downsell_preference="Monatlicher Digest")
    definitions.forget()
    maileon_sandbox.calls.clear()
    html = staff_client.get(LIST_URL).content.decode()
    assert len(_status_column(html)) == 9
    assert _definition_reads(maileon_sandbox) == one_page


def test_a_list_view_soon_after_another_asks_maileon_nothing(staff_client, maileon_sandbox, default_page):
    staff_client.get(LIST_URL)
    maileon_sandbox.calls.clear()
    staff_client.get(LIST_URL)
    assert maileon_sandbox.calls == []  # read afresh at most every 30 s (definitions.RECHECK_SECONDS)


def test_maileon_down_costs_the_list_one_attempt_not_one_per_row(staff_client, maileon_down, default_page,
                                                                  make_page):
    definitions.forget()
    staff_client.get(LIST_URL)
    attempts_for_one = len(maileon_down.calls)
    for number in range(5):
        make_page(slug=f"kampagne-{number}")
    definitions.forget()
    maileon_down.calls.reset()
    html = staff_client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert set(_status_column(html).values()) == {"Maileon unreachable"}
    assert len(_status_column(html)) == 6
    assert 0 < len(maileon_down.calls) == attempts_for_one
