"""A guesser against a real gunicorn with two worker processes, the default database cache and the sandbox as
its own process: the link-failure counts are shared, so at most the per-contact ceiling reaches Maileon however
the requests spread over the workers and whatever X-Forwarded-For they carry (TRUSTED_PROXY_HOPS unset: 0)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from preference_center.pages import throttle
from preference_center.dev.sandbox.serve import spawn, stop_process
from preference_center.dev.sandbox.store import checksum_for
from tests.support import ERIKA, JOHN

from tests.delivery.processes import shared_database_url

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
GUESSES = 60

pytestmark = [pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, path: str, *, source: str, forwarded: str | None = None) -> tuple[int, dict[str, str]]:
    """One GET on a new connection from `source` (any 127.x address is this host): no keep-alive, so each
    request is accepted by whichever worker is quickest."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    try:
        headers = {"Connection": "close", **({"X-Forwarded-For": forwarded} if forwarded else {})}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


@pytest.fixture
def sandbox():
    process = spawn()
    yield process
    process.stop()


@pytest.fixture
def two_workers(tmp_path, sandbox):
    """gunicorn, 2 worker processes, production settings, on a database this test shares (the test database on
    PostgreSQL, a file migrated here on SQLite). The access log names the worker (pid) of each request."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "MAILEON_", "GUNICORN_", "CACHE_", "TRUSTED_"))},
        "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": sandbox.api_url, "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": shared_database_url(tmp_path), "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(tmp_path / "static"),  # its own: tests on other xdist workers collect at the same time
        "GUNICORN_CMD_ARGS": "--access-logformat='%(p)s %(s)s'",
    }
    # The pages need the static files' manifest (DEBUG off), as `make serve` and `make bench` collect it.
    commands = [["collectstatic", "--noinput", "-v0"]]
    if connection.vendor != "postgresql":
        commands.append(["migrate", "--noinput", "-v0"])
    for command in commands:
        run_manage(env, *command)
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    process = subprocess.Popen([str(GUNICORN), "-c", str(CONFIG), "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=access_log.open("w"), stderr=error_log.open("w"))
    try:
        deadline = time.monotonic() + 30
        while error_log.read_text().count("Booting worker") < 2 or not _healthy(port):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"gunicorn did not start: {error_log.read_text()}")
            time.sleep(0.1)
        yield port, access_log
    finally:
        stop_process(process, grace=40)
        cache.clear()  # on PostgreSQL the workers' counts are in the test database, which flush leaves alone


def run_manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stderr[-3000:]}"


def _healthy(port: int) -> bool:
    try:
        return _request(port, "/healthz", source="127.0.0.1")[0] == 200
    except OSError:
        return False


def _worker_pids(access_log: Path, status: int) -> set[str]:
    return set(re.findall(rf"^<(\d+)> {status}$", access_log.read_text(), re.MULTILINE))


def test_sixty_guesses_spread_over_two_workers_reach_maileon_at_most_the_ceiling(two_workers, sandbox):
    port, access_log = two_workers
    ceiling = throttle.CONTACT_MAX_FAILURES

    def guess(attempt: int) -> tuple[int, dict[str, str]]:
        # A new socket address and a new X-Forwarded-For each time.
        return _request(port, f"/profile/?contactid={ERIKA}&checksum=guess{attempt}",
                        source=f"127.0.{1 + attempt // 250}.{1 + attempt % 250}",
                        forwarded=f"203.0.113.{attempt}")

    # The first `ceiling` at once: each failure must be counted, none lost to a concurrent one.
    with ThreadPoolExecutor(max_workers=ceiling) as pool:
        burst = list(pool.map(guess, range(ceiling)))
    rest = [guess(attempt) for attempt in range(ceiling, GUESSES)]

    assert [status for status, _ in burst] == [404] * ceiling
    assert [status for status, _ in rest] == [429] * (GUESSES - ceiling)
    assert all(0 < int(headers["Retry-After"]) <= throttle.WINDOW_SECONDS for _, headers in rest)
    assert sandbox.control.stats()["calls_by_method"] == {"GET": ceiling}  # one contact read per failure
    # Both workers refused guesses: each saw the failures counted by the other, none kept counts of its own.
    assert len(_worker_pids(access_log, 429)) == 2

    # Another contact's valid link, from another address, still works.
    status, _ = _request(port, f"/profile/?contactid={JOHN}&checksum={checksum_for(JOHN)}", source="127.0.9.9")
    assert status == 200
