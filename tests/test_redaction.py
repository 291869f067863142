"""No checksum, email address or API key reaches the log output, whoever logs it and however it is encoded."""

import base64
import io
import logging
import socket
import threading
import time

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.http import HttpResponseNotFound
from django.urls import re_path

from preference_center.redaction import REDACTED, RedactSecrets, redact

CHECKSUM = "9f86d081884c7d65"
EMAIL_LOCAL, EMAIL_DOMAIN = "Jane.Doe+news", "example-shop.de"
API_KEY = "6a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"


def log_through_filter(message, *args, exc_info=None):
    """What a handler wearing the filter writes for one record."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.error(message, *args, exc_info=exc_info)
    finally:
        logger.removeHandler(handler)
    return output.getvalue()


@pytest.mark.parametrize(
    "message",
    [
        f"GET https://api.maileon.com/1.0/contacts/contact?id=5&checksum={CHECKSUM}&standard_field=LOCALE",
        f"/profile/?contactid=5&CheckSum={CHECKSUM}",
        f"/profile/?CHECKSUM={CHECKSUM}",
        f"/login/?next=%2Fprofile%2F%3Fcontactid%3D5%26checksum%3D{CHECKSUM}%26mailingid%3D77",
        f"/login/?next=%2Fprofile%2F%3Fcontactid%3D5%26checksum%3d{CHECKSUM}",
        f"/r/?to=%252Fprofile%252F%253Fcontactid%253D5%2526checksum%253D{CHECKSUM}%2526mailingid%253D77",
        f"params={{'id': '5', 'checksum': '{CHECKSUM}'}}",
        f"<QueryDict: {{'contactid': ['5'], 'checksum': ['{CHECKSUM}']}}>",
        # The name itself percent-encoded, letter by letter, in any case, once or twice (a URL inside a URL).
        f"/profile/?contactid=5&check%73um={CHECKSUM}",
        f"/profile/?contactid=5&%63%68%65%63%6b%73%75%6d={CHECKSUM}",
        f"/profile/?contactid=5&%43HECK%53UM={CHECKSUM}",
        f'"GET /unsubscribe/?contactid=5&ch%65cksum={CHECKSUM}&lang=de HTTP/1.1" 200 "-"',
        f"/login/?next=%2Fprofile%2F%3Fcontactid%3D5%26check%2573um%3D{CHECKSUM}%26mailingid%3D77",
    ],
)
def test_checksum_values_are_masked_in_every_encoding(message):
    output = log_through_filter(message)

    assert CHECKSUM not in output
    assert REDACTED in output


def test_checksum_mask_keeps_the_rest_of_the_url_readable():
    output = log_through_filter(
        "%s %s", "GET", f"/profile/?contactid=5&checksum={CHECKSUM}&mailingid=77&lang=de"
    )

    assert output == f"GET /profile/?contactid=5&checksum={REDACTED}&mailingid=77&lang=de\n"


def test_a_base64_checksum_is_masked_whole_with_its_encoded_padding():
    output = log_through_filter("/profile/?contactid=5&checksum=ab%2Bcd%2Fef%3D%3D&mailingid=77")

    assert output == f"/profile/?contactid=5&checksum={REDACTED}&mailingid=77\n"


def test_an_encoded_checksum_is_masked_up_to_the_encoded_ampersand():
    output = log_through_filter(f"next=%2Fprofile%2F%3Fcontactid%3D5%26checksum%3D{CHECKSUM}%26mailingid%3D77")

    assert output == f"next=%2Fprofile%2F%3Fcontactid%3D5%26checksum%3D{REDACTED}%26mailingid%3D77\n"


@pytest.mark.parametrize(
    "message",
    [
        f"unsubscribe failed for {EMAIL_LOCAL}@{EMAIL_DOMAIN}",
        f"unsubscribe failed for {EMAIL_LOCAL.upper()}@{EMAIL_DOMAIN.upper()}",
        f"DELETE /1.0/contacts/email/{EMAIL_LOCAL.replace('+', '%2B')}%40{EMAIL_DOMAIN}/unsubscribe?nlaccountid=3",
        f"/r/?to=%2Fcontacts%2Femail%2F{EMAIL_LOCAL}%2540{EMAIL_DOMAIN}%2Funsubscribe",
        f"{{'EMAIL': '{EMAIL_LOCAL}@{EMAIL_DOMAIN}'}}",
    ],
)
def test_email_addresses_are_masked_plain_and_percent_encoded(message):
    output = log_through_filter(message).lower()

    assert EMAIL_LOCAL.lower() not in output
    assert EMAIL_DOMAIN.lower() not in output
    assert REDACTED in output


def test_email_mask_keeps_the_path_around_the_address():
    output = log_through_filter(f"DELETE /contacts/email/jane%40{EMAIL_DOMAIN}/unsubscribe?nlaccountid=3")

    assert output == f"DELETE /contacts/email/{REDACTED}/unsubscribe?nlaccountid=3\n"


@pytest.mark.parametrize(
    "message",
    [
        "Authorization: Basic c29tZS1vdGhlci1rZXk=",
        "headers={'Accept': 'application/vnd.maileon.api+xml', 'Authorization': 'Basic c29tZS1vdGhlci1rZXk='}",
        "META {'HTTP_AUTHORIZATION': 'basic c29tZS1vdGhlci1rZXk='}",
    ],
)
def test_basic_authorization_credentials_are_masked(message):
    output = log_through_filter(message)

    assert "c29tZS1vdGhlci1rZXk" not in output
    assert REDACTED in output


def test_the_configured_api_key_is_masked_raw_and_base64_encoded(settings):
    settings.MAILEON_API_KEY, settings.MAILEON_SANDBOX = API_KEY, False
    encoded = base64.b64encode(API_KEY.encode()).decode()

    output = log_through_filter("key %s rejected; sent %s", API_KEY, encoded)

    assert API_KEY not in output
    assert encoded not in output
    assert output == f"key {REDACTED} rejected; sent {REDACTED}\n"


def test_the_public_sandbox_key_is_left_alone(settings):
    settings.MAILEON_API_KEY, settings.MAILEON_SANDBOX = "sandbox", True

    assert log_through_filter("GET /sandbox/maileon/1.0/ping") == "GET /sandbox/maileon/1.0/ping\n"


def test_a_traceback_is_masked_too():
    try:
        raise requests.ConnectionError(
            f"Max retries exceeded with url: /1.0/contacts/contact?id=5&checksum={CHECKSUM} "
            f"for {EMAIL_LOCAL}@{EMAIL_DOMAIN}"
        )
    except requests.ConnectionError:
        output = log_through_filter("Maileon unreachable", exc_info=True)

    assert "Traceback" in output and "requests.exceptions.ConnectionError" in output
    assert CHECKSUM not in output
    assert EMAIL_DOMAIN not in output


def test_arguments_that_do_not_fit_the_message_are_masked_not_raised():
    output = log_through_filter("contact %d", f"checksum={CHECKSUM}")

    assert CHECKSUM not in output
    assert "contact %d" in output


def test_redact_serves_code_that_stores_a_text():
    text = f"PUT /contacts/contact?id=5&checksum={CHECKSUM} for {EMAIL_LOCAL}@{EMAIL_DOMAIN}: 503"

    assert redact(text) == f"PUT /contacts/contact?id=5&checksum={REDACTED} for {REDACTED}: 503"


# --- end to end: the settings' logging configuration, real HTTP, real Django and urllib3 log records ---


def not_found(request):
    return HttpResponseNotFound()


urlpatterns = [re_path(r"", not_found)]


@pytest.fixture
def configured_log_output():
    """The output of the root handler settings.LOGGING installs (the one wearing RedactSecrets)."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecrets) for f in h.filters)
    )
    output = io.StringIO()
    previous = handler.setStream(output)
    yield output
    handler.setStream(previous)


