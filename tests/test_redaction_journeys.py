"""No checksum, email address or API key in any log record, over every journey, with DEBUG logging everywhere.

The app runs behind a real server that logs its request lines (`django.server`), the pages are fetched with
`requests` (urllib3 logs each URL), and the client talks to a fake Maileon on another real socket (urllib3 logs
those URLs too, the by-email path with its `%40`). The output checked is what the root handler that
settings.LOGGING installs writes, with a formatter that also names the logger.
"""

from __future__ import annotations

import base64
import io
import re
import logging
import socket
import threading
from http import HTTPStatus
from urllib.parse import parse_qsl, quote

import pytest
import requests
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.test.testcases import QuietWSGIRequestHandler
from requests.structures import CaseInsensitiveDict

from preference_center.delivery import worker
from preference_center.models import PageConfig, ProfileField, Status, UnsubscribeReason, UnsubscribeRequest
from preference_center.redaction import RedactSecrets
from preference_center.dev.sandbox import api as sandbox_api

from tests.support import ERIKA, JOHN, LENA, ZOE, SENT_MAILING, form_data

API_KEY = "7c3e9a41-5b2d-4f80-9e16-a8d4c2b7f053"
LOGGERS = ["", "django", "django.request", "django.server", "urllib3", "preference_center"]
SANDBOX_BASE = "/maileon/1.0"
FOREIGN_CHECKSUM = "Zm9yZ2VkLWNoZWNrc3Vt"


@pytest.fixture
def log_output(caplog):
    """Everything the settings' root handler writes, at DEBUG for every logger."""
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecrets) for f in h.filters))
    output = io.StringIO()
    previous_stream = handler.setStream(output)
    previous_formatter = handler.formatter
    previous_level = handler.level
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield output
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)
    handler.setLevel(previous_level)


