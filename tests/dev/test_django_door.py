"""The Django view at /sandbox/maileon/1.0/: same answers over real HTTP, and never mounted outside sandbox mode."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.test import Client

from .conftest import SANDBOX_AUTHORIZATION, XML

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"Authorization": SANDBOX_AUTHORIZATION, "Accept": XML}
API = "/sandbox/maileon/1.0"


@pytest.fixture
def live_url(live_maileon, settings):
    return settings.MAILEON_API_URL


def read_params(store, contact_id=1001):
    return {"id": contact_id, "checksum": store.checksum_for(contact_id), "standard_field": "FIRSTNAME"}


def test_answers_through_django_with_maileons_content_type(sandbox_store):
    response = Client().get(
        API + "/contacts/contact", read_params(sandbox_store), HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XML
    assert b"<value>Erika</value>" in response.content


def test_a_put_needs_no_csrf_token(sandbox_store):
    client = Client(enforce_csrf_checks=True)
    body = "<contact><standard_fields><field><name>CITY</name><value>Bonn</value></field></standard_fields></contact>"
    query = f"?id=1001&checksum={sandbox_store.checksum_for(1001)}"
    response = client.put(
        API + "/contacts/contact" + query, body, content_type=XML, HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION
    )
    assert response.status_code == 200
    assert sandbox_store.contact(1001).standard_fields["CITY"] == "Bonn"


def test_an_answer_without_body_carries_no_content_type(sandbox_store):
    response = Client().delete(API + "/contacts/contact/unsubscribe?id=1004", HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION)
    assert response.status_code == 204
    assert "Content-Type" not in response


def test_the_view_refuses_to_answer_outside_sandbox_mode(sandbox_store, settings):
    settings.MAILEON_SANDBOX = False
    response = Client().get(
        API + "/contacts/contact", read_params(sandbox_store), HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION
    )
    assert response.status_code == 404
    assert sandbox_store.calls == []


@pytest.mark.parametrize(
    "environment",
    [
        {"DEBUG": "0", "MAILEON_API_KEY": "real-key", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "testserver"},
        {"DEBUG": "1", "MAILEON_API_KEY": "real-key"},  # a real key: Maileon answers, never the sandbox
    ],
    ids=["debug-off", "debug-on-with-key"],
)
def test_the_sandbox_is_not_mounted_outside_sandbox_mode(environment):
    script = (
        "from django.test import Client\n"
        "r = Client().get('/sandbox/maileon/1.0/contacts/fields/custom', secure=True,"
        " HTTP_AUTHORIZATION='Basic c2FuZGJveA==')\n"
        "print(r.status_code)\n"
    )
    unset = {"DEBUG", "MAILEON_API_KEY", "SECRET_KEY", "MAILEON_API_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(environment)
    command = [sys.executable, "manage.py", "shell", "-c", script]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "404"


def test_live_server_answers_over_a_real_socket(live_url, live_maileon):
    params = read_params(live_maileon)
    response = requests.get(live_url + "/contacts/contact", params=params, headers=HEADERS, timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML


def test_live_server_keeps_a_plus_in_the_address_of_a_by_email_unsubscribe(live_url, live_maileon):
    live_maileon.unsubscribe_delay = 0
    email = quote("john.example+news@example.com", safe="")
    response = requests.delete(f"{live_url}/contacts/email/{email}/unsubscribe", headers=HEADERS, timeout=5)
    assert response.status_code == 204
    assert live_maileon.contact(1002).unsubscribed


def test_live_server_drops_the_connection_without_an_answer(live_url, live_maileon):
    live_maileon.faults.inject(drop=True)
    with pytest.raises(requests.ConnectionError):
        requests.get(live_url + "/contacts/contact", params=read_params(live_maileon), headers=HEADERS, timeout=5)
    # The server itself is fine: the next call is answered.
    assert requests.get(live_url + "/contacts/fields/custom", headers=HEADERS, timeout=5).status_code == 200


def test_live_server_delays_past_a_real_read_timeout(live_url, live_maileon):
    live_maileon.faults.inject(delay=1.5)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(live_url + "/contacts/fields/custom", headers=HEADERS, timeout=(2, 0.3))
    assert time.monotonic() - started < 1.2


def test_a_drop_without_a_real_server_says_so(sandbox_store):
    from preference_center.dev.sandbox.views import DropNeedsRealServerError

    sandbox_store.faults.inject(drop=True)
    with pytest.raises(DropNeedsRealServerError):
        Client().get(API + "/contacts/fields/custom", HTTP_AUTHORIZATION=SANDBOX_AUTHORIZATION)
