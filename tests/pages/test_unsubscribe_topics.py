""""Stop only what annoys me": the unsubscribe page shows the page's topics first (current values from Maileon)
and saves only what changed, like the profile; "unsubscribe from everything" stays one click away."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from preference_center.models import UnsubscribeRequest

from tests.support import ERIKA, JOHN, LENA, ZOE, form_data

pytestmark = pytest.mark.django_db

TOPICS = "/unsubscribe/topics/"


def _pref_key(page, category):
    return f"pref_{page.preference_groups.get(category=category).pk}"


def _topics_post(client, page_response, **changes):
    action, data = form_data(page_response, TOPICS)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return client.post(action, data)


@pytest.mark.parametrize("lang, topics_title, everything", [
    ("de", "Nur abbestellen, was Sie nicht möchten", "Von allen Newslettern abmelden"),
    ("en", "Only stop what you don't want", "Unsubscribe from everything"),
])
def test_the_topics_come_first_with_their_current_values(client, default_page, maileon_sandbox, link, lang,
                                                         topics_title, everything):
    response = client.get(f"/unsubscribe/?{link(ERIKA, lang=lang)}")
    html = response.content.decode()
    assert response.status_code == 200
    # The way out is one click away at the top, then the topics, then the unsubscribe itself.
    jump = html.index('href="#unsubscribe-all"')
    assert jump < html.index(topics_title) < html.index('id="unsubscribe-all"') < html.index(everything)
    assert html.index(everything) < html.index('class="pc-button pc-button--danger"')
    _action, data = form_data(response, TOPICS)
    assert data[_pref_key(default_page, "Themen")] == ["Rezepte", "Technik"]
    assert data[_pref_key(default_page, "Frequenz")] == ["Wöchentlich"]
    assert maileon_sandbox.changing_calls() == [] and not UnsubscribeRequest.objects.exists()


def test_the_page_view_is_one_read_with_the_topics_and_the_pause_field(client, default_page, maileon_sandbox, link,
                                                                       warm_definitions):
    warm_definitions(default_page)
    client.get(f"/unsubscribe/?{link(ERIKA)}")
    [read] = maileon_sandbox.calls
    assert (read.method, read.path) == ("GET", "/contacts/contact")
    assert read.values("standard_field") == ["LOCALE", "CHECKSUM", "PERMISSION_STATUS"]
    assert read.values("preference_categories") == ["Themen", "Frequenz"]
    assert read.values("custom_field") == ["PAUSE_UNTIL"]


def test_save_my_topics_sends_only_what_changed_and_confirms_it(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    maileon_sandbox.calls.clear()
    done = _topics_post(client, page, **{_pref_key(default_page, "Themen"): ["Rezepte"]})  # Technik off

    html = done.content.decode()
    assert done.status_code == 200 and done.redirect_chain[0][0].startswith("/unsubscribe/topics/done/?")
    assert "Thank you, your topics are saved." in html
    assert "You will no longer receive" in html and "<li>Technology and gadgets</li>" in html
    assert "You will now receive" not in html
    [read, put] = maileon_sandbox.calls  # the read proves the link, then the one write
    assert (read.method, put.method, put.path) == ("GET", "PUT", "/contacts/contact")
    assert put.values("page_key") == ["profil"] and put.values("src") == ["preference-center"]
    assert put.values("permission") == [] and put.values("ignore_checksum") == []
    [update] = maileon_sandbox.updates
    assert update.contact_id == ERIKA
    assert [(p.category, p.name, p.value, p.source) for p in update.changes.preferences] == [
        ("Themen", "Technik", False, "preference-center")]
    assert not (update.changes.standard_fields or update.changes.custom_fields or update.changes.email)
    contact = maileon_sandbox.contact(ERIKA)
    assert contact.preferences[("Themen", "Rezepte")].value is True
    assert contact.preferences[("Frequenz", "Wöchentlich")].value is True
    assert not contact.unsubscribed and not UnsubscribeRequest.objects.exists()


def test_the_confirmation_says_what_is_off_and_on_in_both_languages_and_reloads_send_nothing(
    default_page, maileon_sandbox, link
):
    client = Client()
    page = client.get(f"/unsubscribe/?{link(JOHN, lang='en')}")  # John: Reisen and the monthly digest
    action, data = form_data(page, TOPICS)
    data[_pref_key(default_page, "Themen")] = ["Rezepte"]  # Reisen off, Rezepte on
    answer = client.post(action, data)
    assert answer.status_code == 303
    location = answer["Location"]
    writes = len(maileon_sandbox.changing_calls())

    english = client.get(location).content.decode()
    assert "<li>Travel destinations and deals</li>" in english and "<li>Recipes and cooking ideas</li>" in english
    assert english.index("You will no longer receive") < english.index("Travel destinations and deals")
    assert english.index("You will now receive") < english.index("Recipes and cooking ideas")
    assert 'href="/unsubscribe/?' in english and "#unsubscribe-all" in english  # unsubscribe after all

    german = client.get(location.replace("lang=en", "lang=de")).content.decode()
    assert "Danke, Ihre Themen sind gespeichert." in german and "Sie erhalten nicht mehr" in german
    assert "<li>Reiseziele und Angebote</li>" in german  # the page's German label
    assert len(maileon_sandbox.changing_calls()) == writes  # a confirmation sends nothing
    assert parse_qs(urlsplit(location).query)["done"]


def test_nothing_changed_means_no_write(client, default_page, maileon_sandbox, link):
    html = _topics_post(client, client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")).content.decode()
    assert "Nothing to save" in html and "Your topics were already as you chose them." in html
    assert maileon_sandbox.changing_calls() == []


def test_a_post_without_the_form_unticks_nothing(client, default_page, maileon_sandbox, link):
    """A bodiless POST (a scanner pressing the button) must not switch every topic off."""
    response = client.post(f"{TOPICS}?{link(ERIKA)}", {})
    assert response.status_code == 200
    assert maileon_sandbox.changing_calls() == []


@pytest.mark.usefixtures("checksum_reads")
def test_a_forged_checksum_changes_nothing(client, default_page, maileon_sandbox, link):
    response = client.post(f"{TOPICS}?{link(ERIKA, checksum='forged-checksum', lang='en')}",
                           {"form_complete": "1"})
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert maileon_sandbox.changing_calls() == []
    assert maileon_sandbox.contact(ERIKA).preferences[("Themen", "Rezepte")].value is True


def test_get_of_the_save_address_changes_nothing(client, default_page, maileon_sandbox, link):
    assert client.get(f"{TOPICS}?{link(ERIKA)}").status_code == 405
    assert client.head(f"{TOPICS}?{link(ERIKA)}").status_code == 405
    assert maileon_sandbox.changing_calls() == []


def test_maileon_not_taking_the_save_shows_the_choice_again(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    maileon_sandbox.faults.inject(status=503, times=None, method="PUT")
    key = _pref_key(default_page, "Themen")
    refused = _topics_post(client, page, **{key: ["Rezepte", "Reisen"]})  # Technik off, Reisen on

    html = refused.content.decode()
    assert refused.status_code == 503
    assert "Your topics could not be saved" in html and "Nothing has been changed." in html
    action, kept = form_data(refused, TOPICS)
    assert kept[key] == ["Rezepte", "Reisen"]  # the recipient's choice, not Maileon's values
    assert maileon_sandbox.updates == []
    assert maileon_sandbox.contact(ERIKA).preferences[("Themen", "Technik")].value is True

    maileon_sandbox.faults.clear()  # Maileon is back: the same form saved again
    saved = client.post(action, kept)
    assert "Thank you, your topics are saved." in saved.content.decode()
    [update] = maileon_sandbox.updates
    assert {(p.name, p.value) for p in update.changes.preferences} == {("Technik", False), ("Reisen", True)}


def test_maileon_down_altogether_keeps_the_choice_for_the_retry(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='de')}")
    maileon_sandbox.faults.inject(status=503, times=None)
    key = _pref_key(default_page, "Themen")
    refused = _topics_post(client, page, **{key: ["Rezepte"]})
    assert refused.status_code == 503
    assert "Unser Newsletter-System ist gerade nicht erreichbar" in refused.content.decode()
    action, resubmission = form_data(refused, TOPICS)  # the "try again" form posts what was sent
    assert resubmission[key] == ["Rezepte"] and resubmission["form_complete"] == ["1"]

    maileon_sandbox.faults.clear()
    assert "Danke, Ihre Themen sind gespeichert." in client.post(action, resubmission).content.decode()
    assert maileon_sandbox.contact(ERIKA).preferences[("Themen", "Technik")].value is False


def test_a_page_without_preference_groups_shows_the_unsubscribe_page_as_before(client, make_page, maileon_sandbox,
                                                                               link):
    make_page(slug="schlicht")
    response = client.get(f"/p/schlicht/unsubscribe/?{link(ERIKA, lang='en')}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "#unsubscribe-all" not in html and "Only stop what you" not in html and "Take a break" not in html
    assert html.index("The address e•••@example.org will receive no more newsletters") < html.index(
        ">Unsubscribe</button>")
    assert client.post(f"/p/schlicht/unsubscribe/topics/?{link(ERIKA)}", {"form_complete": "1"}).status_code == 404
    assert maileon_sandbox.changing_calls() == []


def test_no_topics_for_a_contact_without_newsletter_permission(client, default_page, maileon_sandbox, link):
    html = client.get(f"/unsubscribe/?{link(ZOE, lang='en')}").content.decode()
    assert TOPICS not in html and "/unsubscribe/pause/" not in html and ">Unsubscribe</button>" in html
    posted = client.post(f"{TOPICS}?{link(ZOE, lang='en')}", {"form_complete": "1"})
    assert posted.status_code == 200 and maileon_sandbox.changing_calls() == []


def test_the_unsubscribe_from_everything_still_works_below_the_topics(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(LENA, lang='en')}")
    action, data = form_data(page, "/unsubscribe/?")
    assert client.post(action, data).status_code == 200
    assert UnsubscribeRequest.objects.filter(contact_id=LENA).exists()
