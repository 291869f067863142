"""add_reason_later: "tell us more" on the confirmation page, for an unsubscribe recorded without a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.maileon import InvalidLinkError
from preference_center.models import LaterReason, Status, UnsubscribeRequest, Via
from preference_center.services.unsubscribe import add_reason_later, request_unsubscribe

from .support import unsubscribe_calls

pytestmark = pytest.mark.django_db(transaction=True)


def unsubscribe(link):
    return request_unsubscribe(link=link, page=None, reason=None, message="", via=Via.PAGE, language="de").row


def reason_calls(store):
    return [call for call in store.changing_calls() if call.path == "/contacts/contact/unsubscribe/reasons"]


@pytest.fixture
def reason(make_reason):
    return make_reason(reason_type="other", asks_free_text=True)


def test_a_pending_unsubscribe_takes_the_reason_along_without_an_extra_call(maileon_sandbox, link_for, reason):
    maileon_sandbox.faults.inject(status=503, times=None)
    unsubscribe(link_for(1004, mailing_id=88120))

    add_reason_later(link=link_for(1004), page=None, reason=reason, message="Neuer Job")
    assert reason_calls(maileon_sandbox) == []
    maileon_sandbox.faults.clear()
    worker.deliver_due(now=timezone.now() + timedelta(minutes=5))

    (call,) = [c for c in unsubscribe_calls(maileon_sandbox) if c.values("mailingId")]
    assert call.values("reason") == ["other|Neuer Job"]
    row = UnsubscribeRequest.objects.get()
    assert row.status == Status.DELIVERED and row.reason_added_later
    assert row.checksum == "" and not LaterReason.objects.exists()  # no job of its own: it went along
    assert reason_calls(maileon_sandbox) == []


def test_a_processed_unsubscribe_gets_the_reason_at_once_with_the_links_checksum(maileon_sandbox, link_for, reason):
    unsubscribe(link_for(1004))
    maileon_sandbox.process_pending()

    add_reason_later(link=link_for(1004), page=None, reason=reason, message="Neuer Job")

    (call,) = reason_calls(maileon_sandbox)
    assert call.method == "PUT"
    assert call.query == (("id", "1004"), ("checksum", maileon_sandbox.checksum_for(1004)), ("reason", "other|Neuer Job"))
    row = UnsubscribeRequest.objects.get()
    assert row.reason_added_later and row.later_reason.status == Status.DELIVERED
    assert row.checksum == row.later_reason.checksum == ""
    assert [r.reason.render() for r in maileon_sandbox.reasons] == ["other|Neuer Job"]


def test_a_reason_maileon_is_not_ready_for_is_delivered_by_the_worker(maileon_sandbox, link_for, reason):
    maileon_sandbox.unsubscribe_delay = 3600  # Maileon has not processed the unsubscribe yet
    unsubscribe(link_for(1004))

    add_reason_later(link=link_for(1004), page=None, reason=reason, message="Neuer Job")

    row = UnsubscribeRequest.objects.get()
    assert row.status == Status.DELIVERED and row.reason_added_later
    job = row.later_reason
    assert job.status == Status.PENDING
    assert job.checksum == maileon_sandbox.checksum_for(1004)  # kept until the reason is delivered
    maileon_sandbox.process_pending()
    report = worker.deliver_due(now=timezone.now() + timedelta(minutes=2))
    assert report.reasons_delivered == 1
    job.refresh_from_db()
    assert job.status == Status.DELIVERED and job.checksum == ""
    assert len(reason_calls(maileon_sandbox)) == 2
    assert len(unsubscribe_calls(maileon_sandbox)) == 1


def test_a_reason_while_maileon_is_down_is_delivered_by_the_worker(maileon_sandbox, link_for, reason):
    unsubscribe(link_for(1004))
    maileon_sandbox.process_pending()
    maileon_sandbox.faults.inject(status=503, retry_after=30, method="PUT")

    add_reason_later(link=link_for(1004), page=None, reason=reason, message="Neuer Job")

    job = LaterReason.objects.get()
    assert job.status == Status.PENDING and job.checksum
    assert job.next_attempt_at >= timezone.now() + timedelta(seconds=25)
    assert worker.deliver_due(now=timezone.now() + timedelta(minutes=1)).reasons_delivered == 1
    job.refresh_from_db()
    assert job.status == Status.DELIVERED


def test_a_second_reason_changes_nothing(maileon_sandbox, link_for, reason, make_reason):
    unsubscribe(link_for(1004))
    maileon_sandbox.process_pending()
    add_reason_later(link=link_for(1004), page=None, reason=reason, message="Neuer Job")

    add_reason_later(link=link_for(1004), page=None, reason=make_reason(reason_type="no_demand"), message="")

    assert len(reason_calls(maileon_sandbox)) == 1
    assert UnsubscribeRequest.objects.get().reason_message == "Neuer Job"


@pytest.mark.usefixtures("checksum_reads")
def test_a_wrong_checksum_is_refused_and_nothing_is_kept(maileon_sandbox, link_for, reason):
    unsubscribe(link_for(1004))
    maileon_sandbox.process_pending()

    with pytest.raises(InvalidLinkError):
        add_reason_later(link=link_for(1004, checksum="forged"), page=None, reason=reason, message="Spam")

    row = UnsubscribeRequest.objects.get()
    assert (row.reason_type, row.reason_message, row.checksum) == ("", "", "")
    assert maileon_sandbox.reasons == []


@pytest.mark.usefixtures("checksum_reads")
def test_a_wrong_checksum_for_a_pending_unsubscribe_is_refused_without_a_call(maileon_sandbox, link_for, reason):
    maileon_sandbox.faults.inject(status=503, times=None)
    unsubscribe(link_for(1004))

    with pytest.raises(InvalidLinkError):
        add_reason_later(link=link_for(1004, checksum="forged"), page=None, reason=reason, message="Spam")

    assert UnsubscribeRequest.objects.get().reason_type == ""


def test_a_link_without_an_unsubscribe_is_refused(maileon_sandbox, link_for, reason):
    with pytest.raises(InvalidLinkError):
        add_reason_later(link=link_for(1001), page=None, reason=reason, message="")

    assert maileon_sandbox.changing_calls() == []
