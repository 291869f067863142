"""The admin sign-in locks a username from one client address after 5 failures for 15 minutes (django-axes):
the lockout page in the browser's language, what is and is not locked, the end of the lock, unlocking by
command and in the admin, and log lines without the password."""

from __future__ import annotations

import logging
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import pytest
import requests
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from preference_center.pages import throttle

from tests.delivery.processes import ROOT, AppProcesses, shared_database_url, wait_until
from tests.support import ERIKA

pytestmark = pytest.mark.django_db

USERNAME, PASSWORD = "marketer", "Richtig-und-geheim-42"
WRONG = "Falsch-aber-auch-geheim-17"
HOME, ELSEWHERE = "203.0.113.7", "198.51.100.23"
LIMIT = 5
LOCKED_TEXT = {
    "de": ["Anmeldung vorübergehend gesperrt", "zu viele fehlgeschlagene Anmeldeversuche",
           "Bitte versuchen Sie es in 15 Minuten erneut", "Ein Administrator kann"],
    "en": ["Sign-in temporarily locked", "too many failed sign-in attempts", "Please try again in 15 minutes",
           "An administrator can unlock"],
}
ATTEMPTS_URL = "admin:axes_accessattempt_changelist"


@pytest.fixture(autouse=True)
def marketer(db) -> User:
    return User.objects.create_user(USERNAME, password=PASSWORD, is_staff=True, is_superuser=True)


def sign_in(password: str, *, username: str = USERNAME, address: str = HOME, lang: str = "en",
            client: Client | None = None):
    """The admin's sign-in form as a browser at `address` submits it (a fresh browser unless `client` is given)."""
    return (client or Client()).post(reverse("admin:login"),
                                     {"username": username, "password": password, "next": "/admin/"},
                                     REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=lang)


def lock_out(*, username: str = USERNAME, address: str = HOME) -> None:
    for attempt in range(1, LIMIT + 1):
        response = sign_in(WRONG, username=username, address=address)
        # The fifth failure already answers with the lockout page.
        assert response.status_code == (429 if attempt == LIMIT else 200), attempt


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_five_failures_lock_out_even_the_right_password_with_a_page_in_the_browsers_language(lang):
    lock_out()
    browser = Client()
    response = sign_in(PASSWORD, lang=lang, client=browser)
    assert response.status_code == 429
    html = response.content.decode()
    for text in LOCKED_TEXT[lang]:
        assert text in html
    assert f'<html lang="{lang}"' in html and response["Content-Language"] == lang
    # The app's strict CSP holds: scripts come from files only, none inline.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", html))
    assert browser.get("/admin/").status_code == 302  # not signed in


def test_the_lock_holds_only_that_username_from_that_address():
    lock_out()
    User.objects.create_user("editor", password="pw-editor", is_staff=True)
    assert signed_in(sign_in("pw-editor", username="editor", address=HOME))  # another user, same address
    assert signed_in(sign_in(PASSWORD, address=ELSEWHERE))  # same user, another address
    assert sign_in(PASSWORD, address=HOME).status_code == 429


def test_a_successful_sign_in_starts_the_count_again():
    for _ in range(2):
        for _ in range(LIMIT - 1):
            assert sign_in(WRONG).status_code == 200
        assert signed_in(sign_in(PASSWORD))


def test_the_lock_ends_after_the_cool_off_and_every_attempt_during_it_restarts_the_wait():
    start = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        lock_out()
        clock.move_to(start + timedelta(minutes=14))
        assert sign_in(PASSWORD).status_code == 429
        clock.move_to(start + timedelta(minutes=16))  # free by now, but for the attempt at 14 minutes
        assert sign_in(PASSWORD).status_code == 429
        clock.move_to(start + timedelta(minutes=16 + 15, seconds=1))
        assert signed_in(sign_in(PASSWORD))


def test_a_short_cool_off_from_the_settings_is_what_the_page_says(settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=61)
    lock_out()
    html = sign_in(PASSWORD).content.decode()
    assert "Please try again in 2 minutes" in html  # rounded up: never promise a wait shorter than it is
    settings.AXES_COOLOFF_TIME = timedelta(seconds=30)
    assert "Please try again in 1 minute." in sign_in(PASSWORD).content.decode()


@pytest.mark.parametrize("command", [
    ["axes_reset_username", USERNAME],
    ["axes_reset_ip_username", HOME, USERNAME],
    ["axes_reset_ip", HOME],
    ["axes_reset"],
])
def test_the_reset_commands_unlock(command):
    lock_out()
    out = StringIO()
    call_command(*command, stdout=out)
    assert "1 attempts removed" in out.getvalue()
    assert signed_in(sign_in(PASSWORD))


def test_a_reset_for_another_username_leaves_the_lock(db):
    lock_out()
    out = StringIO()
    call_command("axes_reset_username", "someone-else", stdout=out)
    assert "No attempts found" in out.getvalue()
    assert sign_in(PASSWORD).status_code == 429


