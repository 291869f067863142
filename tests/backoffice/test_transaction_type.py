"""The marketer picks the transaction type behind "send me a new link" per page: from the account's list while
Maileon can list it, typed as an id when it cannot; a type the account lacks is refused, and reported like any
other name the page names and the account lacks (the admin's warning, check_pages)."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE
from preference_center.models import PageConfig

from .formdata import page_form_data

ADD_URL = reverse("admin:preference_center_pageconfig_add")
FIELD = "new_link_transaction_type"


def change_url(page: PageConfig) -> str:
    return reverse("admin:preference_center_pageconfig_change", args=[page.pk])


def field_html(html: str) -> str:
    """The field's <select> with its options, or its <input>."""
    return re.search(rf'<select name="{FIELD}".*?</select>|<input [^>]*name="{FIELD}"[^>]*>', html, re.S).group(0)


def test_the_accounts_types_are_offered_to_pick_from(staff_client, maileon_sandbox):
    html = staff_client.get(ADD_URL).content.decode()
    select = field_html(html)
    assert select.startswith("<select")
    assert f'<option value="{NEW_LINK_TRANSACTION_TYPE}">7001: neuer_link</option>' in select
    assert '<option value="7002">7002: bestellbestaetigung</option>' in select
    assert '<option value="" selected>' in select  # off unless picked

    response = staff_client.post(ADD_URL, page_form_data(**{FIELD: str(NEW_LINK_TRANSACTION_TYPE)}))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert PageConfig.objects.get(slug="kampagne").new_link_transaction_type == NEW_LINK_TRANSACTION_TYPE


def test_left_empty_the_page_offers_no_new_link(staff_client, maileon_sandbox):
    assert staff_client.post(ADD_URL, page_form_data(**{FIELD: ""})).status_code == 302
    assert PageConfig.objects.get(slug="kampagne").new_link_transaction_type is None


def test_a_type_the_account_lacks_is_shown_marked_and_refused(staff_client, maileon_sandbox, make_page):
    page = make_page(slug="kampagne", new_link_transaction_type=9999)  # deleted in Maileon since
    response = staff_client.get(change_url(page), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<option value="9999" selected>9999: not in your Maileon account</option>' in field_html(html)
    assert "transaction type: 9999</li>" in html[html.index('id="maileon-missing"'):]

    refused = staff_client.post(change_url(page), page_form_data(**{FIELD: "9999"}), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200
    assert "Your Maileon account has no transaction type 9999." in refused.content.decode()
    page.refresh_from_db()
    assert page.new_link_transaction_type == 9999  # unchanged until the marketer picks another


def test_maileon_down_lets_the_marketer_type_the_id(staff_client, maileon_down):
    html = staff_client.get(ADD_URL).content.decode()
    assert 'type="number"' in field_html(html)
    response = staff_client.post(ADD_URL, page_form_data(**{FIELD: "4711"}))
    assert response.status_code == 302
    assert PageConfig.objects.get(slug="kampagne").new_link_transaction_type == 4711


def test_a_key_that_may_not_list_types_still_gets_a_working_form(staff_client, maileon_sandbox):
    maileon_sandbox.faults.inject(status=403, method="GET", path_contains="/transactions/types", times=None)
    html = staff_client.get(ADD_URL).content.decode()
    assert 'id="maileon-unreachable"' not in html  # the rest of the account was read
    assert 'type="number"' in field_html(html)
    assert staff_client.post(ADD_URL, page_form_data(**{FIELD: "4711"})).status_code == 302


@pytest.mark.parametrize("typed", ["0", "-3", "sieben"])
def test_only_a_positive_id_is_taken(staff_client, maileon_down, typed):
    response = staff_client.post(ADD_URL, page_form_data(**{FIELD: typed}))
    assert response.status_code == 200 and not PageConfig.objects.filter(slug="kampagne").exists()


def test_check_pages_names_a_type_the_account_lacks(default_page, maileon_sandbox, capsys):
    call_command("check_pages")
    assert capsys.readouterr().out.startswith("default: ok\n")  # the demo page's 7001 exists
    default_page.new_link_transaction_type = 9999
    default_page.save()
    with pytest.raises(CommandError) as failed:
        call_command("check_pages")
    assert failed.value.returncode == 1
    assert "  - transaction type 9999\n" in capsys.readouterr().out
