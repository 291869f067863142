"""gunicorn as production runs it, for tests that need several worker processes: DEBUG off, the settings'
default database cache, two workers, the sandbox (its own process) as Maileon, on a database this test shares
(the test database on PostgreSQL, a file migrated here on SQLite)."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection

from preference_center.dev.sandbox.serve import stop_process
from tests.delivery.processes import shared_database_url

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, *, source: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """One request on a new connection from `source` (any 127.x address is this host), its body read: no
    keep-alive, so each request is accepted by whichever worker is quickest."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def run_manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stderr[-3000:]}"


def _healthy(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz", source="127.0.0.1").status == 200
    except OSError:
        return False


@contextmanager
def two_workers(tmp_path: Path, api_url: str, *, after_migrate: tuple[str, ...] = (),
                access_log_format: str | None = None) -> Iterator[int]:
    """Start it, run `after_migrate` (a manage.py command) first; yield the port. With `access_log_format`,
    the access log is tmp_path / "access.log"."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "MAILEON_", "GUNICORN_", "CACHE_", "TRUSTED_"))},
        "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": api_url, "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": shared_database_url(tmp_path), "WEB_CONCURRENCY": "2",
        "STATIC_ROOT": str(tmp_path / "static"),  # its own: tests on other xdist workers collect at the same time
        **({"GUNICORN_CMD_ARGS": f"--access-logformat='{access_log_format}'"} if access_log_format else {}),
    }
    # The pages need the static files' manifest (DEBUG off), as `make serve` and `make bench` collect it.
    run_manage(env, "collectstatic", "--noinput", "-v0")
    if connection.vendor != "postgresql":
        run_manage(env, "migrate", "--noinput", "-v0")
    if after_migrate:
        run_manage(env, *after_migrate)
    error_log = tmp_path / "error.log"
    access_log = (tmp_path / "access.log").open("w") if access_log_format else subprocess.DEVNULL
    process = subprocess.Popen([str(GUNICORN), "-c", str(CONFIG), "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
                               stdout=access_log, stderr=error_log.open("w"))
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
