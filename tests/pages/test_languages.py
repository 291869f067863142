"""Six languages, of which the ENABLED_LANGUAGES setting offers some: who gets which, and which marketer text a
recipient sees when the marketer left that language empty (the page's default language's, never an empty label).

HTTP in through Django's test client against the sandbox; the catalogue texts themselves are tests/test_i18n.py's.
"""

import pytest

from preference_center.models import UnsubscribeReason
from tests.support import ERIKA, JOHN, ZOE

pytestmark = pytest.mark.django_db


def html_of(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("code", ["fr", "it", "es", "nl"])
def test_each_new_language_is_chosen_by_the_link_the_contacts_locale_and_the_browser(
    client, default_page, maileon_sandbox, link, code
):
    assert f'<html lang="{code}">' in html_of(client, f"/profile/?{link(ERIKA, lang=code)}")
    maileon_sandbox.contact(ZOE).standard_fields["LOCALE"] = f"{code}_CH"
    assert client.get(f"/profile/?{link(ZOE)}")["Content-Language"] == code
    maileon_sandbox.contact(ZOE).standard_fields.pop("LOCALE")
    assert client.get(f"/profile/?{link(ZOE)}", HTTP_ACCEPT_LANGUAGE=f"{code}-BE, en;q=0.5")[
        "Content-Language"] == code


def test_the_switcher_offers_every_enabled_language_named_in_itself(client, default_page, maileon_sandbox, link):
    html = html_of(client, f"/profile/?{link(JOHN)}")
    for code, name in [("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano"), ("es", "Español"),
                       ("nl", "Nederlands")]:
        assert f'lang="{code}" hreflang="{code}">{name}</a>' in html
    assert '<span aria-current="true" lang="en">English</span>' in html


def test_marketer_texts_in_the_recipients_language(client, default_page, maileon_sandbox, link):
    html = html_of(client, f"/profile/?{link(ERIKA, lang='fr')}")
    assert "Modifiez ici vos coordonnées et choisissez" in html  # the profile intro
    assert "Couleur préférée" in html and "Monsieur" in html and "Sujets" in html  # label, choice, group title
    assert "Recettes et idées de cuisine" in html  # a preference's label
    unsubscribe = html_of(client, f"/unsubscribe/?{link(ERIKA, lang='nl')}")
    assert "Liever alleen de maandelijkse samenvatting" in unsubscribe  # the down-sell button
    assert "Ik ontvang te veel e-mails" in unsubscribe  # a seeded reason, translated by migration 0006


def test_a_text_left_empty_shows_the_pages_default_language_not_english_not_nothing(
    client, default_page, maileon_sandbox, link
):
    default_page.profile_intro_it = ""
    default_page.save()
    field = default_page.fields.get(name="Lieblingsfarbe")
    field.label_it = ""
    field.save()
    group = default_page.preference_groups.get(category="Themen")
    group.title_it = ""
    group.save()
    reason = UnsubscribeReason.objects.get(reason_type="too_many_messages", label_en="I get too many emails")
    reason.label_it = ""
    reason.save()

    html = html_of(client, f"/profile/?{link(ERIKA, lang='it')}")
    assert "Hier können Sie Ihre Angaben ändern" in html  # German: the page's default language
    assert ">Lieblingsfarbe<" in html and ">Themen<" in html
    assert "Update your details here" not in html
    assert "Ich bekomme zu viele E-Mails" in html_of(client, f"/unsubscribe/?{link(ERIKA, lang='it')}")

    default_page.default_language = "en"
    default_page.save()
    html = html_of(client, f"/profile/?{link(ERIKA, lang='it')}")
    assert "Update your details here" in html and ">Favourite colour<" in html and ">Topics<" in html


def test_a_label_no_language_has_falls_back_to_any_language_that_has_one(
    client, make_page, maileon_sandbox, link, make_reason
):
    make_page(slug="nl-only", default_language="de",
              fields=[{"source": "custom", "name": "Lieblingsfarbe", "label_nl": "Lievelingskleur"}])
    make_reason(label_de="", label_en="", label_nl="Alleen in het Nederlands")
    assert ">Lievelingskleur<" in html_of(client, f"/p/nl-only/profile/?{link(ERIKA, lang='en')}")
    assert "Alleen in het Nederlands" in html_of(client, f"/p/nl-only/unsubscribe/?{link(ERIKA, lang='en')}")


def test_standard_fields_keep_their_catalogue_label_in_every_language(client, default_page, maileon_sandbox, link):
    # No marketer label on FIRSTNAME: the catalogue's (translated) label, not another language's marketer text.
    field = default_page.fields.get(name="FIRSTNAME")
    field.label_de = "Rufname"
    field.save()
    assert ">Rufname<" in html_of(client, f"/profile/?{link(ERIKA, lang='de')}")
    assert ">Rufname<" not in html_of(client, f"/profile/?{link(ERIKA, lang='en')}")


class TestOnlySomeLanguagesEnabled:
    @pytest.fixture(autouse=True)
    def german_and_english(self, settings):
        settings.ENABLED_LANGUAGES = ["de", "en"]

    def test_others_are_not_offered_by_link_locale_or_browser(self, client, default_page, maileon_sandbox, link):
        assert client.get(f"/profile/?{link(ERIKA, lang='fr')}")["Content-Language"] == "de"  # LOCALE de_DE
        maileon_sandbox.contact(ZOE).standard_fields["LOCALE"] = "fr_FR"
        assert client.get(f"/profile/?{link(ZOE)}", HTTP_ACCEPT_LANGUAGE="fr, en;q=0.1")["Content-Language"] == "en"
        html = html_of(client, f"/profile/?{link(JOHN)}")
        assert 'hreflang="de"' in html and "Français" not in html

    def test_a_default_language_not_enabled_gives_way_to_the_first_enabled(
        self, client, default_page, maileon_sandbox, link, settings
    ):
        settings.ENABLED_LANGUAGES = ["nl", "en"]
        default_page.default_language = "de"
        default_page.save()
        # Zoë: no LOCALE; the browser asks for nothing we offer.
        response = client.get(f"/profile/?{link(ZOE)}", HTTP_ACCEPT_LANGUAGE="pl")
        assert response["Content-Language"] == "en"  # languages.LANGUAGES order: en before nl

    def test_one_language_shows_no_switcher(self, client, default_page, maileon_sandbox, link, settings):
        settings.ENABLED_LANGUAGES = ["fr"]
        html = html_of(client, f"/profile/?{link(JOHN, lang='en')}")
        assert '<html lang="fr">' in html and "pc-languages" not in html
