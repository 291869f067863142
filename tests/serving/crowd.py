"""A real server process for crowd tests: gunicorn (gthread) on a database several processes share, the sandbox
as its own process standing in for Maileon, and a burst of requests that arrive together.

The database is the one DATABASE_URL names when it is PostgreSQL (a database of its own is created on that
server and dropped afterwards), else a fresh SQLite file with no options in its URL: the settings' own SQLite
defaults are what is under test. pytest-django's in-memory SQLite test database cannot serve here: its live
server shares one connection across threads, so it never shows locking.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from preference_center.dev.sandbox.serve import stop_process
from preference_center.dev.sandbox.store import checksum_for

from .production import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """The DATABASE_URL for the server process and the commands run beside it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'crowd.sqlite3'}"
        return
    import psycopg

    name = f"crowd_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class AppServer:
    """gunicorn with gunicorn.conf.py (gthread), `manage.py` commands on the same database and Maileon."""

    def __init__(self, database_url: str, api_url: str, work: Path) -> None:
        self.work = work
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAILEON_", "GUNICORN_"))},
            "DEBUG": "1", "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": database_url,
            "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": api_url,
            # Its own collectstatic target: tests on other xdist workers collect at the same time.
            "STATIC_ROOT": str(work / "static"),
        }
        self.process: subprocess.Popen | None = None
        self.url = ""

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self, *, workers: int, threads: int) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", str(threads)],
            cwd=ROOT, env=self.env, stdout=(self.work / "access.log").open("w"),
            stderr=(self.work / "error.log").open("w"),
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(f"gunicorn did not start: {self.errors()[-3000:]}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=40)  # gunicorn's graceful_timeout is 30 s

    def errors(self) -> str:
        return (self.work / "error.log").read_text()

    def rows(self) -> list[dict]:
        out = self.manage("shell", "-c", (
            "import json\n"
            "from preference_center.models import UnsubscribeRequest as R\n"
            "print(json.dumps(list(R.objects.order_by('contact_id', 'pk').values("
            "'contact_id', 'status', 'via', 'reason_type'))))\n"
        ))
        return json.loads(out.strip().splitlines()[-1])


@dataclass(frozen=True)
class Submission:
    contact_id: int
    one_click: bool


@dataclass(frozen=True)
class Answer:
    submission: Submission
    status: int
    body: str


def link_query(contact_id: int, **extra: str) -> str:
    return urlencode({"contactid": contact_id, "checksum": checksum_for(contact_id), "mailingid": 88120,
                      **extra})


def page_form(server_url: str, contact_id: int) -> dict[str, str]:
    """What the unsubscribe page's form submits with its first reason chosen (read from a real GET)."""
    request = urllib.request.Request(f"{server_url}/unsubscribe/?{link_query(contact_id, lang='de')}",
                                     headers={"User-Agent": BROWSER})
    with urllib.request.urlopen(request, timeout=30) as answer:
        html = answer.read().decode()
    reason = re.search(r'<option value="(\d+)"', html)
    served = re.search(r'name="served" value="([^"]+)"', html)
    assert reason and served, html[:2000]
    return {"reason": reason.group(1), "message": "", "served": served.group(1)}


def _send(server_url: str, submission: Submission, form: dict[str, str]) -> Answer:
    if submission.one_click:
        url = f"{server_url}/unsubscribe/one-click/?{link_query(submission.contact_id)}"
        body, headers = b"List-Unsubscribe=One-Click", {}
    else:
        # The form posts back to its own page, the language fixed; a browser says it is same-origin.
        url = f"{server_url}/unsubscribe/?{link_query(submission.contact_id, lang='de')}"
        body, headers = urlencode(form).encode(), {"Sec-Fetch-Site": "same-origin", "User-Agent": BROWSER}
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return Answer(submission, answer.status, answer.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(submission, error.code, error.read().decode(errors="replace"))


def burst(server_url: str, submissions: list[Submission], form: dict[str, str]) -> list[Answer]:
    """Every submission from a thread of its own, released together by a barrier."""
    barrier = threading.Barrier(len(submissions))

    def send(submission: Submission) -> Answer:
        barrier.wait(timeout=30)
        return _send(server_url, submission, form)

    with ThreadPoolExecutor(max_workers=len(submissions)) as pool:
        return list(pool.map(send, submissions))
