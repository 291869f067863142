"""request_unsubscribe: the recipient's POST records the wish durably, then tries once to deliver it.

These tests use `transactional_db`, so commits are real, as in production: the row must be committed before
Maileon is called.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.maileon import InvalidLinkError
from preference_center.models import Status, UnsubscribeRequest, Via
from preference_center.delivery import outbox
from preference_center.services.unsubscribe import request_unsubscribe

from tests.support import at_once

from .support import claim_one, row_values, unsubscribe_calls

pytestmark = pytest.mark.django_db(transaction=True)


def submit(link, *, page=None, reason=None, message="", via=Via.PAGE, suspected_automation=(False, "")):
    return request_unsubscribe(
        link=link, page=page, reason=reason, message=message, via=via, language="de",
        suspected_automation=suspected_automation,
    )


def test_a_valid_link_is_recorded_and_delivered_at_once(maileon_sandbox, link_for, make_reason):
    reason = make_reason(reason_type="other", asks_free_text=True)

    outcome = submit(link_for(1004, mailing_id=88120), reason=reason, message="  Zu viele Mails ")

    assert outcome.delivered is True and outcome.repeated is False
    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.query == (("id", "1004"), ("mailingId", "88120"), ("reason", "other|Zu viele Mails"))
    row = outcome.row
    assert row.status == Status.DELIVERED and row.verified is True
    assert (row.reason_id, row.reason_type, row.reason_message) == (reason.pk, "other", "Zu viele Mails")
    assert not hasattr(row, "later_reason")  # the reason travelled with the unsubscribe
    assert row.checksum == "" and row.attempts == 1


def test_the_row_is_committed_before_maileon_hears_of_it(maileon_sandbox, link_for):
    seen_from_another_connection = []
    queue_unsubscribe = maileon_sandbox.queue_unsubscribe

    def look_from_another_thread(*args, **kwargs):
        def look():
            try:
                seen_from_another_connection.append(UnsubscribeRequest.objects.filter(contact_id=1004).exists())
            finally:
                connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return queue_unsubscribe(*args, **kwargs)

    maileon_sandbox.queue_unsubscribe = look_from_another_thread

    submit(link_for(1004))

    assert seen_from_another_connection == [True]


def test_a_fixed_reason_sends_its_own_message_and_what_was_typed(maileon_sandbox, link_for, make_reason):
    # The text box is offered with every answer: what the recipient typed is never dropped, and the fixed message
    # still tells this answer apart from others of its type in Maileon's report.
    reason = make_reason(reason_type="no_demand", fixed_message="Thema passt nicht")

    submit(link_for(1004), reason=reason, message="Zu viel Werbung")

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.values("reason") == ["no_demand|Thema passt nicht: Zu viel Werbung"]


def test_a_comment_without_a_chosen_answer_travels_as_other(maileon_sandbox, link_for):
    outcome = submit(link_for(1004), reason=None, message="Ich ziehe um")

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.values("reason") == ["other|Ich ziehe um"]
    assert (outcome.row.reason, outcome.row.reason_type) == (None, "other")


def test_neither_answer_nor_comment_sends_no_reason(maileon_sandbox, link_for):
    submit(link_for(1004), reason=None, message="  ")

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.values("reason") == []


def test_an_address_typed_into_the_reason_is_neither_kept_nor_sent(maileon_sandbox, link_for, make_reason):
    reason = make_reason(reason_type="other", asks_free_text=True)

    outcome = submit(link_for(1004), reason=reason, message="bitte lena@example.org austragen")

    (call,) = unsubscribe_calls(maileon_sandbox)
    assert "@" not in call.values("reason")[0]
    assert "lena@example.org" not in row_values(outcome.row)


@pytest.mark.usefixtures("checksum_reads")
def test_an_invalid_link_records_nothing_and_changes_nothing(maileon_sandbox, link_for):
    with pytest.raises(InvalidLinkError):
        submit(link_for(1004, checksum="not-the-checksum"))

    assert UnsubscribeRequest.objects.count() == 0
    assert maileon_sandbox.changing_calls() == []


def test_an_unknown_contact_records_nothing(maileon_sandbox, link_for):
    with pytest.raises(InvalidLinkError):
        submit(link_for(424242))

    assert UnsubscribeRequest.objects.count() == 0


def test_maileon_down_records_the_unsubscribe_and_the_worker_delivers_it_after_recovery(maileon_sandbox, link_for):
    maileon_sandbox.faults.inject(status=503, times=None)

    outcome = submit(link_for(1004, mailing_id=88120))
    worker.deliver_due()  # still down: retried later, not lost
    maileon_sandbox.faults.clear()
    report = worker.deliver_due(now=timezone.now() + timedelta(hours=1))

    assert outcome.delivered is False and outcome.repeated is False
    assert outcome.row.status == Status.PENDING and outcome.row.verified is False
    assert report.delivered == 1
    row = UnsubscribeRequest.objects.get()
    assert row.status == Status.DELIVERED and row.verified is True and row.checksum == ""
    successful = [call for call in unsubscribe_calls(maileon_sandbox) if call.values("mailingId") == ["88120"]]
    assert len(successful) == 1
    maileon_sandbox.process_pending()
    assert maileon_sandbox.contacts[1004].unsubscribed


def test_a_failed_inline_attempt_stays_pending_for_the_worker(maileon_sandbox, link_for):
    maileon_sandbox.faults.inject(status=500, method="DELETE")

    outcome = submit(link_for(1004))

    assert outcome.delivered is False
    assert outcome.row.status == Status.PENDING and outcome.row.verified is True
    assert outcome.row.leased_until is None
    assert worker.deliver_due(now=timezone.now() + timedelta(minutes=5)).delivered == 1


def test_submitting_twice_makes_one_maileon_call(maileon_sandbox, link_for):
    first = submit(link_for(1004))
    second = submit(link_for(1004), via=Via.ONE_CLICK)

    assert second.repeated is True and second.row.pk == first.row.pk
    assert second.delivered is True
    assert len(unsubscribe_calls(maileon_sandbox)) == 1
    assert UnsubscribeRequest.objects.count() == 1


def test_submitting_twice_while_maileon_is_down_queues_one_row(maileon_sandbox, link_for):
    maileon_sandbox.faults.inject(status=503, times=None)

    first = submit(link_for(1004))
    second = submit(link_for(1004))

    assert second.repeated is True and second.row.pk == first.row.pk
    assert UnsubscribeRequest.objects.filter(status=Status.PENDING).count() == 1


def test_a_new_unsubscribe_a_day_later_is_recorded_anew(maileon_sandbox, link_for):
    first = submit(link_for(1004)).row
    UnsubscribeRequest.objects.filter(pk=first.pk).update(delivered_at=timezone.now() - timedelta(hours=25))
    maileon_sandbox.process_pending()

    second = submit(link_for(1004))

    # The verifying read says the contact has left: nothing new is recorded and nothing is sent again.
    assert second.already_left and second.row is None
    assert UnsubscribeRequest.objects.count() == 1
    assert len(unsubscribe_calls(maileon_sandbox)) == 1


def test_a_recorded_request_whose_contact_has_left_meanwhile_is_delivered_without_a_call(maileon_sandbox,
                                                                                         link_for):
    maileon_sandbox.faults.inject(status=503, times=None)
    pending = submit(link_for(1004)).row  # Maileon down: recorded unverified
    maileon_sandbox.faults.clear()
    maileon_sandbox.contact(1004).anonymize()  # out by another way meanwhile (Maileon's own page, say)

    outbox.attempt(claim_one(now=timezone.now()))

    pending.refresh_from_db()
    assert (pending.status, pending.verified, pending.checksum) == (Status.DELIVERED, True, "")
    assert "already unsubscribed" in pending.note and unsubscribe_calls(maileon_sandbox) == []


def test_a_request_suspected_automated_is_honoured_and_flagged_for_review(maileon_sandbox, link_for):
    outcome = submit(link_for(1004), via=Via.ONE_CLICK,
                     suspected_automation=(True, "user agent matches scanner pattern 'barracuda'"))

    assert outcome.delivered is True
    assert outcome.row.via == Via.ONE_CLICK
    assert outcome.row.suspected_automation is True
    assert "barracuda" in outcome.row.automation_evidence


def test_inside_a_callers_transaction_delivery_waits_for_the_commit(maileon_sandbox, link_for):
    from django.db import transaction

    with transaction.atomic():
        outcome = submit(link_for(1004))
        assert unsubscribe_calls(maileon_sandbox) == []

    assert outcome.delivered is False
    assert len(unsubscribe_calls(maileon_sandbox)) == 1
    assert UnsubscribeRequest.objects.get().status == Status.DELIVERED


def test_by_email_page_unsubscribes_the_verified_address_without_keeping_it(maileon_sandbox, link_for, make_page):
    page = make_page(account_ids="311,312")

    outcome = submit(link_for(1002, mailing_id=88121), page=page)

    assert outcome.delivered is True
    gets = [call for call in maileon_sandbox.calls if call.method == "GET"]
    assert len(gets) == 1  # the verifying read supplies the address
    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.path == "/contacts/email/john.example+news@example.com/unsubscribe"
    assert call.values("nlaccountid") == ["311", "312"]
    assert "@" not in row_values(outcome.row)


def test_a_request_that_died_before_its_inline_attempt_leaves_the_row_to_the_worker(
    maileon_sandbox, link_for, monkeypatch
):
    # The row is inserted already leased to the request's own inline attempt; the request dies right after.
    from preference_center.delivery import outbox

    def dies(row, **kwargs):
        raise SystemExit("worker process killed")

    monkeypatch.setattr(outbox, "deliver_now", dies)
    now = timezone.now()
    with pytest.raises(SystemExit):
        submit(link_for(1004))
    monkeypatch.undo()

    while_leased = worker.deliver_due(now=now + timedelta(seconds=outbox.LEASE_SECONDS - 5))
    after_expiry = worker.deliver_due(now=now + timedelta(seconds=outbox.LEASE_SECONDS + 5))

    assert while_leased.attempted == 0  # nobody else attempts it while the request might still be at it
    assert after_expiry.delivered == 1
    row = UnsubscribeRequest.objects.get(contact_id=1004)
    assert row.status == Status.DELIVERED and row.attempts == 2
    assert len(unsubscribe_calls(maileon_sandbox)) == 1


@pytest.mark.postgres  # no transaction around check and insert there: the unique constraint settles a race
def test_one_link_submitted_from_many_threads_at_once_is_recorded_without_an_error(maileon_sandbox, link_for):
    outcomes, errors = at_once(lambda: submit(link_for(1004)), 6)

    assert errors == []  # a lost race (IntegrityError) is answered with the winner's row
    assert len(outcomes) == 6 and all(outcome.row is not None for outcome in outcomes)
    rows = {outcome.row.pk for outcome in outcomes}
    assert rows == set(UnsubscribeRequest.objects.values_list("pk", flat=True))
    assert sum(not outcome.repeated for outcome in outcomes) == len(rows)
    # Usually one row; a submission that checked before the first row was committed and inserted after it was
    # delivered (no longer pending, so no conflict) makes a second, delivered again: so it was before this
    # change too (READ COMMITTED), harmless to Maileon. Never two pending.
    assert not UnsubscribeRequest.objects.filter(status=Status.PENDING).exists()
    assert len(unsubscribe_calls(maileon_sandbox)) == len(rows)
