"""Preference groups in the page configuration's admin: the single-choice flag and its checks, and the overview
of what recipients see per language, fallbacks named."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from preference_center.maileon import PreferenceDefinition
from preference_center.models import PageConfig, PreferenceGroup

from .formdata import page_form_data, preference_group

ADD_URL = reverse("admin:preference_center_pageconfig_add")


def _errors(response) -> str:
    return " ".join(str(error) for error in response.context["errors"])


def _saved_group(category: str) -> PreferenceGroup:
    return PreferenceGroup.objects.get(page__slug="kampagne", category=category)


def test_a_group_can_be_made_single_choice(staff_client, maileon_sandbox):
    response = staff_client.post(ADD_URL, page_form_data(groups=[preference_group("Frequenz", single_choice="on")]))
    assert response.status_code == 302, response.context and _errors(response)
    assert _saved_group("Frequenz").single_choice is True


def test_a_single_choice_needs_two_preferences_to_choose_from(staff_client, maileon_sandbox):
    maileon_sandbox.categories["Newsletter"] = type(maileon_sandbox.categories["Themen"])("Newsletter", "")
    maileon_sandbox.preference_definitions["Newsletter"] = [PreferenceDefinition("Alles", "Newsletter")]
    response = staff_client.post(ADD_URL, page_form_data(groups=[
        preference_group("Themen", single_choice="on", preference_labels="Rezepte|Rezepte|Recipes"),
        preference_group("Newsletter", single_choice="on", position=20),  # the whole category: one preference
    ]))
    assert response.status_code == 200
    assert _errors(response).count("A single choice needs at least two preferences to choose from") == 2
    assert not PageConfig.objects.filter(slug="kampagne").exists()


def test_while_maileon_is_down_only_the_labels_can_be_counted(staff_client, maileon_down):
    response = staff_client.post(ADD_URL, page_form_data(groups=[
        preference_group("Frequenz", single_choice="on", preference_labels="Wöchentlich|Wöchentlich|Weekly")]))
    assert "this group offers 1" in _errors(response)
    # Without labels the count is unknown: accepted (the page shows checkboxes should there be fewer than two).
    response = staff_client.post(ADD_URL, page_form_data(groups=[preference_group("Frequenz", single_choice="on")]))
    assert response.status_code == 302
    assert _saved_group("Frequenz").single_choice is True


def test_a_down_sell_into_a_single_choice_group_must_be_one_of_its_choices(staff_client, maileon_sandbox):
    maileon_sandbox.preference_definitions["Frequenz"].append(PreferenceDefinition("Täglich", "Frequenz"))
    offered = "Wöchentlich|Wöchentlich|Weekly\nTäglich|Täglich|Daily"
    data = page_form_data(downsell_category="Frequenz", downsell_preference="Monatlicher Digest",
                          groups=[preference_group("Frequenz", single_choice="on", preference_labels=offered)])
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "The down-sell switches to Monatlicher Digest, which this single-choice group does not offer" in _errors(
        response)

    data["preference_groups-0-preference_labels"] = offered + "\nMonatlicher Digest|Monatlich|Monthly"
    assert staff_client.post(ADD_URL, data).status_code == 302


def test_a_down_sell_beside_a_group_of_checkboxes_is_not_checked_against_it(staff_client, maileon_sandbox):
    data = page_form_data(downsell_category="Frequenz", downsell_preference="Monatlicher Digest",
                          groups=[preference_group("Frequenz", preference_labels="Wöchentlich|Wöchentlich|Weekly")])
    assert staff_client.post(ADD_URL, data).status_code == 302


# --- what recipients see


@pytest.fixture
def overview(staff_client, default_page, maileon_sandbox, settings):
    settings.ENABLED_LANGUAGES = ["de", "en"]  # a column per enabled language: two keep the rows readable

    def read(category: str) -> list[list[str]]:
        """The overview of one group as rows of cell texts (name, German, English)."""
        html = staff_client.get(reverse("admin:preference_center_pageconfig_change", args=[default_page.pk]),
                                HTTP_ACCEPT_LANGUAGE="en").content.decode()
        index = [group.category for group in default_page.preference_groups.all()].index(category)
        table = re.findall(r'<table class="pc-labels">(.*?)</table>', html, re.S)[index]
        return [[" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]

    return read


def test_the_overview_shows_each_label_per_language(overview):
    assert overview("Frequenz") == [
        ["Maileon name", "German", "English"],
        ["Heading", "Häufigkeit", "Frequency"],
        ["Wöchentlich", "Jede Woche eine Ausgabe", "An issue every week"],
        ["Monatlicher Digest", "Einmal im Monat das Wichtigste", "Once a month: the highlights"],
    ]


def test_the_overview_has_a_column_per_enabled_language(overview, settings):
    settings.ENABLED_LANGUAGES = ["de", "en", "fr", "it", "es", "nl"]
    header, heading, weekly, _monthly = overview("Frequenz")
    assert header == ["Maileon name", "German", "English", "French", "Italian", "Spanish", "Dutch"]
    assert heading == ["Heading", "Häufigkeit", "Frequency", "Fréquence", "Frequenza", "Frecuencia", "Frequentie"]
    assert weekly[3] == "Un numéro chaque semaine"


def test_the_overview_names_each_fallback_and_what_it_falls_back_to(overview, default_page):
    group = default_page.preference_groups.get(category="Themen")
    group.title_en = ""
    group.preference_labels = "Rezepte|Rezepte und Kochideen|\nReisen|Reisen|Travel"
    group.save()
    PreferenceGroup.objects.filter(page=default_page, category="Frequenz").update(preference_labels="")

    german_shown = "no text in this language: the German text is shown"
    assert overview("Themen") == [
        ["Maileon name", "German", "English"],
        ["Heading", "Themen", f"Themen {german_shown}"],
        ["Rezepte", "Rezepte und Kochideen", f"Rezepte und Kochideen {german_shown}"],
        ["Reisen", "Reisen", "Travel"],
    ]
    maileon = "no label: Maileon's description, the same in every language"
    assert overview("Frequenz")[2] == [
        "Wöchentlich", f"Jede Woche eine Ausgabe {maileon}", f"Jede Woche eine Ausgabe {maileon}"]
