"""Single-choice preference groups (the demo's Frequenz: weekly or monthly) through the profile page: radio
buttons in a fieldset, a save keeps exactly one preference of the category on and sends only what changed."""

import re

import pytest

from preference_center.maileon import PreferenceDefinition
from preference_center.models import PreferenceGroup

from tests.support import ERIKA, JOHN, LENA, form_data

pytestmark = pytest.mark.django_db

WEEKLY, MONTHLY = "Wöchentlich", "Monatlicher Digest"


def _frequency_key(page) -> str:
    return f"pref_{page.preference_groups.get(category='Frequenz').pk}"


def _open(client, link, contact, lang="en"):
    return client.get(f"/profile/?{link(contact, lang=lang)}")


def _post_back(client, response, **changes):
    action, data = form_data(response, "/profile/")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = [value]
    return client.post(action, data)


def _frequency(store, contact) -> dict[str, bool]:
    return {name: value.value for (category, name), value in store.contact(contact).preferences.items()
            if category == "Frequenz"}


def _radios(html: str, key: str) -> dict[str, bool]:
    """value -> checked, for the radio buttons of one group."""
    return {value: "checked" in tag for tag in re.findall(rf'<input type="radio" name="{key}"[^>]*>', html)
            for value in re.findall(r'value="([^"]*)"', tag)}


def test_a_single_choice_group_is_a_set_of_radio_buttons_in_a_fieldset(client, default_page, maileon_sandbox,
                                                                       link):
    response = _open(client, link, ERIKA)
    html = response.content.decode()
    key = _frequency_key(default_page)
    assert _radios(html, key) == {WEEKLY: True, MONTHLY: False}
    fieldset = re.search(r"<fieldset[^>]*>\s*<legend>Frequency</legend>(.*?)</fieldset>", html, re.S).group(1)
    assert 'type="radio"' in fieldset and 'type="checkbox"' not in fieldset
    assert "An issue every week" in fieldset and "Once a month: the highlights" in fieldset
    assert "{#" not in html and "{%" not in html  # no template comment leaks onto the page
    assert maileon_sandbox.changing_calls() == []


def test_choosing_the_other_switches_it_on_and_the_old_one_off(client, default_page, maileon_sandbox, link,
                                                               put_bodies):
    response = _post_back(client, _open(client, link, ERIKA), **{_frequency_key(default_page): MONTHLY})
    assert "Thank you, your changes are saved." in response.content.decode()
    [body] = put_bodies
    assert {(p.category, p.name, p.value) for p in body.preferences} == {
        ("Frequenz", MONTHLY, True), ("Frequenz", WEEKLY, False)}
    assert _frequency(maileon_sandbox, ERIKA) == {WEEKLY: False, MONTHLY: True}


def test_an_untouched_choice_sends_nothing_about_it(client, default_page, maileon_sandbox, link, put_bodies):
    _post_back(client, _open(client, link, ERIKA), FIRSTNAME="Erika Maria")
    [body] = put_bodies
    assert body.preferences == ()
    assert dict(body.standard_fields) == {"FIRSTNAME": "Erika Maria"}


def test_a_contact_without_a_choice_sees_none_checked_and_a_save_leaves_it_so(client, default_page,
                                                                              maileon_sandbox, link, put_bodies):
    response = _open(client, link, LENA)  # Lena has no frequency at all
    assert _radios(response.content.decode(), _frequency_key(default_page)) == {WEEKLY: False, MONTHLY: False}
    _post_back(client, response, FIRSTNAME="Helena")
    [body] = put_bodies
    assert body.preferences == ()
    assert _frequency(maileon_sandbox, LENA) == {}


def test_a_contact_without_a_choice_may_choose_one(client, default_page, maileon_sandbox, link, put_bodies):
    _post_back(client, _open(client, link, LENA), **{_frequency_key(default_page): WEEKLY})
    [body] = put_bodies
    # Monthly holds no value: switching it "off" would be no change, so it is not sent.
    assert [(p.name, p.value) for p in body.preferences] == [(WEEKLY, True)]


@pytest.mark.parametrize("lang, note", [
    ("en", "You currently get more than one of these:"),
    ("de", "Sie erhalten zurzeit mehr als eine davon:"),
])
def test_several_on_in_maileon_shows_the_first_with_a_note_and_a_save_leaves_one(
        client, default_page, maileon_sandbox, link, put_bodies, lang, note):
    maileon_sandbox.contact(JOHN).preferences[("Frequenz", WEEKLY)].value = True  # set elsewhere: both on
    response = _open(client, link, JOHN, lang=lang)
    html = response.content.decode()
    key = _frequency_key(default_page)
    assert _radios(html, key) == {WEEKLY: True, MONTHLY: False}  # the first the page offers
    assert note in html
    note_id = f'id_{key}_several'
    assert f'id="{note_id}"' in html and re.search(rf'<fieldset[^>]*aria-describedby="[^"]*{note_id}', html)

    _post_back(client, response)  # saved as shown, nothing touched
    [body] = put_bodies
    assert [(p.name, p.value) for p in body.preferences] == [(MONTHLY, False)]
    assert _frequency(maileon_sandbox, JOHN) == {WEEKLY: True, MONTHLY: False}


