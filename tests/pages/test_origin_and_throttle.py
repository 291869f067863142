"""Recipient forms work without Django's CSRF cookie (embedded, third-party cookies blocked), guarded by the
browser's Sec-Fetch-Site/Origin; the admin keeps Django's CSRF. Link failures are rate-limited per client address
and per contact id, answered with a 429 page in the recipient's language."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from preference_center.pages import throttle
from preference_center.models import UnsubscribeRequest

from tests.support import ERIKA, LENA, form_data

pytestmark = pytest.mark.django_db

FOREIGN = {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"}
FORBIDDEN_TEXT = {"de": "Dieses Formular kann von hier aus nicht gesendet werden",
                  "en": "This form cannot be sent from here"}


def browser() -> Client:
    """A browser inside a cross-site iframe: no cookies reach us, so Django's CSRF check could never pass."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/reason/", "/unsubscribe/downsell/"])
def test_a_foreign_origin_gets_a_403_page_in_the_recipients_language(default_page, maileon_sandbox, link,
                                                                     path, lang):
    response = browser().post(f"{path}?{link(LENA, lang=lang)}", {"FIRSTNAME": "X", "reason": ""}, **FOREIGN)
    assert response.status_code == 403
    html = response.content.decode()
    assert FORBIDDEN_TEXT[lang] in html and f'<html lang="{lang}">' in html
    assert maileon_sandbox.changing_calls() == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "same-origin"},
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://shop.example.com"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://news.corp.example"},  # wildcard entry
    {"HTTP_ORIGIN": "https://shop.example.com"},
    {},
], ids=["same-origin", "same-origin+own Origin", "trusted cross-site", "trusted wildcard", "trusted Origin only",
        "no browser headers"])
def test_allowed_posts_unsubscribe_without_any_cookie(default_page, maileon_sandbox, link, settings, headers):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shop.example.com", "https://*.corp.example"]
    client = browser()
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA)}"), "/unsubscribe/?")
    client.cookies.clear()
    response = client.post(action, data, **headers)
    assert response.status_code == 303 and response["Location"].startswith("/unsubscribe/done/?")
    assert UnsubscribeRequest.objects.filter(contact_id=LENA).exists()


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://shop.example.com.evil.example"},
    {"HTTP_SEC_FETCH_SITE": "cross-site"},  # a browser that hides Origin from a cross-site POST
    {"HTTP_ORIGIN": "http://shop.example.com"},  # trusted host, wrong scheme
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://corp.example.evil"},
])
def test_near_misses_of_a_trusted_origin_are_refused(default_page, maileon_sandbox, link, settings, headers):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shop.example.com", "https://*.corp.example"]
    response = browser().post(f"/unsubscribe/?{link(LENA)}", {"reason": ""}, **headers)
    assert response.status_code == 403
    assert not UnsubscribeRequest.objects.exists()


def test_the_admin_still_requires_djangos_csrf_token(default_page):
    User.objects.create_superuser("marketer", "m@example.org", "pw-for-tests-only")
    client = browser()
    # Browser headers that would pass a recipient form do not replace the admin's token.
    response = client.post("/admin/login/", {"username": "marketer", "password": "pw-for-tests-only"},
                           HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 403 and "CSRF" in response.content.decode()
    page = client.get("/admin/login/")
    token = page.cookies["csrftoken"].value
    response = client.post("/admin/login/", {"username": "marketer", "password": "pw-for-tests-only",
                                             "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # logged in


# --- rate limit on link failures (the limits themselves: test_throttle.py)


def fail_links(client: Client, address: str) -> None:
    """Failures for as many different contact ids as the address may fail: the address is blocked, no contact."""
    for attempt in range(throttle.ADDRESS_MAX_FAILURES):
        client.get(f"/profile/?contactid={5000 + attempt}&checksum=guess", REMOTE_ADDR=address)


@pytest.mark.parametrize("lang, text", [("de", "Zu viele Versuche"), ("en", "Too many attempts")])
def test_after_the_limit_a_429_page_in_the_recipients_language_and_maileon_is_not_asked(
        client, default_page, maileon_sandbox, link, lang, text):
    fail_links(client, "203.0.113.7")
    maileon_sandbox.calls.clear()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/unsubscribe/?{link(LENA, lang=lang)}", REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 429
        assert text in response.content.decode() and f'<html lang="{lang}">' in response.content.decode()
        assert int(response["Retry-After"]) > 0
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("lang, text", [("de", "Zu viele Versuche"), ("en", "Too many attempts")])
def test_a_guessed_contact_gets_the_429_page_from_any_address(client, default_page, maileon_sandbox, link, lang,
                                                              text):
    for attempt in range(throttle.CONTACT_MAX_FAILURES):
        client.get(f"/profile/?{link(ERIKA, checksum=f'guess{attempt}')}", REMOTE_ADDR=f"198.51.100.{attempt}")
    maileon_sandbox.calls.clear()
    response = client.get(f"/profile/?{link(ERIKA, lang=lang)}", REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert text in response.content.decode() and f'<html lang="{lang}">' in response.content.decode()
    assert maileon_sandbox.calls == []


def test_other_addresses_are_unaffected(client, default_page, maileon_sandbox, link):
    fail_links(client, "203.0.113.7")
    assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="198.51.100.20").status_code == 200
    assert client.post(f"/unsubscribe/?{link(LENA)}", {"reason": ""}, REMOTE_ADDR="198.51.100.20").status_code == 200
