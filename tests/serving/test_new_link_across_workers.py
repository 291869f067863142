"""Many "send me a new link" requests for one address at once, against a real gunicorn with two worker processes,
the default database cache and the sandbox as its own process: the per-email limit is shared, so at most its
ceiling of mails goes out however the requests spread over the workers, and every request gets the same answer."""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection

from preference_center.dev.sandbox.serve import spawn, stop_process
from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE
from preference_center.services import new_link
from tests.delivery.processes import shared_database_url
from tests.support import ERIKA

from .test_guessing_across_workers import CONFIG, GUNICORN, ROOT, _free_port, _healthy, run_manage

REQUESTS = 8

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox():
    process = spawn()
    yield process
    process.stop()


@pytest.fixture
def two_workers(tmp_path, sandbox):
    """gunicorn, 2 workers, production settings, the demo page (`manage.py demo` against the sandbox's key gives
    it the sandbox's transaction type), on a database this test shares."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "MAILEON_", "GUNICORN_", "CACHE_", "TRUSTED_"))},
        "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": sandbox.api_url, "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": shared_database_url(tmp_path), "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(tmp_path / "static"),  # its own: tests on other xdist workers collect at the same time
    }
    commands = [["collectstatic", "--noinput", "-v0"]]
    if connection.vendor != "postgresql":
        commands.append(["migrate", "--noinput", "-v0"])
    commands.append(["demo"])
    for command in commands:
        run_manage(env, *command)
    error_log = tmp_path / "error.log"
    process = subprocess.Popen([str(GUNICORN), "-c", str(CONFIG), "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=error_log.open("w"))
    try:
        deadline = time.monotonic() + 30
        while error_log.read_text().count("Booting worker") < 2 or not _healthy(port):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"gunicorn did not start: {error_log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        stop_process(process, grace=40)
        cache.clear()  # on PostgreSQL the workers' counts are in the test database, which flush leaves alone


def ask(port: int, address: str, source: str) -> tuple[int, str]:
    """One POST of the form on a new connection from `source` (any 127.x address is this host)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    try:
        conn.request("POST", "/link/new/?lang=de", body=urlencode({"email": address}),
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def test_simultaneous_requests_for_one_address_send_at_most_its_ceiling(two_workers, sandbox):
    port = two_workers
    start = threading.Barrier(REQUESTS)

    def at_once(number: int) -> tuple[int, str]:
        start.wait(timeout=10)
        return ask(port, "erika.beispiel@example.org", source=f"127.0.3.{1 + number}")

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(at_once, range(REQUESTS)))

    assert answers == [(303, "/link/new/sent/?lang=de")] * REQUESTS  # the same for all, sent or not
    mails = sandbox.control.mails()
    assert [(mail["type_id"], mail["contact_id"]) for mail in mails] == \
        [(NEW_LINK_TRANSACTION_TYPE, ERIKA)] * new_link.PER_EMAIL.ceiling
    assert sandbox.control.stats()["calls_by_method"] == {"POST": new_link.PER_EMAIL.ceiling}