def test_the_choice_switches_off_preferences_of_the_category_the_page_does_not_offer(
        client, default_page, maileon_sandbox, link, put_bodies):
    maileon_sandbox.preference_definitions["Frequenz"].append(
        PreferenceDefinition("Täglich", "Frequenz", "Jeden Tag"))  # an old one the page no longer offers
    maileon_sandbox.contact(ERIKA).preferences[("Frequenz", "Täglich")] = type(
        maileon_sandbox.contact(ERIKA).preferences[("Frequenz", WEEKLY)])(True)
    response = _open(client, link, ERIKA)
    html = response.content.decode()
    assert "Täglich" not in _radios(html, _frequency_key(default_page))
    assert "You currently get more than one of these:" in html and "Jeden Tag" in html

    _post_back(client, response, **{_frequency_key(default_page): MONTHLY})
    [body] = put_bodies
    assert {(p.name, p.value) for p in body.preferences} == {(MONTHLY, True), (WEEKLY, False), ("Täglich", False)}
    assert _frequency(maileon_sandbox, ERIKA) == {WEEKLY: False, MONTHLY: True, "Täglich": False}


@pytest.mark.parametrize("lang, message", [
    ("en", "Please choose one of the options shown."),
    ("de", "Bitte wählen Sie eine der angezeigten Möglichkeiten."),
])
@pytest.mark.parametrize("posted", ["Täglich", "", "Wöchentlich\x00"])
def test_a_value_that_is_not_one_of_the_groups_is_refused_with_a_message(
        client, default_page, maileon_sandbox, link, lang, message, posted):
    key = _frequency_key(default_page)
    action, data = form_data(_open(client, link, ERIKA, lang=lang), "/profile/")
    data[key] = [posted or "Sport"]
    response = client.post(action, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'href="#id_{key}_0"' in html  # the summary leads to the group
    assert f'id="id_{key}_error"' in html
    assert re.search(rf'<fieldset[^>]*aria-describedby="id_{key}_error', html)
    assert maileon_sandbox.changing_calls() == []


def test_two_values_for_one_choice_are_not_two_choices(client, default_page, maileon_sandbox, link, put_bodies):
    key = _frequency_key(default_page)
    action, data = form_data(_open(client, link, LENA), "/profile/")
    data[key] = [WEEKLY, MONTHLY]  # a forged form
    response = client.post(action, data)
    assert response.status_code == 200
    values = [p.value for body in put_bodies for p in body.preferences]
    assert values.count(True) <= 1
    assert sum(_frequency(maileon_sandbox, LENA).values()) <= 1


def test_a_single_choice_group_with_one_preference_left_shows_a_checkbox(client, default_page, maileon_sandbox,
                                                                         link):
    group = default_page.preference_groups.get(category="Frequenz")
    group.preference_labels = f"{WEEKLY}|Wöchentlich|Weekly"  # only one left to offer: nothing to choose between
    group.save()
    html = _open(client, link, ERIKA).content.decode()
    assert f'type="checkbox" name="{_frequency_key(default_page)}"' in html
    assert 'type="radio"' not in html


def test_groups_that_are_not_single_choice_stay_checkboxes(client, default_page, maileon_sandbox, link):
    PreferenceGroup.objects.filter(category="Frequenz").update(single_choice=False)
    html = _open(client, link, ERIKA).content.decode()
    assert 'type="radio"' not in html
    assert f'type="checkbox" name="{_frequency_key(default_page)}" value="{WEEKLY}"' in html


# --- the unsubscribe page's down-sell into a single-choice group


def test_the_down_sell_is_offered_to_who_has_it_beside_another_and_leaves_it_alone(
        client, default_page, maileon_sandbox, link, put_bodies):
    """John gets the monthly digest and, set elsewhere, the weekly issue too: "fewer mails" still means something
    to him, and afterwards the group holds exactly the down-sell's choice, as the profile page would save it."""
    maileon_sandbox.contact(JOHN).preferences[("Frequenz", WEEKLY)].value = True
    page = client.get(f"/unsubscribe/?{link(JOHN, lang='en')}")
    done = client.post(form_data(page, "/unsubscribe/downsell/")[0])
    assert "From now on you get “Once a month: the highlights” instead of “An issue every week”." in (
        done.content.decode())
    assert _frequency(maileon_sandbox, JOHN) == {WEEKLY: False, MONTHLY: True}

    after = client.get(f"/unsubscribe/?{link(JOHN, lang='en')}").content.decode()
    assert "/unsubscribe/downsell/" not in after  # exactly the down-sell's choice now: nothing left to switch
    assert _radios(_open(client, link, JOHN).content.decode(), _frequency_key(default_page)) == {
        WEEKLY: False, MONTHLY: True}
