"""Every error path renders a clear page in the recipient's language; GET/HEAD change nothing; POSTs come from
our origin only; recipient pages may be framed by the configured origins, nothing else."""

import pytest
from django.test import Client

from preference_center.pages import previews
from preference_center.models import UnsubscribeRequest

from tests.support import ERIKA, LENA, form_data

pytestmark = pytest.mark.django_db

RECIPIENT_PATHS = ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/", "/p/default/profile/",
                   "/p/default/unsubscribe/", "/p/default/unsubscribe/one-click/"]


@pytest.mark.parametrize("path", RECIPIENT_PATHS)
@pytest.mark.parametrize("method", ["get", "head"])
def test_get_and_head_change_nothing(client, default_page, maileon_sandbox, link, path, method):
    response = getattr(client, method)(f"{path}?{link(LENA)}")
    assert response.status_code == 200
    assert maileon_sandbox.changing_calls() == []
    assert not UnsubscribeRequest.objects.exists()
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/unsubscribe/reason/", "/unsubscribe/downsell/"])
def test_post_only_endpoints_refuse_get(client, default_page, maileon_sandbox, link, path):
    assert client.get(f"{path}?{link(LENA)}").status_code == 405
    assert maileon_sandbox.changing_calls() == []


@pytest.mark.usefixtures("checksum_reads")
@pytest.mark.parametrize("query, status", [
    ("checksum=abc", 400),
    (f"contactid={ERIKA}", 400),
    ("contactid=%5BCONTACT%7CID%5D&checksum=%5BCONTACT%7CCHECKSUM%5D", 400),
    (f"contactid={ERIKA}&checksum=tampered", 404),
    ("contactid=999999&checksum=abc", 404),
])
@pytest.mark.parametrize("lang, text", [("de", "Dieser Link funktioniert nicht"), ("en", "This link does not work")])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/"])
def test_bad_links_get_a_clear_page_in_the_right_language(client, default_page, maileon_sandbox, path, query,
                                                          status, lang, text):
    for method in ("get", "post"):
        response = getattr(client, method)(f"{path}?{query}&lang={lang}")
        assert response.status_code == status
        assert text in response.content.decode()
        assert f'<html lang="{lang}">' in response.content.decode()
    assert maileon_sandbox.changing_calls() == []
    assert not UnsubscribeRequest.objects.exists()


def test_bad_link_page_speaks_the_browser_language_without_lang(client, default_page, maileon_sandbox):
    response = client.get("/profile/?checksum=abc", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert "This link does not work" in response.content.decode()


def test_unknown_page_slug_is_a_not_found_page(client, default_page, maileon_sandbox, link):
    response = client.get(f"/p/nope/profile/?{link(ERIKA, lang='en')}")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    assert maileon_sandbox.calls == []


def test_maileon_refusing_our_key_is_a_502_page(client, default_page, maileon_sandbox, link):
    maileon_sandbox.faults.inject(status=401, times=None)
    response = client.get(f"/profile/?{link(ERIKA, lang='en')}")
    assert response.status_code == 502
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://other.example.com"},
    {"HTTP_ORIGIN": "https://evil.example"},
    {"HTTP_ORIGIN": "null"},
])
def test_posts_from_foreign_origins_get_403_and_change_nothing(client, default_page, maileon_sandbox, link,
                                                               headers):
    for path in ("/profile/", "/unsubscribe/", "/unsubscribe/downsell/"):
        response = client.post(f"{path}?{link(LENA, lang='en')}", {"FIRSTNAME": "X"}, **headers)
        assert response.status_code == 403
        assert "This form cannot be sent from here" in response.content.decode()
    assert maileon_sandbox.changing_calls() == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("headers", [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "http://testserver"},
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://shop.example.com"},  # trusted
    {},  # no browser
])
def test_posts_from_our_or_trusted_origins_pass_without_csrf_cookie(default_page, maileon_sandbox, link, settings,
                                                                    headers):
    settings.CSRF_TRUSTED_ORIGINS = ["https://shop.example.com"]
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/profile/?{link(ERIKA)}")
    action, data = form_data(page)
    data["FIRSTNAME"] = ["Erika Maria"]
    response = client.post(action, data, **headers)
    assert response.status_code == 303 and response["Location"].startswith("/profile/saved/?")
    assert maileon_sandbox.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika Maria"


