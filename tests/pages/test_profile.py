"""The profile page through Django's test client against the sandbox: read, save only what changed, opt-in."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from preference_center.maileon import Permission
from preference_center.models import FieldSource, FieldType, ProfileField

from tests.support import ERIKA, JOHN, SENT_MAILING, ZOE, form_data

pytestmark = pytest.mark.django_db


def _get(client, link, contact=ERIKA, **params):
    return client.get(f"/profile/?{link(contact, **params)}")


def _post_back(client, response, **changes):
    """Submit the page's own form, as a browser would, with some fields changed."""
    action, data = form_data(response)  # the profile form is the first form of the page
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return client.post(action, data)


def _pref_key(page, category):
    return f"pref_{page.preference_groups.get(category=category).pk}"


@pytest.mark.parametrize("lang, heading", [("de", "Ihr Profil und Ihre Newsletter-Einstellungen"),
                                           ("en", "Your profile and newsletter preferences")])
def test_get_shows_the_form_prefilled(client, default_page, maileon_sandbox, link, lang, heading):
    response = _get(client, link, lang=lang)
    html = response.content.decode()
    assert response.status_code == 200
    assert heading in html
    assert f'<html lang="{lang}">' in html
    _action, data = form_data(response, "/profile/")
    assert data["FIRSTNAME"] == ["Erika"]
    assert data["BIRTHDAY"] == ["1985-04-12"]
    assert data["SALUTATION"] == ["Frau"]
    assert data[_pref_key(default_page, "Themen")] == ["Rezepte", "Technik"]
    assert data[_pref_key(default_page, "Frequenz")] == ["Wöchentlich"]
    assert maileon_sandbox.changing_calls() == []


def test_a_page_view_costs_exactly_one_maileon_call(client, default_page, maileon_sandbox, link, warm_definitions):
    warm_definitions(default_page)
    _get(client, link)
    assert [(call.method, call.path) for call in maileon_sandbox.calls] == [("GET", "/contacts/contact")]


def test_the_read_asks_only_for_what_the_page_shows(client, default_page, maileon_sandbox, link):
    _get(client, link)
    read = next(call for call in maileon_sandbox.calls if call.path == "/contacts/contact")
    assert read.values("standard_field") == [
        "SALUTATION", "FIRSTNAME", "LASTNAME", "BIRTHDAY", "LOCALE", "CHECKSUM", "PERMISSION_STATUS"]
    assert read.values("custom_field") == ["Lieblingsfarbe"]
    assert read.values("preference_categories") == ["Themen", "Frequenz"]
    assert read.values("ignore_checksum") == []


def test_post_sends_only_what_changed_with_page_key_and_src(client, default_page, maileon_sandbox, link,
                                                           put_bodies):
    page = _get(client, link, mailingid=SENT_MAILING)
    response = _post_back(client, page, FIRSTNAME="Erika Maria", BIRTHDAY="",
                          **{_pref_key(default_page, "Themen"): ["Rezepte", "Reisen", "Technik"]})
    assert response.status_code == 200
    assert "Danke, Ihre Änderungen sind gespeichert." in response.content.decode()
    [put] = [call for call in maileon_sandbox.changing_calls()]
    assert put.method == "PUT" and put.values("page_key") == ["profil"]
    assert put.values("src") == ["preference-center"]
    assert put.values("permission") == [] and put.values("triggerdoi") == []
    [body] = put_bodies
    assert dict(body.standard_fields) == {"FIRSTNAME": "Erika Maria", "BIRTHDAY": None}  # emptied -> nil
    assert dict(body.custom_fields) == {}
    assert [(p.category, p.name, p.value) for p in body.preferences] == [("Themen", "Reisen", True)]
    assert body.email is None
    contact = maileon_sandbox.contact(ERIKA)
    assert contact.standard_fields["FIRSTNAME"] == "Erika Maria" and "BIRTHDAY" not in contact.standard_fields


def test_nothing_changed_means_no_put(client, default_page, maileon_sandbox, link):
    response = _post_back(client, _get(client, link, lang="en"))
    assert "Nothing to save" in response.content.decode()
    assert maileon_sandbox.changing_calls() == []


