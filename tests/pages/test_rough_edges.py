"""Rough edges a recipient met (issue 13.7): the down-sell's confirmation says what happened, dates are hinted
only where it helps and taken as typed, a held value is offered once, labels that fall back say their language.

(An empty "other reason" text: tests/pages/test_unsubscribe.py. The error summary inside an iframe:
tests/browser/test_embedding.py.)"""

import re

import pytest

from preference_center.models import FieldSource, FieldType, PreferenceGroup, ProfileField

from tests.support import ERIKA, JOHN, form_data

pytestmark = pytest.mark.django_db


def _post_back(client, response, **changes):
    action, data = form_data(response, "/profile/")
    data.update({name: [value] for name, value in changes.items()})
    return client.post(action, data)


# --- the down-sell's confirmation


@pytest.mark.parametrize("lang, said", [
    ("en", "From now on you get “Once a month: the highlights” instead of “An issue every week”."),
    ("de", "Ab jetzt erhalten Sie „Einmal im Monat das Wichtigste“ statt „Jede Woche eine Ausgabe“."),
])
def test_the_down_sell_confirmation_says_what_changed(client, default_page, maileon_sandbox, link, lang, said):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang=lang)}")
    done = client.post(form_data(page, "/unsubscribe/downsell/")[0])
    html = done.content.decode()
    assert said in html
    button = default_page.text("downsell_label", lang)
    assert button in page.content.decode() and button not in html  # no longer the button's text as a sentence


def test_the_down_sell_confirmation_without_anything_switched_off(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(ERIKA).preferences[("Frequenz", "Wöchentlich")].value = False
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    html = client.post(form_data(page, "/unsubscribe/downsell/")[0]).content.decode()
    assert "From now on you get “Once a month: the highlights”." in html
    assert "instead of" not in html


def test_the_down_sell_confirmation_in_the_other_language(client, default_page, maileon_sandbox, link):
    """The language switcher keeps the confirmation: the same facts, the other language's labels."""
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    done = client.post(form_data(page, "/unsubscribe/downsell/")[0])
    german = re.search(r'href="([^"]*lang=de[^"]*)" lang="de"', done.content.decode()).group(1)
    html = client.get(german.replace("&amp;", "&")).content.decode()
    assert "Ab jetzt erhalten Sie „Einmal im Monat das Wichtigste“ statt „Jede Woche eine Ausgabe“." in html


# --- dates


def _birthday_input(html: str) -> str:
    return re.search(r'<input[^>]*name="BIRTHDAY"[^>]*>', html).group(0)


@pytest.mark.parametrize("lang, example", [("de", "31.12.1990"), ("en", "1990-12-31")])
def test_a_date_field_has_no_format_hint_to_contradict_the_browsers_picker(client, default_page, maileon_sandbox,
                                                                           link, lang, example):
    html = client.get(f"/profile/?{link(ERIKA, lang=lang)}").content.decode()
    date = _birthday_input(html)
    assert 'type="date"' in date and "aria-describedby" not in date
    assert "JJJJ" not in html and "YYYY" not in html
    # Browsers with a picker do not show a placeholder; browsers without one (a text box) show the example.
    assert f'placeholder="{example}"' in date


@pytest.mark.parametrize("lang, typed", [("de", "31.12.1990"), ("de", "1.2.1990"), ("de", "1990-12-31"),
                                         ("en", "1990-12-31")])
def test_a_date_typed_without_a_picker_is_taken_as_the_language_writes_it(client, default_page, maileon_sandbox,
                                                                          link, put_bodies, lang, typed):
    response = _post_back(client, client.get(f"/profile/?{link(ERIKA, lang=lang)}"), BIRTHDAY=typed)
    assert response.status_code == 200 and "pc-error-summary" not in response.content.decode()
    [body] = put_bodies
    assert body.standard_fields["BIRTHDAY"] == {"1.2.1990": "1990-02-01"}.get(typed, "1990-12-31")


@pytest.mark.parametrize("lang, typed, message", [
    ("en", "31/12/1990", "Please enter a date such as 1990-12-31."),
    ("en", "31.12.1990", "Please enter a date such as 1990-12-31."),
    ("de", "31.12.90", "Bitte geben Sie ein Datum wie 31.12.1990 ein."),
    ("de", "30.02.1990", "Bitte geben Sie ein Datum wie 31.12.1990 ein."),
])
def test_a_date_the_page_cannot_read_gets_an_example_in_the_recipients_language(
        client, default_page, maileon_sandbox, link, lang, typed, message):
    response = _post_back(client, client.get(f"/profile/?{link(ERIKA, lang=lang)}"), BIRTHDAY=typed)
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in _birthday_input(html)  # kept as typed
    assert maileon_sandbox.changing_calls() == []


# --- a held value that is not among the choices


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, label, "selected" in attrs)
            for value, attrs, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)]


