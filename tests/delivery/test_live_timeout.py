"""A real timeout over real sockets (the sandbox behind live_server): Maileon acted, the answer never came."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center import account
from preference_center.delivery import worker
from preference_center.models import Status, Via
from preference_center.services.unsubscribe import request_unsubscribe

from .support import unsubscribe_calls


def finish_late_answers() -> None:
    """Wait for the live server's request threads still sleeping on a delayed answer. The app's kept-alive
    connections are closed first: a thread serving one would wait for its next request, not end."""
    account.close_clients()
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_timed_out_unsubscribe_stays_pending_and_the_retry_completes_it(live_maileon, link_for, settings):
    settings.MAILEON_READ_TIMEOUT = 0.5
    live_maileon.faults.inject(delay=1.0, method="DELETE")

    outcome = request_unsubscribe(link=link_for(1004), page=None, reason=None, message="", via=Via.PAGE,
                                  language="de")

    assert outcome.delivered is False
    assert outcome.row.status == Status.PENDING and outcome.row.verified is True
    assert "timed out" in outcome.row.last_error
    finish_late_answers()  # the sandbox did queue the unsubscribe; its answer just came too late
    live_maileon.process_pending()
    assert live_maileon.contacts[1004].unsubscribed

    report = worker.deliver_due(now=timezone.now() + timedelta(hours=1))

    assert report.delivered == 1
    outcome.row.refresh_from_db()
    assert outcome.row.status == Status.DELIVERED and outcome.row.checksum == ""
    assert "already unsubscribed" in outcome.row.note
    assert len(unsubscribe_calls(live_maileon)) == 2
    finish_late_answers()  # no request thread outlives the test (it closes the shared test connection)
