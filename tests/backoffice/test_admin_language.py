"""The admin speaks the marketer's language throughout: every admin screen (lists with filters chosen, change and
add forms of each model with data on them, the SLA and reasons reports, history, delete, the sign-in and lockout
pages) and the CSV, requested in German and in French, shows none of our English strings.

Two nets, because a string can be untranslated in two ways:
- it is in our catalogue but reaches the page untranslated (a gettext where gettext_lazy was needed, a string
  translated before the language was chosen): no English msgid of the catalogue appears in the page's text;
- it never went through gettext (a field without a verbose_name shows "Next attempt at", a filter "Nach page"):
  every text of the page in German is different from the same page's text in English, unless it is data (names,
  ids, what the marketer typed) or a word both languages share.
Text marked as another language (lang="en": the English column of the labels overview) is data, not ours.
Django's admin scripts' strings (the two-list picker) come from the JavaScript catalogue, checked on its own.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from preference_center import languages
from preference_center.backoffice.evidence import describe
from tests.backoffice.admin_screens import CSV, EVIDENCE, populate, screens
from tests.test_i18n import parse_po

ROOT = Path(__file__).resolve().parent.parent.parent
LANGUAGES_UNDER_TEST = ["de", "fr"]
# Texts that are the same in English and the language under test and are not data: names, abbreviations and
# words both languages use (checked by hand: each is right in that language).
SHARED_WORDS = {
    "de": {"Axes", "Maileon", "CSV", "ID", "SLA", "OK", "Name", "Position", "Status", "Details", "Filter", "Text", "DOI", "Link",
           "Links", "Logo", "Mailing", "Version", "Deutsch", "English", "Français", "Italiano", "Español",
           "Nederlands"},
    "fr": {"Axes", "Maileon", "CSV", "ID", "SLA", "OK", "Position", "Action", "Actions", "Page", "Pages", "Permissions", "Via", "Date", "Type", "Message", "Note", "Total",
           "Logo", "Mailing", "Version", "Deutsch", "English", "Français", "Italiano", "Español", "Nederlands"},
}
# Django's own, untranslated in every language (not ours): the alternative texts of its yes/no icons and of the
# search box's magnifier.
DJANGOS_OWN = {"True", "False", "None", "Search"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
SKIPPED_ELEMENTS = {"script", "style", "textarea", "noscript"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageText(HTMLParser):
    """The texts a reader meets on a page: text nodes, the attributes read out (title, placeholder, ...) and the
    labels of buttons, each whitespace-normalised, except inside script/style/textarea (what the marketer typed)
    and inside elements marked as written in another language than the page's."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, text inside is ours to check)
        self.texts: list[str] = []

    def _ours(self) -> bool:
        return not self.stack or self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").split("-")[0]
        ours = self._ours() and tag not in SKIPPED_ELEMENTS and (not lang or lang == self.language or tag == "html")
        if ours:
            self.texts += [" ".join(value.split()) for name, value in attrs if name in READ_ATTRIBUTES and value]
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.texts.append(attributes["value"])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, ours))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed elements (<p>, <li>)
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and self._ours():
            self.texts.append(text)


def page_texts(html: str, language: str) -> set[str]:
    parser = PageText(language)
    parser.feed(html)
    return {text.rstrip(":").strip() for text in parser.texts} - {""}


