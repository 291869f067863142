"""A forged request made while Maileon could not check it must never take the place of the genuine one: it is
not a repeat of it, it is never delivered, and the genuine request always is. Against a Maileon that refuses
wrong checksums on reads and one that does not (`checksum_reads`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.maileon import InvalidLinkError, UnavailableError
from preference_center.models import Status, UnsubscribeRequest, Via
from preference_center.services.unsubscribe import add_reason_later, request_unsubscribe
from tests.support import LENA

from .support import unsubscribe_calls

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("checksum_reads")]

FORGED = "forged-but-well-formed"


def one_click(link):
    return request_unsubscribe(link=link, page=None, reason=None, message="", via=Via.ONE_CLICK, language="de")


def reads_down(store):
    store.faults.inject(status=503, times=None, method="GET", path_contains="/contacts/contact")


def deliver_everything_due():
    worker.deliver_due(now=timezone.now() + timedelta(hours=1), limit=None)


def reason_calls(store):
    return [call for call in store.changing_calls() if call.path == "/contacts/contact/unsubscribe/reasons"]


def test_a_forged_one_click_during_an_outage_does_not_swallow_the_genuine_one(maileon_sandbox, link_for):
    reads_down(maileon_sandbox)
    forged = one_click(link_for(LENA, checksum=FORGED))
    assert (forged.repeated, forged.row.verified) == (False, False)  # recorded: Maileon could not say
    maileon_sandbox.faults.clear()

    genuine = one_click(link_for(LENA))

    assert genuine.repeated is False and genuine.row.pk != forged.row.pk
    assert genuine.delivered and genuine.row.verified
    deliver_everything_due()
    forged.row.refresh_from_db()
    assert forged.row.status == Status.FAILED  # never sent: the checksum is not the contact's
    (call,) = unsubscribe_calls(maileon_sandbox)
    assert call.values("id") == [str(LENA)]


def test_forged_and_genuine_both_recorded_during_the_outage_deliver_once(maileon_sandbox, link_for):
    reads_down(maileon_sandbox)
    forged = one_click(link_for(LENA, checksum=FORGED)).row
    genuine = one_click(link_for(LENA)).row
    again = one_click(link_for(LENA))  # the mail client's retry of the genuine one is its repeat
    assert again.repeated and again.row.pk == genuine.pk
    assert UnsubscribeRequest.objects.filter(status=Status.PENDING).count() == 2
    maileon_sandbox.faults.clear()

    deliver_everything_due()

    assert {row.pk: row.status for row in UnsubscribeRequest.objects.all()} == {
        forged.pk: Status.FAILED, genuine.pk: Status.DELIVERED}
    assert len(unsubscribe_calls(maileon_sandbox)) == 1
    maileon_sandbox.process_pending()
    assert maileon_sandbox.contact(LENA).unsubscribed


def test_a_forgery_after_the_genuine_request_is_no_repeat_and_no_harm(maileon_sandbox, link_for):
    reads_down(maileon_sandbox)
    genuine = one_click(link_for(LENA)).row
    forged = one_click(link_for(LENA, checksum=FORGED))
    assert forged.repeated is False and forged.row.pk != genuine.pk
    maileon_sandbox.faults.clear()

    deliver_everything_due()

    genuine.refresh_from_db()
    assert genuine.status == Status.DELIVERED and len(unsubscribe_calls(maileon_sandbox)) == 1


def test_once_verified_any_later_request_of_the_contact_is_a_repeat(maileon_sandbox, link_for):
    genuine = one_click(link_for(LENA))
    assert genuine.delivered
    reads_down(maileon_sandbox)
    later = one_click(link_for(LENA, checksum=FORGED))
    assert later.repeated and later.row.pk == genuine.row.pk
    assert UnsubscribeRequest.objects.count() == 1 and len(unsubscribe_calls(maileon_sandbox)) == 1


# --- a reason given later ("tell us more")


@pytest.fixture
def delivered_unsubscribe(maileon_sandbox, link_for):
    row = one_click(link_for(LENA)).row
    maileon_sandbox.process_pending()
    return row


def test_a_forged_reason_during_a_reasons_outage_does_not_take_the_genuine_ones_place(
    maileon_sandbox, link_for, make_reason, delivered_unsubscribe
):
    maileon_sandbox.faults.inject(status=503, times=None, method="PUT", path_contains="/reasons")
    spam = make_reason(reason_type="other", asks_free_text=True)
    real = make_reason(reason_type="change_of_interest")

    with pytest.raises(InvalidLinkError):
        add_reason_later(link=link_for(LENA, checksum=FORGED), page=None, reason=spam, message="Spam")
    add_reason_later(link=link_for(LENA), page=None, reason=real, message="")
    row = UnsubscribeRequest.objects.get()
    assert (row.reason_type, row.later_reason.status) == ("change_of_interest", Status.PENDING)  # the genuine one waits
    maileon_sandbox.faults.clear()

    deliver_everything_due()

    assert [call.values("reason") for call in reason_calls(maileon_sandbox)][-1] == ["change_of_interest"]
    assert all(call.values("checksum") == [maileon_sandbox.checksum_for(LENA)]
               for call in reason_calls(maileon_sandbox))
    row.later_reason.refresh_from_db()
    assert row.later_reason.status == Status.DELIVERED and row.later_reason.checksum == ""


def test_a_reason_that_cannot_be_proven_is_not_taken_so_a_forgery_holds_no_place(
    maileon_sandbox, link_for, make_reason, delivered_unsubscribe
):
    maileon_sandbox.faults.inject(status=503, times=None)  # Maileon entirely down
    spam = make_reason(reason_type="other", asks_free_text=True)
    real = make_reason(reason_type="no_demand")

    with pytest.raises(UnavailableError):
        add_reason_later(link=link_for(LENA, checksum=FORGED), page=None, reason=spam, message="Spam")
    with pytest.raises(UnavailableError):  # the page says "try again in a minute" and keeps the answer
        add_reason_later(link=link_for(LENA), page=None, reason=real, message="")
    assert UnsubscribeRequest.objects.get().reason_type == ""
    maileon_sandbox.faults.clear()

    add_reason_later(link=link_for(LENA), page=None, reason=real, message="")

    (call,) = reason_calls(maileon_sandbox)
    assert call.values("reason") == ["no_demand"]