def test_recipient_pages_may_be_framed_by_configured_origins_only(client, default_page, maileon_sandbox, link,
                                                                  settings):
    settings.FRAME_ANCESTORS = ["https://www.example.com"]
    response = client.get(f"/profile/?{link(ERIKA)}")
    assert "X-Frame-Options" not in response
    assert "frame-ancestors 'self' https://www.example.com" in response["Content-Security-Policy"]
    admin = client.get("/admin/login/")
    assert admin["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in admin["Content-Security-Policy"]


def test_pages_need_no_inline_style_or_script(client, default_page, maileon_sandbox, link):
    html = client.get(f"/profile/?{link(ERIKA)}").content.decode()
    assert "<style" not in html and "style=" not in html and "<script" not in html


def test_theme_is_a_same_origin_stylesheet(client, default_page):
    default_page.primary_colour = "#ffcc00"
    default_page.font_stack = "Georgia, serif"
    default_page.save()
    response = client.get("/p/default/theme.css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert "--pc-primary: #ffcc00;" in css and "--pc-font: Georgia, serif;" in css
    assert "--pc-on-primary: #000000;" in css  # dark text on a light primary
    assert client.get("/p/nope/theme.css").status_code == 404


def test_theme_never_echoes_an_unchecked_value(client, default_page):
    # Saved past the admin's validators (e.g. by a script): the CSS falls back rather than breaking out.
    type(default_page).objects.filter(pk=default_page.pk).update(primary_colour="red;}", font_stack="x;}body{")
    css = client.get("/p/default/theme.css").content.decode()
    assert "}body{" not in css and "red;}" not in css


def test_logo_is_served_with_its_type_and_an_svg_can_run_nothing(client, default_page):
    assert client.get("/p/default/logo").status_code == 404
    type(default_page).objects.filter(pk=default_page.pk).update(logo=b"\x89PNG...", logo_content_type="image/png")
    response = client.get("/p/default/logo")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    type(default_page).objects.filter(pk=default_page.pk).update(logo=svg, logo_content_type="image/svg+xml")
    response = client.get("/p/default/logo")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    # Opened directly, the SVG is a sandboxed document that may load and run nothing.
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    type(default_page).objects.filter(pk=default_page.pk).update(logo=b"<html/>", logo_content_type="text/html")
    assert client.get("/p/default/logo").status_code == 404


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_link_failures_are_throttled_per_address(client, default_page, maileon_sandbox):
    from preference_center.pages import throttle

    for attempt in range(throttle.ADDRESS_MAX_FAILURES):
        client.get(f"/profile/?contactid={2000 + attempt}&checksum=nope")
    maileon_sandbox.calls.clear()
    response = client.get(f"/profile/?contactid={ERIKA}&checksum={maileon_sandbox.checksum_for(ERIKA)}")
    assert response.status_code == 429
    assert maileon_sandbox.calls == []


@pytest.mark.parametrize("language, text, topics, pause", [
    ("de", "Änderungen speichern", "Meine Themen speichern", "1 Monat pausieren"),
    ("en", "Save changes", "Save my topics", "Pause for 1 month"),
])
def test_previews_render_the_real_templates_without_maileon(rf, default_page, maileon_sandbox, language, text,
                                                            topics, pause):
    request = rf.get("/admin/preview/")
    profile = previews.profile_preview(request, default_page, language).content.decode()
    unsubscribe = previews.unsubscribe_preview(request, default_page, language).content.decode()
    assert text in profile and "disabled" in profile and "action=" not in profile
    assert "e•••@example.org" in unsubscribe
    # The unsubscribe page's alternatives as a recipient sees them, but nothing posts anywhere.
    assert topics in unsubscribe and pause in unsubscribe and "action=" not in unsubscribe
    assert maileon_sandbox.calls == []


@pytest.mark.parametrize("retry_after, header, text", [
    (86400, "300", "Please try again in 5 minutes."),  # Maileon may say a day; a recipient is told 5 minutes
    (130, "130", "Please try again in 3 minutes."),
    (20, "20", "Please try again in a minute."),
])
def test_maileons_retry_after_reaches_recipients_capped(client, default_page, maileon_sandbox, link, retry_after,
                                                        header, text):
    maileon_sandbox.faults.inject(status=429, retry_after=retry_after, times=None)
    response = client.get(f"/profile/?{link(ERIKA, lang='en')}")
    assert response.status_code == 503
    assert response["Retry-After"] == header and text in response.content.decode()
