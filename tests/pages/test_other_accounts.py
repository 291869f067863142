"""Every page against a Maileon account that is not the sandbox's demo account: other names, configuration that
drifts while the pages run, a DOI mailing or down-sell the account lacks. Nothing of it may break a page."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from preference_center.maileon import Permission
from preference_center.models import PageConfig, UnsubscribeRequest
from preference_center.services import definitions, page_fit

from tests.support import ERIKA, JOHN, LENA, ZOE, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_account(maileon_sandbox):
    """The sandbox playing another customer's account: none of the demo account's categories, custom fields or
    DOI mailing; names of its own instead."""
    maileon_sandbox.become_another_account()
    return maileon_sandbox


def _forms(response) -> dict:
    return form_data(response)[1]


def _names_asked(store) -> list[str]:
    reads = [call for call in store.calls if call.path == "/contacts/contact" and call.method == "GET"]
    return [value for call in reads for name, value in call.query
            if name in ("custom_field", "preference_categories")]


# --- a fresh database against any account


def test_the_seeded_page_works_with_an_account_that_has_none_of_the_demo_names(client, other_account, link):
    page = PageConfig.objects.get(is_default=True)  # as migrate left it: no demo configuration
    assert not page.preference_groups.exists()

    profile = client.get(f"/profile/?{link(ERIKA, lang='en')}")
    assert profile.status_code == 200
    data = _forms(profile)
    assert data["FIRSTNAME"] == ["Erika"] and data["LASTNAME"] == ["Mustermann-Groß"]
    data["FIRSTNAME"] = ["Erika Maria"]
    action, _data = form_data(profile)
    saved = client.post(action, data)
    assert saved.status_code == 200 and other_account.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika Maria"

    # In a frame and without JavaScript alike: the server renders everything.
    framed = client.get(f"/unsubscribe/?{link(LENA, lang='en')}", HTTP_SEC_FETCH_DEST="iframe")
    assert framed.status_code == 200 and ">Unsubscribe</button>" in framed.content.decode()
    action, data = form_data(framed, "/unsubscribe/?")
    assert client.post(action, data).status_code == 200
    assert UnsubscribeRequest.objects.get(contact_id=LENA).verified
    assert _names_asked(other_account) == []


# --- a page naming what the account lacks


def test_a_page_naming_what_the_account_lacks_shows_the_rest(client, default_page, other_account, link, caplog,
                                                             monkeypatch):
    caplog.set_level(logging.WARNING, logger="preference_center.services.page_fit")
    # As in a fresh process: another test in this one (the admin's Maileon status) may have warned already.
    monkeypatch.setattr(page_fit, "_warned", set())
    for _view in range(3):
        response = client.get(f"/profile/?{link(ERIKA, lang='de')}")
        assert response.status_code == 200
    html = response.content.decode()
    data = _forms(response)
    assert data["FIRSTNAME"] == ["Erika"] and data["SALUTATION"] == ["Frau"] and data["BIRTHDAY"] == ["1985-04-12"]
    assert "Lieblingsfarbe" not in html and "Themen" not in html and "Häufigkeit" not in html
    assert _names_asked(other_account) == []  # never asks Maileon for a name it lacks
    warnings = [record.getMessage() for record in caplog.records]
    # One warning per missing name and process, not one per view.
    assert sorted(warnings) == sorted(set(warnings)) and len(warnings) == 5
    assert any("'Lieblingsfarbe'" in w for w in warnings) and any("'Themen'" in w for w in warnings)
    assert any("'Frequenz/Monatlicher Digest'" in w for w in warnings)
    assert any("'Frequenz'" in w for w in warnings) and any("pause field 'PAUSE_UNTIL'" in w for w in warnings)


def test_saving_sends_only_what_the_account_has(client, default_page, other_account, link, put_bodies):
    response = client.get(f"/profile/?{link(ERIKA)}")
    action, data = form_data(response)
    data["LASTNAME"] = ["Muster"]
    assert client.post(action, data).status_code == 200
    [body] = put_bodies
    assert dict(body.standard_fields) == {"LASTNAME": "Muster"}
    assert dict(body.custom_fields) == {} and body.preferences == ()


def test_a_doi_mailing_the_account_lacks_stops_the_opt_in_and_the_save_goes_through(
    client, default_page, other_account, link
):
    response = client.get(f"/profile/?{link(ZOE, lang='en')}")
    action, data = form_data(response)
    assert "opt_in" in str(response.content)  # not known to be missing until Maileon refuses it
    data.update(opt_in=["on"], FIRSTNAME=["Zoe"])
    saved = client.post(action, data)
    html = saved.content.decode()
    assert saved.status_code == 200
    assert "The subscription could not be started" in html and "Thank you, your changes are saved." in html
    assert other_account.contact(ZOE).standard_fields["FIRSTNAME"] == "Zoe"
    assert other_account.doi_mails == [] and other_account.contact(ZOE).permission is Permission.NONE
    # The page stops offering what cannot work, and the admin and check command learn why.
    assert 'name="opt_in"' not in client.get(f"/profile/?{link(ZOE, lang='en')}").content.decode()
    assert "double opt-in mailing doi-standard" in [str(m) for m in page_fit.fit(default_page).missing]


def test_no_down_sell_switch_when_the_account_lacks_its_preference(client, default_page, other_account, link):
    response = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/unsubscribe/downsell/" not in html and "Choose topics and how often you hear from us" in html
    # A stale form posted anyway changes nothing and shows the page as it is now.
    posted = client.post(f"/unsubscribe/downsell/?{link(ERIKA, lang='en')}")
    assert posted.status_code == 200 and ">Unsubscribe</button>" in posted.content.decode()
    assert other_account.changing_calls() == []


# --- drift while the pages run


def test_a_category_renamed_in_maileon_while_pages_run(client, default_page, maileon_sandbox, link):
    assert client.get(f"/profile/?{link(ERIKA)}").status_code == 200  # definitions cached, Themen included
    store = maileon_sandbox
    store.categories["Interessen"] = store.categories.pop("Themen")
    store.preference_definitions["Interessen"] = store.preference_definitions.pop("Themen")
    store.custom_field_definitions.pop("Lieblingsfarbe")
    store.calls.clear()

    response = client.get(f"/profile/?{link(ERIKA, lang='en')}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Topics" not in html and "Favourite colour" not in html and "Frequency" in html
    contact_reads = [call for call in store.calls if call.path == "/contacts/contact"]
    assert len(contact_reads) == 2  # refused once for the stale names, then read without them
    assert "Themen" not in contact_reads[1].values("preference_categories")
    assert client.get(f"/profile/?{link(ERIKA)}").status_code == 200
    assert len([call for call in store.calls if call.path == "/contacts/contact"]) == 3  # no more rechecks


def test_wrong_checksums_never_turn_into_a_stream_of_configuration_reads(client, default_page, maileon_sandbox,
                                                                        link):
    for attempt in range(6):
        response = client.get(f"/profile/?{link(ERIKA, checksum=f'wrong{attempt}')}")
        assert response.status_code == 404
    configuration_reads = [c for c in maileon_sandbox.calls if c.path != "/contacts/contact"]
    # The first view reads the definitions, one recheck follows the first refusal; then 30 s of quiet.
    assert len(configuration_reads) <= 2 * 4


def test_a_field_deleted_between_read_and_save_is_left_out_and_the_rest_saved(default_page, maileon_sandbox, link,
                                                                             put_bodies):
    from preference_center.links import ContactLink
    from preference_center.maileon import ContactChanges
    from preference_center.services import profile

    contact_link = ContactLink(ERIKA, maileon_sandbox.checksum_for(ERIKA))
    view = profile.load_profile(link=contact_link, page=default_page)
    maileon_sandbox.custom_field_definitions.pop("Lieblingsfarbe")
    definitions.forget()  # as if the definitions were older than the recheck interval

    result = profile.update_profile(
        link=contact_link, page=default_page, view=view, opt_in=False,
        changes=ContactChanges(standard_fields={"FIRSTNAME": "Eri"}, custom_fields={"Lieblingsfarbe": "rot"}),
    )

    assert result.saved and dict(result.changes.custom_fields) == {}
    assert maileon_sandbox.contact(ERIKA).standard_fields["FIRSTNAME"] == "Eri"
    assert [dict(b.custom_fields) for b in put_bodies] == [{"Lieblingsfarbe": "rot"}, {}]


# --- where the marketer learns it


@pytest.mark.parametrize("language, heading", [
    ("de", "Ihr Maileon-Konto kennt etwas nicht, das diese Seite nennt."),
    ("en", "Your Maileon account lacks something this page names."),
])
def test_the_admin_lists_what_the_account_lacks(admin_client, default_page, other_account, language, heading):
    response = admin_client.get(f"/admin/preference_center/pageconfig/{default_page.pk}/change/",
                                HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200 and heading in html
    start = html.index('id="maileon-missing"')
    listed = html[start:html.index("</li>\n</ul>", start)]
    for name in ("Lieblingsfarbe", "Themen", "Frequenz", "Frequenz/Monatlicher Digest", "PAUSE_UNTIL", "7001"):
        assert f": {name}</li>" in listed


def test_the_admin_shows_no_warning_when_the_account_has_everything(admin_client, default_page, maileon_sandbox):
    response = admin_client.get(f"/admin/preference_center/pageconfig/{default_page.pk}/change/")
    assert response.status_code == 200 and 'id="maileon-missing"' not in response.content.decode()


def test_check_pages_names_what_is_missing_and_fails(default_page, other_account, capsys):
    with pytest.raises(CommandError) as failed:
        call_command("check_pages")
    out = capsys.readouterr().out
    assert failed.value.returncode == 1
    assert "default: the Maileon account lacks" in out
    for line in ("custom field Lieblingsfarbe", "category Themen", "category Frequenz",
                 "downsell Frequenz/Monatlicher Digest", "pause field PAUSE_UNTIL", "transaction type 7001"):
        assert f"  - {line}\n" in out
    assert other_account.changing_calls() == []


def test_check_pages_passes_for_the_account_the_pages_were_made_for(default_page, maileon_sandbox, capsys):
    call_command("check_pages")
    assert capsys.readouterr().out.startswith("default: ok\n")


def test_check_pages_fails_when_maileon_cannot_be_asked(default_page, maileon_sandbox):
    maileon_sandbox.faults.inject(status=503, times=None)
    with pytest.raises(CommandError) as failed:
        call_command("check_pages")
    assert failed.value.returncode == 2


# --- values we do not know


@pytest.mark.parametrize("reported", ["doi+", "soi", "7", "four", ""])
def test_a_permission_in_a_form_we_do_not_know_breaks_no_page(client, default_page, maileon_sandbox, link, reported):
    maileon_sandbox.contact(JOHN).reported_permission = reported
    for path in ("/profile/", "/unsubscribe/"):
        response = client.get(f"{path}?{link(JOHN, lang='en')}")
        assert response.status_code == 200, path
    assert 'name="opt_in"' not in client.get(f"/profile/?{link(JOHN)}").content.decode()


@pytest.mark.parametrize("reported", ["blocked", "", "UNKNOWN-STATUS"])
def test_a_permission_status_we_do_not_know_breaks_no_page(client, default_page, maileon_sandbox, link, reported):
    maileon_sandbox.contact(ERIKA).reported_permission_status = reported
    for path in ("/profile/", "/unsubscribe/"):
        assert client.get(f"{path}?{link(ERIKA)}").status_code == 200
    action, data = form_data(client.get(f"/unsubscribe/?{link(ERIKA)}"), "/unsubscribe/?")
    assert client.post(action, data).status_code == 200
    assert UnsubscribeRequest.objects.filter(contact_id=ERIKA).exists()


def test_a_down_sell_category_deleted_in_maileon_while_pages_run(client, default_page, maileon_sandbox, link):
    assert "/unsubscribe/downsell/" in client.get(f"/unsubscribe/?{link(ERIKA)}").content.decode()
    maileon_sandbox.categories.pop("Frequenz")
    maileon_sandbox.preference_definitions.pop("Frequenz")

    response = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")

    assert response.status_code == 200  # not "this link does not work"
    assert "/unsubscribe/downsell/" not in response.content.decode()