def test_a_post_without_the_form_changes_nothing(client, default_page, maileon_sandbox, link):
    """A bodiless POST (a scanner pressing the button, a truncated request) must not wipe fields or topics."""
    page = _get(client, link, lang="en")
    action, _data = form_data(page)
    response = client.post(action, {})
    assert response.status_code == 200
    assert maileon_sandbox.changing_calls() == []


def test_fields_missing_from_the_post_are_left_alone(client, default_page, maileon_sandbox, link, put_bodies):
    page = _get(client, link, lang="en")
    action, data = form_data(page)
    firstname = next(name for name in data if data[name] == ["Erika"])
    client.post(action, {firstname: "Erika Maria"})  # no marker, no other field, no topic ticked
    [body] = put_bodies
    assert dict(body.standard_fields) == {"FIRSTNAME": "Erika Maria"}
    assert body.preferences == () and body.custom_fields == {}


def test_categories_not_on_the_page_are_never_sent(client, make_page, maileon_sandbox, link, put_bodies):
    make_page(slug="themen", groups=[{"category": "Themen"}])
    page = client.get(f"/p/themen/profile/?{link(ERIKA)}")
    key = next(name for name in form_data(page, "/p/themen/profile/")[1] if name.startswith("pref_"))
    _post_back(client, page, **{key: ["Rezepte"]})  # Technik off
    [body] = put_bodies
    assert {p.category for p in body.preferences} == {"Themen"}
    assert maileon_sandbox.contact(ERIKA).preferences[("Frequenz", "Wöchentlich")].value is True


