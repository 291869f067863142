"""A crowd of unsubscribes arriving at once at a real server (gunicorn, 2 workers x 8 threads) on a database
shared between processes: SQLite by default, PostgreSQL in make test's PostgreSQL pass (tests/serving/crowd.py).

Every recipient gets the confirmation, every unsubscribe is recorded once, and after the delivery worker has run
Maileon has heard of each contact exactly once.
"""

from __future__ import annotations

import pytest

from preference_center.dev.sandbox.serve import spawn

from .crowd import AppServer, Submission, burst, page_form, shared_database

pytestmark = pytest.mark.database  # its server process uses DATABASE_URL: PostgreSQL in the second pass

FIRST = 820_000
PAGES = ONE_CLICKS = 50
CONFIRMATIONS = ("Sie sind abgemeldet", "Ihre Abmeldung wird bearbeitet")


@pytest.fixture
def maileon():
    sandbox = spawn("--unsubscribe-delay", "0")
    yield sandbox
    sandbox.stop()


@pytest.fixture
def server(tmp_path, maileon):
    with shared_database(tmp_path) as database_url:
        app = AppServer(database_url, maileon.api_url, tmp_path)
        app.manage("migrate", "--noinput", "-v0")
        app.start(workers=2, threads=8)
        try:
            yield app
        finally:
            app.stop()


def test_a_hundred_simultaneous_unsubscribes_are_each_confirmed_recorded_and_delivered_once(server, maileon):
    contacts = list(range(FIRST, FIRST + PAGES + ONE_CLICKS))
    maileon.control.add_contacts(FIRST, len(contacts))
    submissions = [Submission(i, one_click=n >= PAGES) for n, i in enumerate(contacts)]
    # A handful of repeats in the same burst: a double click, a provider's retry, the page and the header.
    submissions += [Submission(contacts[0], False), Submission(contacts[1], False),
                    Submission(contacts[-1], True), Submission(contacts[-2], True),
                    Submission(contacts[2], True), Submission(contacts[-3], False)]
    form = page_form(server.url, 1001)  # a demo contact, not in the crowd

    answers = burst(server.url, submissions, form)

    failed = [a for a in answers if a.status != 200]
    assert not failed, (
        f"{len(failed)} of {len(answers)} failed ({sum(a.submission.one_click for a in failed)} one-clicks), "
        f"statuses {sorted({a.status for a in failed})}: {failed[0].body[:300]}\n{server.errors()[-3000:]}"
    )
    for answer in answers:
        if answer.submission.one_click:
            assert answer.body == "unsubscribed\n"
        else:
            assert any(text in answer.body for text in CONFIRMATIONS), answer.body[:2000]
    rows = server.rows()
    assert sorted(row["contact_id"] for row in rows) == contacts  # one row per contact, repeats included
    came_both_ways = {contacts[2], contacts[-3]}  # whichever came first is the one recorded
    for row in rows:
        if row["contact_id"] not in came_both_ways:
            page = row["contact_id"] < FIRST + PAGES
            assert (row["via"], bool(row["reason_type"])) == (("page", True) if page else ("one_click", False))

    server.manage("deliver_unsubscribes", "--once")

    assert {row["status"] for row in server.rows()} == {"delivered"}  # none left pending
    stats = maileon.control.stats(FIRST, len(contacts))
    assert stats["unsubscribed"] == len(contacts)
    assert stats["unsubscribe_calls_by_contact"] == {str(i): 1 for i in contacts}
