"""Security headers on every response: a strict CSP (no inline script or style, nothing eval'd), framing by
FRAME_ANCESTORS on recipient pages only, same-origin referrers, nosniff; and, with production settings, HSTS,
secure cookies and the HTTPS redirect (except /healthz)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from preference_center.pages import throttle

from tests.support import ERIKA, LENA, form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
EMBEDDERS = ["https://www.example.com", "https://*.shop.example"]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict_policy(response) -> dict[str, list[str]]:
    policy = directives(response)
    every_source = [source for sources in policy.values() for source in sources]
    assert "'unsafe-inline'" not in every_source and "'unsafe-eval'" not in every_source
    assert "*" not in every_source
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    return policy


def assert_recipient_headers(response) -> None:
    policy = assert_strict_policy(response)
    assert policy["frame-ancestors"] == ["'self'", *EMBEDDERS]
    assert "X-Frame-Options" not in response


def assert_not_frameable(response) -> None:
    assert_strict_policy(response)
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


# --- every recipient state, error pages included


def _post_form(client, url, prefix):
    action, data = form_data(client.get(url), prefix)
    return client.post(action, data)


def _throttled(client, link):
    for _ in range(throttle.CONTACT_MAX_FAILURES):
        client.get(f"/profile/?contactid={ERIKA}&checksum=nope")
    return client.get(f"/profile/?{link(ERIKA)}")


RECIPIENT_STATES = {
    "profile": lambda c, link, store: c.get(f"/profile/?{link(ERIKA)}"),
    "profile saved": lambda c, link, store: _post_form(c, f"/profile/?{link(ERIKA)}", "/profile/"),
    "unsubscribe page": lambda c, link, store: c.get(f"/unsubscribe/?{link(LENA)}"),
    "unsubscribe done": lambda c, link, store: _post_form(c, f"/unsubscribe/?{link(LENA)}", "/unsubscribe/?"),
    "downsell done": lambda c, link, store: _post_form(c, f"/unsubscribe/?{link(ERIKA)}", "/unsubscribe/downsell/"),
    "one-click": lambda c, link, store: c.post(f"/unsubscribe/one-click/?{link(LENA)}", "List-Unsubscribe=One-Click",
                                               content_type="application/x-www-form-urlencoded"),
    "slug page": lambda c, link, store: c.get(f"/p/default/profile/?{link(ERIKA)}"),
    "malformed link 400": lambda c, link, store: c.get("/profile/?checksum=abc"),
    "refused link 404": lambda c, link, store: c.get(f"/unsubscribe/?{link(ERIKA, checksum='tampered')}"),
    "unknown page 404": lambda c, link, store: c.get(f"/p/nope/profile/?{link(ERIKA)}"),
    "foreign origin 403": lambda c, link, store: c.post(f"/profile/?{link(ERIKA)}", {},
                                                        HTTP_SEC_FETCH_SITE="cross-site",
                                                        HTTP_ORIGIN="https://evil.example"),
    "throttled 429": lambda c, link, store: _throttled(c, link),
    "Maileon down 503": lambda c, link, store: (store.faults.inject(status=503, times=None),
                                                c.get(f"/profile/?{link(ERIKA)}"))[1],
    "Maileon refuses key 502": lambda c, link, store: (store.faults.inject(status=401, times=None),
                                                       c.get(f"/profile/?{link(ERIKA)}"))[1],
    "body too large 413": lambda c, link, store: c.post(f"/profile/?{link(ERIKA)}", {"x": "a" * 100_000}),
}


@pytest.mark.parametrize("debug", [False, True], ids=["production-mode", "DEBUG"])
@pytest.mark.parametrize("state", RECIPIENT_STATES)
def test_every_recipient_state_has_the_strict_policy_and_configured_framing(default_page, maileon_sandbox, link,
                                                                            settings, state, debug):
    settings.FRAME_ANCESTORS = EMBEDDERS
    settings.DEBUG = debug  # django-csp alone leaves 404 and 500 answers without a policy in DEBUG
    response = RECIPIENT_STATES[state](Client(), link, maileon_sandbox)
    assert response.status_code < 500 or state.startswith("Maileon")
    assert_recipient_headers(response)


def test_without_frame_ancestors_only_we_may_frame(client, default_page, maileon_sandbox, link, settings):
    settings.FRAME_ANCESTORS = []
    response = client.get(f"/profile/?{link(ERIKA)}")
    assert directives(response)["frame-ancestors"] == ["'self'"]


# --- everything else: never framed


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/healthz", "/sandbox/maileon/1.0/contacts/count",
                                  "/p/default/theme.css", "/p/default/logo", "/no/such/url/"])
def test_everything_else_denies_framing(client, default_page, maileon_sandbox, settings, path):
    settings.FRAME_ANCESTORS = EMBEDDERS
    response = client.get(path)
    assert_not_frameable(response)


def test_the_admin_csrf_failure_page_denies_framing(default_page):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert_not_frameable(response)


# --- production settings, in a fresh process (settings are read once, at import)

PRODUCTION_PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
health = c.get("/healthz")
plain = c.get("/profile/?contactid=1&checksum=abc")
secure = c.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
from django.test import override_settings
# No collectstatic in this probe: plain static storage, so the login page renders and sets its CSRF cookie.
with override_settings(STORAGES={**settings.STORAGES,
                                 "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    login = c.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
csrf = login.cookies.get("csrftoken")
print(json.dumps({
    "login": login.status_code,
    "health": [health.status_code, health.get("Location")],
    "plain": [plain.status_code, plain.get("Location")],
    "secure_hsts": secure.get("Strict-Transport-Security"),
    "plain_hsts": health.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(csrf and csrf["secure"]),
    "settings": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT],
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "MAILEON_API_KEY", "SECRET_KEY"}}
    env.update(DEBUG="0", SECRET_KEY="k" * 20 + "Zq8#x" * 8, ALLOWED_HOSTS="prefs.example.com,testserver",
               MAILEON_API_KEY="k", DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('prod')}/db.sqlite3",
               DJANGO_SETTINGS_MODULE="preference_center.settings")
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https_except_healthz(production):
    assert production["health"] == [200, None]  # the load balancer's probe speaks plain HTTP
    status, location = production["plain"]
    assert status == 301 and location.startswith("https://testserver/profile/?")


def test_production_sends_hsts_on_https_as_the_proxy_reports_it(production):
    assert production["secure_hsts"] == "max-age=31536000; includeSubDomains"
    assert production["plain_hsts"] is None  # HSTS over plain HTTP means nothing (RFC 6797 §7.2)


def test_production_cookies_are_secure(production):
    assert production["settings"] == [True, True, True]
    assert production["login"] == 200
    assert production["csrf_cookie_secure"]
