"""Errors nothing else maps (Django's handler500, handler404, handler400) end on our page in the recipient's
language, with the strict CSP, never on Django's bare English pages. Production mode: with DEBUG on Django shows
its technical pages instead.

Real failures: another connection holds a table (tests/pages/locks.py), a URL that matches nothing, a body
Django cannot parse, a Host header not allowed.
"""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from preference_center.models import PageConfig, UnsubscribeRequest
from tests.pages.test_headers import EMBEDDERS, assert_not_frameable, assert_recipient_headers

from tests.support import LENA
from .locks import short_lock_timeout, table_held  # noqa: F401 (a fixture)

WENT_WRONG = {"de": "Bei uns ist etwas schiefgegangen", "en": "Something went wrong on our side"}
NOT_FOUND = {"de": "Seite nicht gefunden", "en": "Page not found"}
CANNOT_PROCESS = {"de": "Ihre Anfrage konnte nicht verarbeitet werden", "en": "Your request could not be processed"}


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.FRAME_ANCESTORS = EMBEDDERS
    return Client(raise_request_exception=False)


def assert_no_inline_style_or_script(html: str) -> None:
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)


def languages_shown(html: str) -> set[str]:
    return {language for language, text in WENT_WRONG.items() if text in html}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lock_timeout")
@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_unexpected_error_on_a_recipient_page_is_our_500_page_in_the_recipients_language(
    production, maileon_sandbox, link, make_reason, lang
):
    PageConfig.get_default()
    reason = make_reason()
    # "Tell us more" reads the recorded unsubscribe: the database refuses that read, an error nothing maps.
    with table_held(UnsubscribeRequest, reads_too=True):
        response = production.post(f"/unsubscribe/reason/?{link(LENA, lang=lang)}", {"reason": reason.pk})

    html = response.content.decode()
    assert response.status_code == 500
    assert languages_shown(html) == {lang} and f'<html lang="{lang}">' in html
    assert 'class="pc-skip"' in html and "/p/default/theme.css" in html  # dressed like every recipient page
    assert_no_inline_style_or_script(html)
    assert_recipient_headers(response)  # framed where the page may be, strict CSP
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lock_timeout")
@pytest.mark.parametrize("query, headers, shown", [
    ("lang=en", {}, {"en"}),
    ("", {"HTTP_ACCEPT_LANGUAGE": "de-CH,de;q=0.9"}, {"de"}),
    ("", {}, {"de", "en"}),  # nothing tells the language: both
], ids=["link-lang", "browser", "undecided"])
def test_with_the_page_configuration_unreadable_too_the_self_contained_page_answers(
    production, maileon_sandbox, link, query, headers, shown
):
    PageConfig.get_default()
    with table_held(PageConfig, reads_too=True):
        response = production.get(f"/profile/?{link(LENA)}&{query}", **headers)

    html = response.content.decode()
    assert response.status_code == 500
    assert languages_shown(html) == shown
    assert 'class="pc-skip"' not in html and 'href="/static/pages.css"' in html  # 500.html, not base.html
    assert_no_inline_style_or_script(html)
    assert_recipient_headers(response)


def test_the_last_resort_page_renders_alone_without_the_database_in_both_languages():
    html = render_to_string("500.html")  # as Django itself renders it: no context, no request; no db mark here

    assert languages_shown(html) == {"de", "en"}
    assert '<section lang="de">' in html and '<section lang="en">' in html
    assert_no_inline_style_or_script(html)


@pytest.mark.parametrize("path, headers, lang", [
    ("/p/default/nope/?lang=en", {}, "en"),
    ("/no/such/url/", {"HTTP_ACCEPT_LANGUAGE": "de"}, "de"),
    ("/unsubscribe/one-click/extra/", {"HTTP_ACCEPT_LANGUAGE": "en-GB"}, "en"),
])
def test_a_url_that_matches_nothing_is_our_not_found_page(production, default_page, path, headers, lang):
    response = production.get(path, **headers)

    html = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND[lang] in html and f'<html lang="{lang}">' in html and 'class="pc-skip"' in html
    assert_not_frameable(response)  # no recipient page answered: nobody may frame it


def test_a_body_django_cannot_parse_is_our_bad_request_page(production, default_page, maileon_sandbox, link):
    response = production.post(f"/unsubscribe/one-click/?{link(LENA, lang='en')}", b"List-Unsubscribe=One-Click",
                               content_type="multipart/form-data")  # no boundary

    assert response.status_code == 400
    assert CANNOT_PROCESS["en"] in response.content.decode()
    assert_recipient_headers(response)
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []


def test_a_host_not_allowed_is_our_bad_request_page_with_the_policy_though_no_view_ran(production, default_page,
                                                                                       link):
    # Refused in CommonMiddleware, before CSPMiddleware: the handler sets the policy itself.
    response = production.get(f"/profile/?{link(LENA, lang='de')}", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert CANNOT_PROCESS["de"] in response.content.decode()
    assert_not_frameable(response)
