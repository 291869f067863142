"""When the database does not take an unsubscribe, the recipient is asked to try again (never told it worked), in
their language, with the same form; a mail provider's one-click gets 503 and Retry-After. Once the row is
recorded, a failure of the inline attempt's bookkeeping no longer concerns the recipient: the worker takes over.

The database fails for real: another connection holds the table (tests/pages/locks.py).
"""

from __future__ import annotations

import logging
import threading
from functools import partial
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.models import PageConfig, Status, UnsubscribeRequest

from tests.support import LENA, form_data
from .locks import short_lock_timeout, table_held  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("short_lock_timeout")]

ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = "application/x-www-form-urlencoded"
NOT_SAVED = {"de": "Ihre Abmeldung konnte nicht gespeichert werden", "en": "Your unsubscribe could not be saved"}


@pytest.fixture
def reason(make_reason):
    """One reason that asks for free text, on the default page."""
    PageConfig.get_default()  # a transactional test may find the seed flushed by an earlier one
    return make_reason(reason_type="other", asks_free_text=True, label_en="Other", label_de="Anderes")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_page_unsubscribe_the_database_does_not_take_asks_to_try_again_with_the_same_form(
    client, reason, maileon_sandbox, link, caplog, lang
):
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA, lang=lang)}"), "/unsubscribe/?")
    data.update(reason=[str(reason.pk)], message=["Zu viele Mails"])

    with caplog.at_level(logging.INFO), table_held(UnsubscribeRequest):
        refused = client.post(action, data)

    html = refused.content.decode()
    assert refused.status_code == 503 and refused["Retry-After"] == "30"
    assert NOT_SAVED[lang] in html and f'<html lang="{lang}">' in html
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []
    assert "unsubscribe not recorded" in caplog.text and f"contactid={LENA}" in caplog.text
    assert maileon_sandbox.checksum_for(LENA) not in caplog.text and "@" not in caplog.text
    assert refused["Content-Security-Policy"] and "X-Frame-Options" not in refused  # a recipient page

    # "Try again" posts the same form to the same address; now the database takes it.
    retry_action, retry_data = form_data(refused, action)
    assert (retry_action, retry_data) == (action, data)
    done = client.post(retry_action, retry_data)
    assert done.status_code == 200
    assert ("Sie sind abgemeldet" if lang == "de" else "You are unsubscribed") in done.content.decode()
    row = UnsubscribeRequest.objects.get()
    assert (row.contact_id, row.reason_id, row.reason_message, row.status) == (
        LENA, reason.pk, "Zu viele Mails", Status.DELIVERED)
    assert [call.method for call in maileon_sandbox.changing_calls()] == ["DELETE"]


def test_a_one_click_the_database_does_not_take_gets_503_with_retry_after(maileon_sandbox, link):
    PageConfig.get_default()
    provider = Client()  # a mail provider's server: no cookies, no Origin

    with table_held(UnsubscribeRequest):
        refused = provider.post(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM)

    assert refused.status_code == 503 and refused["Retry-After"] == "30"
    assert refused["Content-Type"].startswith("text/plain") and refused.content.endswith(b"\n")
    assert len(refused.content) < 100
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []

    retried = provider.post(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM)
    assert retried.status_code == 200
    assert UnsubscribeRequest.objects.get().status == Status.DELIVERED


def test_recorded_but_the_attempt_cannot_save_its_outcome_the_recipient_is_told_recorded_and_the_worker_delivers(
    reason, maileon_sandbox, link, caplog
):
    client = Client()
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA, lang='en')}"), "/unsubscribe/?")
    post = partial(client.post, follow=True)
    maileon_sandbox.faults.inject(delay=4, method="DELETE")  # Maileon takes its time answering
    answers = []

    def submit():
        try:
            answers.append(post(action, data))
        finally:
            connection.close()

    submitting = threading.Thread(target=submit)
    with caplog.at_level(logging.WARNING):
        submitting.start()
        _wait_until(lambda: maileon_sandbox.changing_calls(), what="the DELETE")
        # The row is committed and Maileon has the unsubscribe; now the outcome cannot be saved.
        with table_held(UnsubscribeRequest):
            maileon_sandbox.faults.clear()  # the answer arrives
            submitting.join(timeout=30)

    (answer,) = answers
    assert answer.status_code == 200
    assert "Your unsubscribe is being processed" in answer.content.decode()
    assert "inline attempt not saved" in caplog.text
    row = UnsubscribeRequest.objects.get()
    assert row.status == Status.PENDING and row.leased_until is not None

    report = worker.deliver_due(now=timezone.now() + timedelta(hours=1))  # after the inline attempt's lease
    assert report.delivered == 1
    assert UnsubscribeRequest.objects.get().status == Status.DELIVERED
    assert [call.method for call in maileon_sandbox.changing_calls()] == ["DELETE", "DELETE"]  # a harmless repeat
    maileon_sandbox.process_pending()
    assert maileon_sandbox.contact(LENA).unsubscribed


def _wait_until(condition, *, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)