@pytest.fixture
def django_server(settings):
    """Django's own development server (it logs each request line, query string included, to
    `django.server`) on 127.0.0.1, answering 404 to everything (logged by `django.request`)."""
    settings.ROOT_URLCONF = __name__
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_secret_reaches_the_configured_log_output(configured_log_output, django_server, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="django")
    # Measure the root handler's filter alone, not a logger-level filter some module may have added.
    monkeypatch.setattr(logging.getLogger("urllib3.connectionpool"), "filters", [])
    path = f"/contacts/email/{EMAIL_LOCAL.replace('+', '%2B')}%40{EMAIL_DOMAIN}/unsubscribe"
    query = f"?contactid=5&checksum={CHECKSUM}"

    with requests.Session() as session:
        assert session.get(django_server + path + query, timeout=10).status_code == 404
    try:
        requests.get(f"http://127.0.0.1:{closed_port()}{path}{query}", timeout=10)
    except requests.ConnectionError:
        logging.getLogger("preference_center.tests").exception("Maileon unreachable")

    redacted_request_line = f"GET /contacts/email/{REDACTED}/unsubscribe?contactid=5&checksum={REDACTED} HTTP/1.1"
    # The server thread logs its request line after the answer has gone out: wait for it, not for luck.
    deadline = time.monotonic() + 10
    while configured_log_output.getvalue().count(redacted_request_line) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    output = configured_log_output.getvalue()
    assert output.count(redacted_request_line) == 2  # django.server and urllib3.connectionpool
    assert f"Not Found: /contacts/email/{REDACTED}/unsubscribe" in output  # django.request
    assert "Maileon unreachable" in output and "ConnectionError" in output  # ours, with traceback
    assert CHECKSUM not in output
    assert EMAIL_DOMAIN not in output.lower()
    assert EMAIL_LOCAL.lower() not in output.lower()