@pytest.fixture
def logging_live_server(live_server, monkeypatch):
    """pytest-django's live server, but with the request-line logging of Django's development server."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "log_message", WSGIRequestHandler.log_message)
    return live_server


def sandbox_wsgi_app(store):
    """The sandbox core (`api.handle`) on a socket of its own: the Django door answers only in sandbox mode,
    and this test runs with a real-looking key, as production does."""

    def app(environ, start_response):
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8")[len(SANDBOX_BASE):]
        headers = CaseInsensitiveDict(
            {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")})
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        answer = sandbox_api.handle(environ["REQUEST_METHOD"], path,
                                    parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                                    headers, body, store=store)
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", list(answer.headers.items()))
        return [answer.body]

    return app


class _SilentHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the fake Maileon's own access log is not the app's
        pass


@pytest.fixture
def maileon_with_real_key(sandbox_store, settings, monkeypatch):
    server = ThreadedWSGIServer(("127.0.0.1", 0), _SilentHandler)
    server.set_app(sandbox_wsgi_app(sandbox_store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MAILEON_SANDBOX = False  # so the redaction treats the key as the secret it is
    settings.MAILEON_API_KEY = API_KEY
    settings.MAILEON_API_URL = f"http://127.0.0.1:{server.server_address[1]}{SANDBOX_BASE}"
    monkeypatch.setattr(sandbox_api, "EXPECTED_AUTHORIZATION", "Basic " + base64.b64encode(API_KEY.encode()).decode())
    yield sandbox_store
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def secrets_of(store) -> list[str]:
    contacts = (ERIKA, JOHN, ZOE, LENA)
    checksums = [store.checksum_for(contact_id) for contact_id in contacts] + [FOREIGN_CHECKSUM]
    emails = [store.contact(contact_id).email for contact_id in contacts if store.contact(contact_id).email]
    emails += ["john.example+news@example.com", "someone@example.net"]
    email_forms = {form for email in emails for form in (
        email, quote(email, safe=""), quote(email), email.replace("@", "%40"), email.replace("@", "%2540"))}
    key_forms = [API_KEY, base64.b64encode(API_KEY.encode()).decode(), base64.b64encode(f"{API_KEY}:".encode()).decode()]
    # The distinctive local parts too, in case an address is cut apart; the bare domains are not secret (the
    # unsubscribe page shows the masked address e•••@example.org, which template debug logs repeat).
    local_parts = ["erika.beispiel", "john.example", "john.example%2bnews"]
    return [*checksums, *sorted(email_forms), *key_forms, *local_parts]


def run_every_journey(base: str, store, settings) -> None:
    def url(path: str, contact_id: int, **extra) -> str:
        query = {"contactid": contact_id, "checksum": store.checksum_for(contact_id), **extra}
        return f"{base}{path}?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())

    def submit(session, page, prefix, **changes):
        action, data = form_data(page, prefix)
        data.update({name: [value] for name, value in changes.items()})
        return session.post(base + action, data=data, timeout=10)

    by_email = PageConfig.objects.create(slug="accounts", name="Accounts", newsletter_account_ids="311, 312")
    with requests.Session() as session:
        # profile: view and save
        page = session.get(url("/profile/", ERIKA, lang="en"), timeout=10)
        assert page.status_code == 200
        assert submit(session, page, "/profile/", FIRSTNAME="Erika Maria").status_code == 200
        # unsubscribe without a reason, then "tell us more"
        page = session.get(url("/unsubscribe/", LENA, mailingid=SENT_MAILING, lang="en"), timeout=10)
        done = submit(session, page, "/unsubscribe/?")
        assert done.status_code == 200
        reason = str(UnsubscribeReason.objects.get(reason_type="other").pk)
        assert submit(session, done, "/unsubscribe/reason/", reason=reason).status_code == 200
        # down-sell
        page = session.get(url("/unsubscribe/", ERIKA), timeout=10)
        assert submit(session, page, "/unsubscribe/downsell/").status_code == 200
        # one-click, from a mail provider's server
        one_click = requests.post(url("/unsubscribe/one-click/", ZOE, mailingid=SENT_MAILING),
                                  data={"List-Unsubscribe": "One-Click"}, timeout=10)
        assert one_click.status_code == 200
        # invalid links, one carrying an address where a checksum belongs
        for query in (f"contactid={JOHN}&checksum={FOREIGN_CHECKSUM}", "contactid=999999&checksum=abc",
                      "contactid=x&checksum=someone%40example.net", f"checksum={FOREIGN_CHECKSUM}"):
            assert session.get(f"{base}/profile/?{query}", timeout=10).status_code in (400, 404)
        # Maileon down: the page says so; an unsubscribe by email is recorded and waits for the worker
        store.faults.inject(status=503, times=None)
        assert session.get(url("/profile/", JOHN), timeout=10).status_code == 503
        assert session.post(url("/p/accounts/unsubscribe/", JOHN, mailingid=SENT_MAILING),
                            data={"reason": "", "message": "bitte an john.example+news@example.com"},
                            timeout=10).status_code == 200
        store.faults.clear()
        # Maileon unreachable
        reachable = settings.MAILEON_API_URL
        settings.MAILEON_API_URL = f"http://127.0.0.1:{closed_port()}{SANDBOX_BASE}"
        assert session.get(url("/profile/", JOHN), timeout=10).status_code == 503
        settings.MAILEON_API_URL = reachable

    # the worker delivers the waiting unsubscribe, by email in both accounts
    report = worker.deliver_due(limit=None)
    assert report.delivered >= 1
    row = UnsubscribeRequest.objects.get(contact_id=JOHN)
    assert row.status == Status.DELIVERED and row.page == by_email
    assert any("/contacts/email/" in call.path for call in store.changing_calls())


def page_with_every_feature() -> PageConfig:
    """The default page with a profile field, a reason and the down-sell switch (a transactional test may
    run after another one has flushed the seeded page away)."""
    page = PageConfig.get_default()
    page.downsell_category, page.downsell_preference = "Frequenz", "Monatlicher Digest"
    page.save()
    ProfileField.objects.get_or_create(page=page, source="standard", name="FIRSTNAME", defaults={"position": 0})
    UnsubscribeReason.objects.get_or_create(reason_type="other", defaults={"label_de": "Anderes",
                                                                          "label_en": "Other", "position": 0})
    return page


@pytest.mark.django_db(transaction=True)
def test_no_secret_in_any_log_record_over_every_journey(log_output, logging_live_server, maileon_with_real_key,
                                                        settings):
    page_with_every_feature()
    run_every_journey(logging_live_server.url, maileon_with_real_key, settings)

    output = log_output.getvalue()
    lowered = output.lower()
    for logger in ("django.server", "django.request", "urllib3.connectionpool", "preference_center"):
        assert f"\n{logger}" in "\n" + output, f"nothing from {logger}: the capture is broken"
    # The by-email call was logged, its address masked (by the transport's own urllib3 filter or the root one).
    assert re.search(r"DELETE \S*/contacts/email/(\[redacted\]|\*\*\*)/unsubscribe", output)
    leaked = [secret for secret in secrets_of(maileon_with_real_key) if secret.lower() in lowered]
    lines = [line for line in output.splitlines() if any(secret.lower() in line.lower() for secret in leaked)]
    assert leaked == [], "\n".join(lines)
