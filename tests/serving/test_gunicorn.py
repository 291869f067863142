"""gunicorn.conf.py: the settings it reads from gunicorn's own environment variables, and a real gunicorn whose
access log must not show the checksum (it prints the request line with its query string, and the Referer)."""

from __future__ import annotations

import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _config(monkeypatch, **environ) -> dict:
    for name in ("WEB_CONCURRENCY", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_threaded_workers_from_web_concurrency(monkeypatch):
    config = _config(monkeypatch, WEB_CONCURRENCY="3")
    assert (config["worker_class"], config["workers"]) == ("gthread", 3)
    assert config["threads"] > 1


def test_without_web_concurrency_one_worker_per_usable_cpu(monkeypatch):
    assert _config(monkeypatch)["workers"] == len(os.sched_getaffinity(0))


def test_binds_loopback_unless_the_platform_assigns_a_port(monkeypatch):
    assert _config(monkeypatch)["bind"] == ["127.0.0.1:8000"]
    assert _config(monkeypatch, PORT="9123")["bind"] == ["0.0.0.0:9123"]  # gunicorn's own PORT convention


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_server(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAILEON_", "GUNICORN_"))},
        "DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": "http://127.0.0.1:9/1.0", "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "WEB_CONCURRENCY": "1",
    }
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(CONFIG), "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=stdout.open("w"), stderr=stderr.open("w"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"gunicorn did not start: {stderr.read_text()}")
                time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=40)


def test_access_log_masks_the_checksum_in_query_and_referer(gunicorn_server, tmp_path):
    url, process = gunicorn_server
    in_query, in_referer = "Qm7tR2xLpQuery", "Zx9Kw4RefererSecret"
    # A name with percent-encoded letters is the same parameter to the server, so it is a checksum to the log too.
    encoded_query, encoded_referer = "Ab3EncodedNameQuery", "Cd4EncodedNameReferer"
    for query, referer in ((f"checksum={in_query}", f"checksum={in_referer}"),
                           (f"check%73um={encoded_query}", f"%43HECKSUM={encoded_referer}")):
        request = urllib.request.Request(
            f"{url}/healthz?contactid=1001&{query}&mailingid=88120",
            headers={"Referer": f"{url}/unsubscribe/?contactid=1001&{referer}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
    process.send_signal(signal.SIGTERM)  # graceful: the worker flushes its log and exits
    assert process.wait(timeout=40) == 0
    access = (tmp_path / "stdout.log").read_text()
    errors = (tmp_path / "stderr.log").read_text()

    access_lines = [line for line in access.splitlines() if "GET /healthz?" in line]
    assert len(access_lines) == 2 and all("contactid=1001" in line and '" 200 ' in line for line in access_lines)
    assert any("&checksum=[redacted]&" in line for line in access_lines)
    assert any("&check%73um=[redacted]&" in line for line in access_lines)
    for secret in (in_query, in_referer, encoded_query, encoded_referer):
        assert secret not in access + errors
    assert "Using worker: gthread" in errors
