"""The admin asks for marketer texts in every enabled language (settings.ENABLED_LANGUAGES), and only those."""

import pytest
from django.urls import reverse

from preference_center.models import PageConfig, UnsubscribeReason

from .formdata import page_form_data, preference_group, profile_field

pytestmark = pytest.mark.django_db


def change_form(staff_client, page):
    response = staff_client.get(reverse("admin:preference_center_pageconfig_change", args=[page.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_form_has_a_texts_fieldset_per_enabled_language(staff_client, maileon_sandbox, default_page,
                                                                   settings):
    html = change_form(staff_client, default_page)
    for language in ("German", "English", "French", "Italian", "Spanish", "Dutch"):
        assert f"Texts: {language}" in html
    for name in ("profile_intro_nl", "downsell_label_fr", "fields-0-label_it", "preference_groups-0-title_es"):
        assert f'name="{name}"' in html

    settings.ENABLED_LANGUAGES = ["de", "en"]
    html = change_form(staff_client, default_page)
    assert "Texts: French" not in html and 'name="profile_intro_fr"' not in html
    assert 'name="fields-0-label_fr"' not in html and 'name="preference_groups-0-title_fr"' not in html
    assert 'name="profile_intro_en"' in html


def test_texts_of_a_language_not_enabled_survive_a_save(staff_client, maileon_sandbox, settings):
    settings.ENABLED_LANGUAGES = ["de", "en", "fr"]
    url = reverse("admin:preference_center_pageconfig_add")
    data = page_form_data(profile_intro_fr="Bonjour", fields=[profile_field("FIRSTNAME", label_fr="Prénom usuel")],
                          groups=[preference_group("Themen", title_fr="Sujets")])
    assert staff_client.post(url, data).status_code == 302
    page = PageConfig.objects.get(slug="kampagne")
    assert page.profile_intro_fr == "Bonjour" and page.fields.get().label_fr == "Prénom usuel"

    settings.ENABLED_LANGUAGES = ["de", "en"]  # French switched off for a while
    data = page_form_data(profile_intro_de="Hallo")
    data.update({"fields-TOTAL_FORMS": "0", "preference_groups-TOTAL_FORMS": "0"})
    response = staff_client.post(reverse("admin:preference_center_pageconfig_change", args=[page.pk]), data)
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.profile_intro_de, page.profile_intro_fr) == ("Hallo", "Bonjour")


def test_the_default_language_offers_only_enabled_languages(staff_client, maileon_sandbox, settings):
    settings.ENABLED_LANGUAGES = ["de", "en"]
    response = staff_client.post(reverse("admin:preference_center_pageconfig_add"),
                                 page_form_data(default_language="fr"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_reason_needs_a_label_in_at_least_one_language(staff_client):
    url = reverse("admin:preference_center_unsubscribereason_add")
    data = {"reason_type": "other", "position": "5", "active": "on", "fixed_message": "",
            **{f"label_{code}": "" for code in ("de", "en", "fr", "it", "es", "nl")}}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Give the answer a label in at least one language." in response.content.decode()
    data["label_es"] = "Solo en español"
    assert staff_client.post(url, data).status_code == 302
    assert UnsubscribeReason.objects.filter(label_es="Solo en español", label_de="").exists()


def test_the_reason_list_shows_each_answer_in_the_admins_language(staff_client):
    reason = UnsubscribeReason.objects.create(reason_type="other", label_de="Nur Deutsch", position=1)
    html = staff_client.get(reverse("admin:preference_center_unsubscribereason_changelist")).content.decode()
    assert f'/{reason.pk}/change/' in html and "Nur Deutsch" in html  # no English label: another language's