def test_an_administrator_unlocks_in_the_admin_and_the_failures_stay_on_record(staff_client):
    lock_out()
    assert reverse(ATTEMPTS_URL) in staff_client.get(reverse("admin:index")).content.decode()
    attempts = staff_client.get(reverse(ATTEMPTS_URL), {"locked_out": "yes"})
    assert attempts.status_code == 200
    html = attempts.content.decode()
    assert USERNAME in html and HOME in html and "Locked Out" in html
    (pk,) = re.findall(r'name="_selected_action" value="(\d+)"', html)
    detail = staff_client.get(reverse("admin:axes_accessattempt_change", args=[pk]))
    assert detail.status_code == 200 and WRONG not in detail.content.decode()  # the form data, password masked

    response = staff_client.post(reverse(ATTEMPTS_URL),
                                 {"action": "delete_selected", "_selected_action": [pk], "post": "yes"})
    assert response.status_code == 302
    assert signed_in(sign_in(PASSWORD))

    failures = staff_client.get(reverse("admin:axes_accessfailurelog_changelist"), {"q": USERNAME})
    assert failures.status_code == 200 and f"{LIMIT} access failures" in failures.content.decode()
    successes = staff_client.get(reverse("admin:axes_accesslog_changelist"), {"q": USERNAME})
    assert successes.status_code == 200 and HOME in successes.content.decode()


def test_a_lockout_is_logged_with_username_and_address_but_no_password(caplog):
    with caplog.at_level(logging.INFO):
        lock_out()
        sign_in(PASSWORD)
    messages = [record.getMessage() for record in caplog.records]
    lockouts = [message for message in messages if "Locking out" in message]
    assert len(lockouts) == 2  # the fifth failure and the attempt with the right password
    assert f'username: "{USERNAME}"' in lockouts[0] and f'ip_address: "{HOME}"' in lockouts[0]
    assert not [message for message in messages if WRONG in message or PASSWORD in message]


def test_an_address_that_is_no_ip_address_still_counts_and_never_breaks_the_sign_in(monkeypatch):
    # A forged or mangled X-Forwarded-For must not reach axes' address column (PostgreSQL: inet).
    monkeypatch.setattr(throttle, "client_address", lambda request: "not-an-address")
    lock_out()
    assert sign_in(PASSWORD).status_code == 429


def test_recipient_pages_ask_nothing_of_the_lockout(default_page, maileon_sandbox, link):
    lock_out()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR=HOME)
    assert response.status_code == 200
    assert not [query["sql"] for query in queries if "axes_" in query["sql"]]


# --- a burst of concurrent sign-ins against a real server process


@pytest.fixture
def server(transactional_db, tmp_path):
    """gunicorn (gunicorn.conf.py: threaded workers) on a database this test shares: the test database on
    PostgreSQL, a migrated file on SQLite. Yields its URL and a `manage.py` runner for the same database."""
    processes = AppProcesses(shared_database_url(tmp_path), api_url="http://127.0.0.1:9/1.0")
    if connection.vendor != "postgresql":
        processes.manage("migrate", "--noinput")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env={**processes.env, "WEB_CONCURRENCY": "2"}, stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr.log").open("w"),
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/healthz", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a worker still booting
            assert process.poll() is None, (tmp_path / "stderr.log").read_text()
            return False

    try:
        wait_until(answers, timeout=60, what="gunicorn to answer")
        yield url, processes
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=40)


def test_a_burst_of_concurrent_failures_is_counted_whole_and_never_answers_500(server):
    url, processes = server
    processes.manage("shell", "-c", (  # on PostgreSQL the fixture's user is there already: same password
        "from django.contrib.auth.models import User\n"
        f"user, _ = User.objects.get_or_create(username={USERNAME!r}, defaults={{'is_staff': True}})\n"
        f"user.set_password({PASSWORD!r})\n"
        "user.save()\n"
    ))
    login = requests.get(f"{url}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)

    def post(password: str) -> int:
        return requests.post(f"{url}/admin/login/", timeout=60, allow_redirects=False,
                             cookies={"csrftoken": login.cookies["csrftoken"]},
                             data={"username": USERNAME, "password": password, "csrfmiddlewaretoken": token}
                             ).status_code

    burst = 3 * LIMIT
    start, statuses = threading.Barrier(burst), []

    def fire(attempt: int) -> None:
        start.wait()
        statuses.append(post(f"{WRONG}-{attempt}"))

    threads = [threading.Thread(target=fire, args=(attempt,)) for attempt in range(burst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(Counter(statuses)) <= {200, 429}, Counter(statuses)  # a wrong password or the lock, nothing else
    assert post(PASSWORD) == 429
    # Every failure counted (the last attempt too): none lost to a race between threads or processes.
    assert processes.manage("axes_list_attempts").split() == ["127.0.0.1", USERNAME, str(burst + 1)]
