""""I unsubscribed by mistake": one button on the unsubscribe confirmation, for 30 minutes, without typing
anything. HTTP in through Django's test client, what the sandbox received and what the database holds out.

An unsubscribe that has not reached Maileon is withdrawn (Maileon hears nothing); one that has starts Maileon's
double opt-in: created again by email (the contact is anonymized) or updated by id where Maileon kept it.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from preference_center.delivery import worker
from preference_center.maileon import Permission
from preference_center.models import Status, UnsubscribeRequest
from tests.support import ERIKA, LENA, form_data, read_forms

# transaction=True: the inline delivery runs after the commit (on_commit), as in production.
pytestmark = pytest.mark.django_db(transaction=True)

LENA_EMAIL = "lena@example.org"


def unsubscribe(client, link, contact=LENA, language="en", *, maileon_down=None):
    """Unsubscribe on the page as a browser would; the confirmation page it lands on. `maileon_down`: the
    sandbox, to answer 503 to everything from the moment the form is sent."""
    action, data = form_data(client.get(f"/unsubscribe/?{link(contact, lang=language)}"), "/unsubscribe/?")
    if maileon_down is not None:
        maileon_down.faults.inject(status=503, times=None)
    done = client.post(action, data)
    assert done.status_code == 200
    return done


def undo_form(done) -> tuple[str, dict]:
    [action] = [action for action in read_forms(done) if action.startswith("/unsubscribe/undo/?")]
    return action, {}


def test_after_maileon_has_it_the_button_starts_a_double_opt_in_to_the_address_of_our_read(
    client, default_page, maileon_sandbox, link
):
    assert maileon_sandbox.contact(LENA).email == LENA_EMAIL
    done = unsubscribe(client, link)
    maileon_sandbox.process_pending()  # Maileon carries out the unsubscribe it accepted (seconds later)
    assert maileon_sandbox.contact(LENA).unsubscribed  # and has anonymized Lena
    html = done.content.decode()
    assert "Unsubscribed by mistake?" in html and "for 30 minutes after unsubscribing" in html
    action, data = undo_form(done)
    maileon_sandbox.calls.clear()

    undone = client.post(action, data)

    assert undone.status_code == 200 and "Please check your inbox" in undone.content.decode()
    read, create = maileon_sandbox.calls
    assert (read.method, read.path) == ("GET", "/contacts/contact")  # the link proven first
    assert (create.method, create.path) == ("POST", f"/contacts/email/{LENA_EMAIL}")
    assert dict(create.query) == {"permission": "1", "doi": "true", "doimailing": "doi-standard",
                                  "src": "preference-center"}
    [mail] = maileon_sandbox.doi_mails
    assert maileon_sandbox.contact(mail.contact_id).email == LENA_EMAIL
    row = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert row.status == Status.DELIVERED and row.mistake_reported_at is not None  # the audit record says so

    again = client.post(action, data)  # a second press, or a reload of the POST
    assert "We sent you a confirmation email a few minutes ago" in again.content.decode()
    assert len(maileon_sandbox.doi_mails) == 1


def test_the_address_travels_encrypted_and_is_stored_nowhere(client, default_page, maileon_sandbox, link, caplog):
    done = unsubscribe(client, link)
    action, data = undo_form(done)
    undone = client.post(action, data)
    urls = [url for url, _status in done.redirect_chain + undone.redirect_chain] + [action]
    for url in urls:
        assert "lena@" not in url.lower() and "lena%40" not in url.lower()
        for values in parse_qs(urlsplit(url).query).values():
            for value in values:  # a signed (not encrypted) token would show the address once decoded
                assert b"lena@" not in _decoded(value)
    assert LENA_EMAIL not in done.content.decode() + undone.content.decode()
    assert LENA_EMAIL not in caplog.text
    assert LENA_EMAIL not in repr(UnsubscribeRequest.objects.get(contact_id=LENA).__dict__)


def _decoded(value: str) -> bytes:
    """Whatever base64 in `value` says (Django's signed tokens are base64 with ':'-separated parts)."""
    decoded = b""
    for part in value.split(":"):
        try:
            decoded += base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            pass
    return decoded.lower()


def test_before_maileon_has_it_the_unsubscribe_is_withdrawn_and_never_sent(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link, language="de", maileon_down=maileon_sandbox)  # recorded, unverified
    assert "Versehentlich abgemeldet?" in done.content.decode()
    action, data = undo_form(done)
    calls_before = len(maileon_sandbox.calls)

    undone = client.post(action, data)

    assert "Ihre Abmeldung ist zurückgenommen" in undone.content.decode()
    assert len(maileon_sandbox.calls) == calls_before  # Maileon is not asked anything
    row = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert row.status == Status.WITHDRAWN and row.checksum == ""
    maileon_sandbox.faults.clear()
    worker.deliver_due(limit=None)
    assert not maileon_sandbox.contact(LENA).unsubscribed
    assert maileon_sandbox.changing_calls() == []


def test_while_the_worker_is_sending_it_the_recipient_is_asked_to_press_again_shortly(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link, maileon_down=maileon_sandbox)
    action, data = undo_form(done)
    UnsubscribeRequest.objects.filter(contact_id=LENA).update(  # a worker holds its lease right now
        leased_until=timezone.now() + timedelta(seconds=60))

    busy = client.post(action, data)

    assert busy.status_code == 409
    html = busy.content.decode()
    assert "Please press the button again in a minute." in html and "/unsubscribe/undo/?" in html
    assert UnsubscribeRequest.objects.get(contact_id=LENA).status == Status.PENDING


def test_where_maileon_kept_the_contact_it_is_updated_by_id_with_a_double_opt_in(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link)
    maileon_sandbox.process_pending()
    lena = maileon_sandbox.contact(LENA)  # a Maileon that unsubscribes without anonymizing
    lena.unsubscribed, lena.email, lena.permission = False, LENA_EMAIL, Permission.NONE
    action, data = undo_form(done)
    maileon_sandbox.calls.clear()

    assert "Please check your inbox" in client.post(action, data).content.decode()

    [put] = maileon_sandbox.changing_calls()
    assert (put.method, put.path) == ("PUT", "/contacts/contact")
    assert put.values("permission") == ["4"] and put.values("triggerdoi") == ["true"]
    assert put.values("doimailing") == ["doi-standard"] and put.values("ignore_checksum") == []
    assert put.values("checksum") and put.values("id") == [str(LENA)]

    # Lena confirms, and leaves again the same day: that is a new unsubscribe, not a repeat of the first.
    lena.permission = Permission.DOUBLE_OPT_IN
    maileon_sandbox.calls.clear()
    unsubscribe(client, link)
    assert [call.method for call in maileon_sandbox.changing_calls()] == ["DELETE"]


def test_unverified_at_the_time_and_anonymized_since_the_way_back_form_asks_for_the_address(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link, maileon_down=maileon_sandbox)  # no read succeeded: the token has no address
    maileon_sandbox.faults.clear()
    worker.deliver_due(limit=None)
    maileon_sandbox.process_pending()
    assert maileon_sandbox.contact(LENA).unsubscribed
    action, data = undo_form(done)

    shown = client.post(action, data)

    assert shown.redirect_chain[-1][0].startswith("/unsubscribe/?")
    assert "Would you like to hear from us again?" in shown.content.decode()  # the way back's address field
    assert maileon_sandbox.doi_mails == []


def test_after_thirty_minutes_the_button_is_gone_and_an_old_form_says_why(
    client, default_page, maileon_sandbox, link
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        done = unsubscribe(client, link)
        action, data = undo_form(done)
        clock.shift(timedelta(minutes=31))
        again = client.get(done.redirect_chain[-1][0])
        assert again.status_code == 200 and "/unsubscribe/undo/" not in again.content.decode()
        late = client.post(action, data)
    assert "This button has expired" in late.content.decode()
    assert maileon_sandbox.doi_mails == []


def test_the_button_belongs_to_its_contact_and_cannot_be_forged(client, default_page, maileon_sandbox, link):
    done = unsubscribe(client, link)
    action, _data = undo_form(done)
    undo = parse_qs(urlsplit(action).query)["undo"][0]
    other = client.post(f"/unsubscribe/undo/?{link(ERIKA, lang='en')}&undo={undo}")
    forged = client.post(f"/unsubscribe/undo/?{link(LENA, lang='en')}&undo={undo[:-4]}AAAA")
    for answer in (other, forged):
        assert "This button has expired" in answer.content.decode()
    assert maileon_sandbox.doi_mails == []
    assert not maileon_sandbox.contact(ERIKA).unsubscribed


def test_while_maileon_carries_the_unsubscribe_out_the_recipient_is_asked_to_press_again_shortly(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link)  # accepted by Maileon, not yet carried out (it still reports permission)
    action, data = undo_form(done)
    busy = client.post(action, data)
    assert busy.status_code == 409 and "Please press the button again in a minute." in busy.content.decode()
    assert maileon_sandbox.doi_mails == [] and maileon_sandbox.changing_calls()[-1].method == "DELETE"

    maileon_sandbox.process_pending()
    assert "Please check your inbox" in client.post(action, data).content.decode()
    assert len(maileon_sandbox.doi_mails) == 1


def test_get_and_head_change_nothing(client, default_page, maileon_sandbox, link):
    done = unsubscribe(client, link)
    maileon_sandbox.process_pending()
    action, _data = undo_form(done)
    for method in ("get", "head"):
        assert getattr(Client(), method)(action).status_code == 405
    assert maileon_sandbox.doi_mails == []


def test_the_switcher_keeps_the_button_and_a_reload_of_the_result_sends_nothing(
    client, default_page, maileon_sandbox, link
):
    done = unsubscribe(client, link)
    maileon_sandbox.process_pending()
    html = done.content.decode()
    german = next(part for part in html.split('<a href="')[1:] if 'hreflang="de"' in part).split('"', 1)[0]
    assert "Versehentlich abgemeldet?" in client.get(german.replace("&amp;", "&")).content.decode()
    action, data = undo_form(done)
    undone = client.post(action, data)
    calls = len(maileon_sandbox.calls)
    reloaded = client.get(undone.redirect_chain[-1][0])
    assert reloaded.status_code == 200 and "Please check your inbox" in reloaded.content.decode()
    assert len(maileon_sandbox.calls) == calls and len(maileon_sandbox.doi_mails) == 1


def test_a_reason_given_after_keeps_the_button(client, default_page, maileon_sandbox, link):
    done = unsubscribe(client, link)
    [action] = [a for a in read_forms(done) if a.startswith("/unsubscribe/reason/?")]
    assert "undo=" in action
    _action, data = form_data(done, "/unsubscribe/reason/?")
    data["reason"] = [data_choice for data_choice in _reason_values(done)][:1]
    after = client.post(action, data)
    assert "Thank you for your answer" in after.content.decode()
    assert "/unsubscribe/undo/?" in after.content.decode()


def _reason_values(response) -> list[str]:
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('<option value="')[1:] if not part.startswith('"')]
