"""Preference categories, their preferences and custom field definitions (maileon-api.md §2.6, §2.8)."""

from urllib.parse import quote

from preference_center.maileon import codec
from preference_center.maileon.types import CustomFieldType

from .conftest import XML, error_message


def test_lists_the_preference_categories(sandbox):
    response = sandbox.call("GET", "/contacts/preference_categories")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML
    categories = codec.decode_preference_categories(response.content)
    assert [(c.name, c.description) for c in categories] == [
        ("Themen", "Worüber wir schreiben"),
        ("Frequenz", "Wie oft wir schreiben"),
    ]


def test_reads_one_category_and_its_preferences(sandbox):
    category = codec.decode_preference_category(sandbox.call("GET", "/contacts/preference_categories/Frequenz").content)
    assert category.name == "Frequenz"
    response = sandbox.call("GET", "/contacts/preference_categories/Frequenz/preferences")
    preferences = codec.decode_preference_definitions(response.content, category="Frequenz")
    assert [p.name for p in preferences] == ["Wöchentlich", "Monatlicher Digest"]


def test_category_names_in_the_path_are_percent_decoded(sandbox):
    sandbox.store.categories["Neu im Shop"] = sandbox.store.categories["Themen"].__class__("Neu im Shop", "")
    sandbox.store.preference_definitions["Neu im Shop"] = []
    response = sandbox.call("GET", "/contacts/preference_categories/" + quote("Neu im Shop", safe=""))
    assert response.status_code == 200
    assert codec.decode_preference_category(response.content).name == "Neu im Shop"


def test_an_unknown_category_is_not_found(sandbox):
    category = sandbox.call("GET", "/contacts/preference_categories/themen")
    assert (category.status_code, error_message(category)) == (404, "preference category not found")
    preferences = sandbox.call("GET", "/contacts/preference_categories/Nope/preferences")
    assert (preferences.status_code, error_message(preferences)) == (404, "preference category not found")


def test_lists_custom_field_definitions_with_their_types(sandbox):
    response = sandbox.call("GET", "/contacts/fields/custom")
    definitions = {d.name: d.type for d in codec.decode_custom_field_definitions(response.content)}
    assert definitions == {
        "Lieblingsfarbe": CustomFieldType.STRING,
        "Kundennummer": CustomFieldType.INTEGER,
        "Kunde_seit": CustomFieldType.DATE,
        "VIP": CustomFieldType.BOOLEAN,
        "Rabatt": CustomFieldType.FLOAT,
        "PAUSE_UNTIL": CustomFieldType.DATE,
    }


def test_configuration_reads_take_no_query_parameters(sandbox):
    response = sandbox.call("GET", "/contacts/fields/custom", [("page", "1")])
    assert (response.status_code, error_message(response)) == (400, "unknown query parameter: page")