@pytest.mark.parametrize("field_type, typed, message_de", [
    (FieldType.NUMBER, "2147483648", "kleiner oder gleich 2147483647"),
    (FieldType.NUMBER, "zwölf", "ganze Zahl"),
    (FieldType.DATE, "30.02.1985", "Bitte geben Sie ein Datum wie 31.12.1990 ein."),
])
def test_typed_validation_shows_the_message_next_to_the_field(client, make_page, maileon_sandbox, link,
                                                              field_type, typed, message_de):
    name = {FieldType.NUMBER: "Kundennummer", FieldType.DATE: "Kunde_seit"}[field_type]
    page = make_page(slug="typed", fields=[{"source": FieldSource.CUSTOM, "name": name, "field_type": field_type}])
    key = f"custom_{ProfileField.objects.get(page=page).pk}"
    response = _post_back(client, client.get(f"/p/typed/profile/?{link(ERIKA)}"), **{key: typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert message_de in html
    assert f'id="id_{key}_error"' in html and 'aria-invalid="true"' in html
    assert f'href="#id_{key}"' in html  # the summary links to the field
    assert f'value="{typed}"' in html  # what was typed is kept
    assert maileon_sandbox.changing_calls() == []


def test_text_longer_than_maileon_takes_is_refused_before_the_put(client, default_page, maileon_sandbox, link):
    response = _post_back(client, _get(client, link, lang="en"), FIRSTNAME="x" * 256)
    assert "at most 255 characters" in response.content.decode()
    assert maileon_sandbox.changing_calls() == []


def test_duplicate_email_shows_the_form_again_with_the_input_kept(client, make_page, maileon_sandbox, link):
    make_page(slug="mail", email_editable=True)
    page = client.get(f"/p/mail/profile/?{link(ERIKA, lang='en')}")
    response = _post_back(client, page, email="john.example+news@example.com")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Another contact already uses this address" in html
    assert 'value="john.example+news@example.com"' in html
    assert maileon_sandbox.contact(ERIKA).email == "erika.beispiel@example.org"


def test_maileon_down_on_save_gives_503_with_the_input_kept(client, default_page, maileon_sandbox, link):
    page = _get(client, link)
    maileon_sandbox.faults.inject(status=503, method="PUT", times=None)
    response = _post_back(client, page, FIRSTNAME="Erika Maria")
    html = response.content.decode()
    assert response.status_code == 503
    assert "Unser Newsletter-System ist gerade nicht erreichbar" in html
    assert '<input type="hidden" name="FIRSTNAME" value="Erika Maria">' in html
    assert maileon_sandbox.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika"


def test_maileon_down_on_read_gives_503_and_a_retry_link(client, default_page, maileon_sandbox, link):
    maileon_sandbox.faults.inject(status=503, times=None)
    response = _get(client, link, lang="en")
    assert response.status_code == 503
    assert "Try again" in response.content.decode()


def test_opt_in_for_a_contact_without_permission_starts_double_opt_in(client, default_page, maileon_sandbox, link):
    page = _get(client, link, ZOE, lang="en")
    assert "Yes, send me the newsletter." in page.content.decode()
    response = _post_back(client, page, opt_in="on")
    assert "Please confirm by email" in response.content.decode()
    [put] = maileon_sandbox.changing_calls()
    assert put.values("permission") == ["4"] and put.values("triggerdoi") == ["true"]
    assert put.values("doimailing") == ["doi-standard"]
    assert maileon_sandbox.contact(ZOE).permission is Permission.NONE  # only after confirmation
    assert len(maileon_sandbox.doi_mails) == 1


def test_no_opt_in_is_offered_to_a_contact_with_permission(client, default_page, maileon_sandbox, link):
    page = _get(client, link, JOHN)
    assert "opt_in" not in form_data(page, "/profile/")[1]
    _post_back(client, page, opt_in="on")  # a forged box changes nothing
    assert maileon_sandbox.changing_calls() == []


@pytest.mark.parametrize("query, accept, expected", [
    ({"lang": "en"}, "de", "en"),  # the link decides
    ({}, "en", "de"),  # then the contact's LOCALE (de_DE)
])
def test_language_order_link_then_locale(client, default_page, maileon_sandbox, link, query, accept, expected):
    response = client.get(f"/profile/?{link(ERIKA, **query)}", HTTP_ACCEPT_LANGUAGE=accept)
    assert f'<html lang="{expected}">' in response.content.decode()
    assert response["Content-Language"] == expected


def test_language_falls_back_to_accept_language_then_page_default(client, default_page, maileon_sandbox, link):
    # Zoë has no LOCALE.
    assert client.get(f"/profile/?{link(ZOE)}", HTTP_ACCEPT_LANGUAGE="pl, en;q=0.8")["Content-Language"] == "en"
    assert client.get(f"/profile/?{link(ZOE)}", HTTP_ACCEPT_LANGUAGE="pl")["Content-Language"] == "de"
    default_page.default_language = "en"
    default_page.save()
    assert client.get(f"/profile/?{link(ZOE)}")["Content-Language"] == "en"


def test_language_switcher_keeps_the_link_and_sets_no_cookie(client, default_page, maileon_sandbox, link):
    response = _get(client, link, JOHN, mailingid=SENT_MAILING)
    html = response.content.decode()
    checksum = maileon_sandbox.checksum_for(JOHN)
    assert f'href="/profile/?contactid={JOHN}&amp;checksum={checksum}&amp;mailingid={SENT_MAILING}&amp;lang=de"' in html
    assert not response.cookies


def _served(path: str, query: str, script_name: str = "") -> str:
    """The page as Django's WSGI handler serves it (the test client never sets a script prefix). As the test
    client does, the test's database connection is kept open across the request (it holds the test's data)."""
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": script_name, "PATH_INFO": path, "QUERY_STRING": query,
               "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO()}
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(environ, lambda status, headers, exc_info=None: None)
        try:
            return b"".join(result).decode()
        finally:
            result.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def test_each_request_links_under_its_own_script_prefix(default_page, maileon_sandbox, link):
    # Served under a path behind a proxy (SCRIPT_NAME) and directly, from one process: page paths are looked
    # up once per process, never with another request's prefix.
    for _ in range(2):
        under = _served("/profile/", link(ERIKA), script_name="/prefs")
        direct = _served("/profile/", link(ERIKA))
        assert 'href="/prefs/unsubscribe/?contactid=' in under and 'href="/prefs/p/default/theme.css?v=' in under
        assert 'href="/unsubscribe/?contactid=' in direct and "/prefs/" not in direct