@pytest.mark.parametrize("lang, shown", [("en", "Mr"), ("de", "Herr")])
def test_a_held_value_that_reads_like_a_choice_is_that_choice_once(client, default_page, maileon_sandbox, link,
                                                                   put_bodies, lang, shown):
    """John's SALUTATION is "Mr" (another form wrote the English word); the page's choice is Herr|Herr|Mr."""
    response = client.get(f"/profile/?{link(JOHN, lang=lang)}")
    options = _options(response.content.decode(), "SALUTATION")
    labels = [label for _value, label, _selected in options]
    assert labels.count(shown) == 1 and labels.count("Mr") <= 1
    assert [(value, label) for value, label, selected in options if selected] == [("Mr", shown)]
    _post_back(client, response, FIRSTNAME="Johnny")  # saved untouched: the held value stays as it is
    [body] = put_bodies
    assert dict(body.standard_fields) == {"FIRSTNAME": "Johnny"}


def test_a_held_value_unlike_any_choice_is_offered_once_as_it_is(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(JOHN).standard_fields["SALUTATION"] = "Prof."
    options = _options(client.get(f"/profile/?{link(JOHN, lang='en')}").content.decode(), "SALUTATION")
    assert [label for _value, label, _selected in options].count("Prof.") == 1
    assert [value for value, _label, selected in options if selected] == ["Prof."]


def test_a_custom_choice_field_held_in_another_case_is_that_choice(client, make_page, maileon_sandbox, link,
                                                                   put_bodies):
    make_page(slug="farbe", fields=[{"source": FieldSource.CUSTOM, "name": "Lieblingsfarbe",
                                     "field_type": FieldType.CHOICE, "choices": "Grün|Grün|Green\nRot|Rot|Red"}])
    key = f"custom_{ProfileField.objects.get(page__slug='farbe').pk}"
    response = client.get(f"/p/farbe/profile/?{link(ERIKA, lang='en')}")  # Erika's colour is "grün"
    options = _options(response.content.decode(), key)
    assert [(value, label) for value, label, selected in options if selected] == [("grün", "Green")]
    assert len(options) == 3  # (no answer), Green, Red


# --- labels that fall back to another language


def test_a_label_without_an_english_text_is_marked_as_german(client, default_page, maileon_sandbox, link):
    group = PreferenceGroup.objects.get(page=default_page, category="Themen")
    group.preference_labels = "Rezepte|Rezepte und Kochideen|\nReisen|Reiseziele|Travel"
    group.title_en = ""
    group.save()
    html = client.get(f"/profile/?{link(ERIKA, lang='en')}").content.decode()
    assert re.search(r'<label for="id_pref_\d+_0" lang="de">Rezepte und Kochideen</label>', html)
    assert re.search(r'<label for="id_pref_\d+_1">Travel</label>', html)
    assert '<legend lang="de">Themen</legend>' in html
    german = client.get(f"/profile/?{link(ERIKA, lang='de')}").content.decode()
    assert 'lang="de">Rezepte' not in german  # on its own page a text needs no mark


def test_without_any_label_the_page_shows_maileons_description(client, default_page, maileon_sandbox, link):
    PreferenceGroup.objects.filter(page=default_page, category="Themen").update(preference_labels="")
    html = client.get(f"/profile/?{link(ERIKA, lang='en')}").content.decode()
    assert re.search(r'<label for="id_pref_\d+_0">Rezepte und Kochideen</label>', html)
