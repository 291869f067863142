"""Marketers pick Maileon's names instead of typing them while the account answers, and may type them when
Maileon is down; what they pick is checked against the account and the type follows Maileon's definition."""

from __future__ import annotations

import pytest
from django.urls import reverse

from preference_center.models import FieldSource, FieldType, PageConfig, ProfileField

from .formdata import page_form_data, preference_group, profile_field

ADD_URL = reverse("admin:preference_center_pageconfig_add")
UNREACHABLE_NOTE = b'id="maileon-unreachable"'


def _option(value: str) -> bytes:
    return f'<option value="{value}">'.encode()


def test_account_names_are_offered_while_maileon_answers(staff_client, maileon_sandbox):
    content = staff_client.get(ADD_URL).content
    for name in maileon_sandbox.custom_field_definitions:
        assert _option(name) in content
    for category in maileon_sandbox.categories:
        assert _option(category) in content
    assert _option("Monatlicher Digest") in content
    assert _option("FIRSTNAME") in content
    assert UNREACHABLE_NOTE not in content


def test_maileon_down_shows_a_note_and_still_offers_standard_fields(staff_client, maileon_down):
    content = staff_client.get(ADD_URL).content
    assert UNREACHABLE_NOTE in content
    assert _option("FIRSTNAME") in content
    assert _option("Lieblingsfarbe") not in content


def test_maileon_refusing_the_key_also_falls_back_to_typing(staff_client, maileon_sandbox):
    maileon_sandbox.faults.inject(status=401, times=None)
    assert UNREACHABLE_NOTE in staff_client.get(ADD_URL).content


def test_typed_names_are_saved_unchecked_while_maileon_is_down(staff_client, maileon_down):
    data = page_form_data(
        fields=[profile_field("Irgendein_Feld", source="custom")], groups=[preference_group("Neue Kategorie")]
    )
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    page = PageConfig.objects.get(slug="kampagne")
    assert page.fields.get().name == "Irgendein_Feld"
    assert page.preference_groups.get().category == "Neue Kategorie"


def test_custom_field_type_and_kind_come_from_the_account(staff_client, maileon_sandbox):
    data = page_form_data(fields=[
        profile_field("Kundennummer", position=1),  # left at kind "standard", type "text"
        profile_field("Kunde_seit", source="custom", position=2),
        profile_field("VIP", source="custom", position=3),
        profile_field("Rabatt", source="custom", position=4),
        profile_field("Lieblingsfarbe", source="custom", position=5),
        profile_field("firstname", position=6),
    ])
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    saved = {f.name: (f.source, f.field_type) for f in ProfileField.objects.filter(page__slug="kampagne")}
    assert saved == {
        "Kundennummer": (FieldSource.CUSTOM, FieldType.NUMBER),
        "Kunde_seit": (FieldSource.CUSTOM, FieldType.DATE),
        "VIP": (FieldSource.CUSTOM, FieldType.BOOLEAN),
        "Rabatt": (FieldSource.CUSTOM, FieldType.DECIMAL),
        "Lieblingsfarbe": (FieldSource.CUSTOM, FieldType.TEXT),
        "FIRSTNAME": (FieldSource.STANDARD, FieldType.TEXT),
    }


def _errors(response) -> str:
    return " ".join(str(error) for error in response.context["errors"])


def test_names_the_account_lacks_are_refused_while_maileon_answers(staff_client, maileon_sandbox):
    data = page_form_data(
        fields=[profile_field("lieblingsfarbe", source="custom")],  # custom names are case-sensitive
        groups=[preference_group("Themen", preference_labels="Kochen|Kochen|Cooking"), preference_group("Sport")],
        downsell_category="Frequenz", downsell_preference="Täglich",
    )
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = _errors(response)
    assert "no custom field named lieblingsfarbe" in errors
    assert "no preference Kochen" in errors
    assert "no preference category Sport" in errors
    assert "Frequenz has no preference Täglich" in errors
    assert not PageConfig.objects.filter(slug="kampagne").exists()


def test_a_type_maileon_cannot_store_is_refused(staff_client, maileon_sandbox):
    data = page_form_data(fields=[profile_field("Kunde_seit", source="custom", field_type="boolean")])
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Maileon stores Kunde_seit as Date" in _errors(response)


def test_a_name_that_is_no_standard_field_needs_kind_custom(staff_client, maileon_down):
    data = page_form_data(fields=[profile_field("CHECKSUM")])  # read-only in Maileon: never on a form
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "not a standard field a recipient may change" in _errors(response)


def test_choice_fields_need_their_choices(staff_client, maileon_sandbox):
    data = page_form_data(fields=[profile_field("SALUTATION", field_type="choice")])
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "needs its choices" in _errors(response)


def test_the_down_sell_switch_needs_category_and_preference(staff_client, maileon_down):
    response = staff_client.post(ADD_URL, page_form_data(downsell_category="Frequenz"))
    assert response.status_code == 200
    assert "needs both a category and a preference" in _errors(response)


def test_the_pause_field_is_picked_from_the_accounts_date_fields(staff_client, maileon_sandbox):
    content = staff_client.get(ADD_URL).content.decode()
    date_fields = content[content.index('<datalist id="pc-maileon-date-fields">'):]
    date_fields = date_fields[:date_fields.index("</datalist>")]
    assert '<option value="PAUSE_UNTIL">' in date_fields and '<option value="Kunde_seit">' in date_fields
    assert "Lieblingsfarbe" not in date_fields
    assert 'list="pc-maileon-date-fields"' in content

    assert staff_client.post(ADD_URL, page_form_data(pause_field=" PAUSE_UNTIL ")).status_code == 302
    assert PageConfig.objects.get(slug="kampagne").pause_field == "PAUSE_UNTIL"


@pytest.mark.parametrize("name, message", [
    ("Lieblingsfarbe", "Lieblingsfarbe is a custom field of type string; a pause needs one of type date."),
    ("pause_until", "no custom field named pause_until"),  # names are case-sensitive
])
def test_a_pause_field_that_is_no_date_field_of_the_account_is_refused(staff_client, maileon_sandbox, name,
                                                                       message):
    response = staff_client.post(ADD_URL, page_form_data(pause_field=name))
    assert response.status_code == 200 and message in _errors(response)
    assert not PageConfig.objects.filter(slug="kampagne").exists()


def test_the_pause_field_may_be_typed_while_maileon_is_down(staff_client, maileon_down):
    assert staff_client.post(ADD_URL, page_form_data(pause_field="PAUSE_UNTIL")).status_code == 302
    assert PageConfig.objects.get(slug="kampagne").pause_field == "PAUSE_UNTIL"