def english_msgids(language: str) -> tuple[set[str], list[str]]:
    """(whole texts, phrases): our catalogue's msgids whose translation differs from them. A short msgid is only
    looked for as a page's whole text ("page" is a word inside many a text); a phrase of three words or more
    (the parts between placeholders) anywhere in a text."""
    whole, phrases = set(), []
    for entry in parse_po(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"):
        msgid = entry["msgid"]
        if not msgid or entry["obsolete"] or entry["msgstr"][0] == msgid or not re.search(r"[A-Za-z]{2}", msgid):
            continue
        if not PLACEHOLDER.search(msgid):
            whole.add(" ".join(msgid.split()).rstrip(":"))
        phrases += [" ".join(part.split()) for part in PLACEHOLDER.split(msgid) if len(part.split()) >= 3]
    return whole, phrases


def stored_texts(account, language: str) -> set[str]:
    """Every text the database holds in our models and auth's (users, groups, permissions as the permission
    picker names them), and the Maileon account's names and descriptions: data, shown as stored."""
    texts = set()
    for model in [*apps.get_app_config("preference_center").get_models(), *apps.get_app_config("auth").get_models()]:
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        for row in model.objects.values_list(*fields) if fields else []:
            for value in row:
                for line in str(value or "").splitlines() + [str(value or "")]:
                    texts |= {" ".join(line.split()), *(" ".join(p.split()) for p in line.split("|"))}
    # Django names permissions in English when it creates them (auth's data, the same in every language).
    with translation.override(language):  # "app | model | name": app and model in the admin's language
        texts |= {str(permission) for permission in Permission.objects.select_related("content_type")}
    texts |= {name for category in account.categories.values() for name in (category.name, category.description)}
    texts |= {text for definitions in account.preference_definitions.values() for d in definitions
              for text in (d.name, d.description)}
    texts |= {text for t in account.transaction_types.values() for text in (t.name, t.description)}
    return texts - {""}


def is_data(text: str, stored: set[str]) -> bool:
    """Numbers, dates, ids, names of Maileon's, links and headers, what the database holds, an error shortened
    ("HTTP 503: Service Unav…"), and texts made of these ("Frequenz: Wie oft wir schreiben", "7001: neuer_link")."""
    if text.endswith("…") and any(value.startswith(text[:-1]) for value in stored):
        return True
    if text in stored or re.search(r"https?://|^List-Unsubscribe", text):
        return True
    return all(_is_datum(piece, stored) for piece in re.split(r"\s*[:|›]\s*", text))


def _is_datum(piece: str, stored: set[str]) -> bool:
    return (piece in stored or not re.search(r"[A-Za-zÀ-ÿ]{2}", piece)
            or bool(re.fullmatch(r"[A-Z0-9_]+|[\w-]+_[\w_-]+|[\w.-]+\.(png|svg|css|js|csv)|\w+ \d{4}", piece))
            or bool(re.search(r"/p/|/admin/|\[CONTACT|\[MAILING", piece)))


def fetch(client: Client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Language"] == language, url
    return response.content.decode()


def lockout_page(language: str) -> str:
    """The lockout page (django-axes), the fifth wrong password for one username answers with it."""
    for _attempt in range(5):
        response = Client().post(reverse("admin:login"), {"username": f"locked-{language}", "password": "wrong"},
                                 HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    return response.content.decode()


@pytest.fixture
def admin_data(admin_user, maileon_sandbox):
    return populate(admin_user)


@pytest.fixture
def account(maileon_sandbox):
    return maileon_sandbox


def untranslated_on_screens(client: Client, urls: dict[str, str], language: str, account) -> dict[str, list[str]]:
    whole, phrases = english_msgids(language)
    stored = stored_texts(account, language)
    shared = SHARED_WORDS[language] | DJANGOS_OWN
    found = {}
    pages = {name: (fetch(client, url, language), fetch(client, url, "en")) for name, url in urls.items()}
    pages["login"] = (fetch(Client(), reverse("admin:login"), language), fetch(Client(), reverse("admin:login"), "en"))
    pages["lockout"] = (lockout_page(language), lockout_page("en"))
    for name, (html, english_html) in pages.items():
        texts = page_texts(html, language)
        english = page_texts(english_html, "en")
        ours = {text for text in texts if text not in shared and not is_data(text, stored)}
        bad = {text for text in ours if text in whole or any(phrase in text for phrase in phrases)}
        bad |= ours & english
        if bad:
            found[name] = sorted(bad)
    return found


@pytest.mark.parametrize("language", LANGUAGES_UNDER_TEST)
def test_no_admin_screen_shows_an_english_string_of_ours(admin_client, admin_data, account, language):
    urls = screens(admin_data)
    assert untranslated_on_screens(admin_client, urls, language, account) == {}


@pytest.mark.parametrize("language", LANGUAGES_UNDER_TEST)
def test_the_csv_speaks_the_admins_language_and_stays_spreadsheet_safe(admin_client, admin_data, language):
    response = admin_client.get(reverse(CSV), HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (umlauts, accents) only with the byte order mark
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))  # decimal-comma languages: Excel splits at ;
    header, body = rows[0], rows[1:]
    with translation.override(language):
        expected = [str(title) for title in __import__(
            "preference_center.backoffice.report_views", fromlist=["CSV_HEADER"]).CSV_HEADER]
    assert header == expected and header != ["Reason", "Maileon type", "Week", "Mailing", "Count"]
    with translation.override(language):
        labels = {admin_data.reason.label(language)}
    assert labels <= {row[0] for row in body}
    english_types = {"Too many messages", "No reason given", "Other"}  # a few of the type labels in English
    assert not english_types & {row[1] for row in body}
    assert all(not cell[:1] in "=+-@" for row in rows for cell in row[:2])
    disposition = response["Content-Disposition"]
    assert "unsubscribe-reasons" not in disposition  # the file name in the admin's language too


@pytest.mark.parametrize("language", LANGUAGES_UNDER_TEST)
def test_the_evidence_of_old_and_new_rows_is_shown_in_the_admins_language(language):
    with translation.override(language):
        for stored in EVIDENCE:
            shown = describe(stored)
            assert shown and not set(stored.split("; ")) & set(shown.split("; ")), (stored, shown)
        assert describe("a phrase of a future version") == "a phrase of a future version"  # shown, never hidden
        assert describe("") == ""


def our_fields():
    for model in apps.get_app_config("preference_center").get_models():
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if not field.auto_created:
                yield model, field


@pytest.mark.parametrize("language", [code for code in languages.CODES if code != "en"])
def test_every_field_of_ours_is_named_and_explained_in_the_language(language):
    """Each verbose name and help text is a lazy translation, translated in the language: different from the
    English, or the same word by the catalogue's choice ("Logo"; "Status" in German)."""
    catalogue = {entry["msgid"]: entry["msgstr"][0] for entry in parse_po(
        ROOT / "locale" / language / "LC_MESSAGES" / "django.po") if entry["msgid_plural"] is None}
    untranslated = []
    for model, field in our_fields():
        for what in ("verbose_name", "help_text"):
            text = getattr(field, what)
            if what == "help_text" and not text:
                continue
            with translation.override("en"):
                english = str(text)
            with translation.override(language):
                translated = str(text)
            if not isinstance(text, Promise) or (translated == english and not catalogue.get(english)):
                untranslated.append(f"{model.__name__}.{field.name}.{what}: {english!r}")
    for model in apps.get_app_config("preference_center").get_models():
        for what in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(model._meta, what), Promise):
                untranslated.append(f"{model.__name__}.{what}")
    assert untranslated == []


def admin_script_msgids() -> set[str]:
    """The strings Django's admin scripts translate with gettext()/ngettext() (the singular is the key)."""
    call = re.compile(r"\b(?:gettext|ngettext|interpolate\(gettext)\(\s*(['\"])((?:\\.|(?!\1).)*)\1")
    scripts = Path(django.__file__).parent / "contrib" / "admin" / "static" / "admin" / "js"
    found = set()
    for path in scripts.rglob("*.js"):
        if ".min." in path.name or "vendor" in path.parts:
            continue
        found |= {match[2].replace("\\'", "'").replace('\\"', '"') for match in call.finditer(path.read_text())}
    return found


@pytest.mark.parametrize("language", [code for code in languages.CODES if code != "en"])
def test_the_admin_scripts_speak_the_language(admin_client, language):
    """Django's own catalogue leaves some of its scripts' strings untranslated in some languages (German: "Choose
    %s by selecting them"); locale/<lang>/LC_MESSAGES/djangojs.po fills them. After a Django upgrade this lists
    what is missing."""
    response = admin_client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE=language)
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)[1])
    wanted = admin_script_msgids()
    assert len(wanted) > 40  # the scan found the scripts' strings
    missing = sorted(msgid for msgid in wanted if msgid not in catalog)
    assert missing == []
