""""Pause instead of leaving": where the page names a date field the account has (the demo account: PAUSE_UNTIL),
the unsubscribe page offers 1 or 3 months; the pause is that date in Maileon, written by contact id + checksum
after a read that proves the link. Today is fixed at 6 December 2026 (the server's date, UTC)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from preference_center.maileon import ContactChanges
from preference_center.models import UnsubscribeRequest
from preference_center.services import page_fit

from tests.support import ERIKA, JOHN, ZOE, form_data

pytestmark = pytest.mark.django_db

PAUSE = "/unsubscribe/pause/"
TODAY = datetime.datetime(2026, 12, 6, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=True):
        yield


def _press(client, page_response, value: str, **post):
    """Press the pause form's button with this value, as a browser would."""
    action, _data = form_data(page_response, PAUSE)
    return client.post(action, {"pause": value}, **post)


@pytest.mark.parametrize("lang, offers", [
    ("de", ["1 Monat pausieren (bis zum 6. Januar 2027)", "3 Monate pausieren (bis zum 6. März 2027)"]),
    ("en", ["Pause for 1 month (until 6 January 2027)", "Pause for 3 months (until 6 March 2027)"]),
])
def test_the_page_offers_a_pause_of_one_or_three_months(client, default_page, maileon_sandbox, link, lang, offers):
    html = client.get(f"/unsubscribe/?{link(ERIKA, lang=lang)}").content.decode()
    for offer in offers:
        assert f">{offer}</button>" in html
    assert html.index(offers[0]) < html.index('id="unsubscribe-all"')  # before the unsubscribe itself
    assert maileon_sandbox.changing_calls() == []


def test_pausing_writes_the_date_and_confirms_it(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    maileon_sandbox.calls.clear()
    done = _press(client, page, "3")

    html = done.content.decode()
    assert done.redirect_chain[0][0].startswith("/unsubscribe/pause/done/?")
    assert "<h1>Paused until 6 March 2027</h1>" in html
    assert "After that you will hear from us again." in html
    assert '#unsubscribe-all">Unsubscribe after all</a>' in html
    [read, put] = maileon_sandbox.calls
    assert (read.method, read.path, read.values("custom_field")) == ("GET", "/contacts/contact", ["PAUSE_UNTIL"])
    assert (put.method, put.path) == ("PUT", "/contacts/contact")
    assert put.values("id") == [str(ERIKA)] and put.values("checksum") == [maileon_sandbox.checksum_for(ERIKA)]
    assert put.values("page_key") == ["profil"] and put.values("ignore_checksum") == []
    [update] = maileon_sandbox.updates
    assert update.changes == ContactChanges(custom_fields={"PAUSE_UNTIL": "2027-03-06"})
    contact = maileon_sandbox.contact(ERIKA)
    assert contact.custom_fields["PAUSE_UNTIL"] == "2027-03-06" and not contact.unsubscribed
    assert not UnsubscribeRequest.objects.exists()


def test_the_confirmation_speaks_german_too_and_sends_nothing_on_reload(default_page, maileon_sandbox, link):
    client = Client()
    answer = _press(client, client.get(f"/unsubscribe/?{link(ERIKA, lang='de')}"), "1", follow=False)
    assert answer.status_code == 303
    writes = len(maileon_sandbox.changing_calls())
    for _reload in range(2):
        html = client.get(answer["Location"]).content.decode()
        assert "<h1>Pausiert bis zum 6. Januar 2027</h1>" in html and "Danach hören Sie wieder von uns." in html
    english = client.get(answer["Location"].replace("lang=de", "lang=en")).content.decode()
    assert "Paused until 6 January 2027" in english
    assert len(maileon_sandbox.changing_calls()) == writes


def test_a_paused_contact_sees_until_when_and_can_extend_from_that_day(client, default_page, maileon_sandbox,
                                                                        link):
    maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] = "2027-01-31"
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    html = page.content.decode()
    assert "Your newsletters are paused" in html and "no newsletters from us until 31 January 2027" in html
    # Counted from the current end, and a calendar month: 31 January + 1 month is the last day of February.
    assert ">Extend by 1 month (until 28 February 2027)</button>" in html
    assert ">Extend by 3 months (until 30 April 2027)</button>" in html

    done = _press(client, page, "1")
    assert "Paused until 28 February 2027" in done.content.decode()
    assert maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] == "2027-02-28"


def test_ending_the_pause_clears_the_field(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] = "2027-01-31"
    done = _press(client, client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}"), "end")
    html = done.content.decode()
    assert "<h1>Your pause has ended</h1>" in html and "Unsubscribe after all" in html
    [update] = maileon_sandbox.updates
    assert update.changes == ContactChanges(custom_fields={"PAUSE_UNTIL": None})  # sent as nil
    assert "PAUSE_UNTIL" not in maileon_sandbox.contact(ERIKA).custom_fields


def test_a_pause_that_ended_yesterday_is_no_pause(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] = "2026-12-05"
    html = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}").content.decode()
    assert "Take a break instead?" in html and "Pause for 1 month (until 6 January 2027)" in html
    assert "End the pause now" not in html
    # "End" from a stale page: nothing to end, nothing written.
    assert "Your pause has ended" in client.post(f"{PAUSE}?{link(ERIKA, lang='en')}",
                                                 {"pause": "end"}).content.decode()
    assert maileon_sandbox.changing_calls() == []


def test_the_last_day_of_a_pause_is_still_paused(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] = "2026-12-06"  # today
    html = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}").content.decode()
    assert "until 6 December 2026" in html and ">End the pause now</button>" in html


def test_a_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month(client, default_page, maileon_sandbox,
                                                                        link):
    with time_machine.travel(datetime.datetime(2027, 1, 31, 23, 30, tzinfo=datetime.UTC), tick=False):
        done = _press(client, client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}"), "1")
    assert "Paused until 28 February 2027" in done.content.decode()
    assert maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] == "2027-02-28"


@pytest.mark.usefixtures("checksum_reads")
def test_a_forged_checksum_writes_no_pause(client, default_page, maileon_sandbox, link):
    response = client.post(f"{PAUSE}?{link(ERIKA, checksum='forged-checksum', lang='en')}", {"pause": "3"})
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert maileon_sandbox.changing_calls() == []
    assert "PAUSE_UNTIL" not in maileon_sandbox.contact(ERIKA).custom_fields


def test_get_of_the_pause_address_changes_nothing(client, default_page, maileon_sandbox, link):
    assert client.get(f"{PAUSE}?{link(ERIKA)}&pause=3").status_code == 405
    assert client.head(f"{PAUSE}?{link(ERIKA)}&pause=3").status_code == 405
    assert maileon_sandbox.changing_calls() == []


@pytest.mark.parametrize("posted", [{}, {"pause": "12"}, {"pause": ""}])
def test_no_valid_choice_writes_nothing(client, default_page, maileon_sandbox, link, posted):
    response = client.post(f"{PAUSE}?{link(ERIKA, lang='en')}", posted)
    assert response.status_code == 200 and "Take a break instead?" in response.content.decode()
    assert maileon_sandbox.changing_calls() == []


def test_maileon_not_taking_the_pause_keeps_the_choice_for_a_retry(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    maileon_sandbox.faults.inject(status=503, times=None, method="PUT")
    refused = _press(client, page, "3")

    html = refused.content.decode()
    assert refused.status_code == 503 and "Your pause could not be saved" in html
    assert "Nothing has been changed." in html
    notice = html[html.index('role="alert"'):html.index("</div>", html.index('role="alert"'))]
    action = form_data(refused, PAUSE)[0]
    assert f'action="{action.replace("&", "&amp;")}"' in notice  # "Try again" posts the same choice
    assert '<input type="hidden" name="pause" value="3">' in notice
    assert "PAUSE_UNTIL" not in maileon_sandbox.contact(ERIKA).custom_fields

    maileon_sandbox.faults.clear()
    assert "Paused until 6 March 2027" in client.post(action, {"pause": "3"}).content.decode()
    assert maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"] == "2027-03-06"


def test_maileon_down_altogether_keeps_the_choice_for_the_retry(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='de')}")
    maileon_sandbox.faults.inject(status=503, times=None)
    refused = _press(client, page, "1")
    assert refused.status_code == 503
    assert "Unser Newsletter-System ist gerade nicht erreichbar" in refused.content.decode()
    action, resubmission = form_data(refused, PAUSE)
    assert resubmission == {"pause": ["1"]}
    maileon_sandbox.faults.clear()
    assert "Pausiert bis zum 6. Januar 2027" in client.post(action, resubmission).content.decode()


def test_an_account_without_the_field_is_offered_no_pause(client, make_page, maileon_sandbox, link):
    # A page of its own: the missing names are logged once per page and process (test_other_accounts counts them).
    page = make_page(slug="andere", pause_field="PAUSE_UNTIL")
    maileon_sandbox.become_another_account()
    html = client.get(f"/p/andere/unsubscribe/?{link(ERIKA, lang='en')}").content.decode()
    assert "/unsubscribe/pause/" not in html and "Take a break" not in html
    reads = [call for call in maileon_sandbox.calls if call.path == "/contacts/contact"]
    assert all("PAUSE_UNTIL" not in call.values("custom_field") for call in reads)  # never asked for
    posted = client.post(f"/p/andere/unsubscribe/pause/?{link(ERIKA, lang='en')}", {"pause": "3"})  # a stale page
    assert posted.status_code == 200 and maileon_sandbox.changing_calls() == []
    assert "pause date field (a custom field of type date) PAUSE_UNTIL" in [
        str(item) for item in page_fit.fit(page).missing]


def test_a_field_of_another_type_is_no_pause_field(client, make_page, maileon_sandbox, link):
    page = make_page(slug="aktion", pause_field="Lieblingsfarbe", groups=[{"category": "Themen"}])
    html = client.get(f"/p/aktion/unsubscribe/?{link(ERIKA, lang='en')}").content.decode()
    assert "Take a break" not in html and "Only stop what you" in html
    assert "pause date field (a custom field of type date) Lieblingsfarbe" in [
        str(item) for item in page_fit.fit(page).missing]


def test_a_page_without_a_pause_field_has_no_pause_address(client, make_page, maileon_sandbox, link):
    make_page(slug="aktion", groups=[{"category": "Themen"}])
    assert "Take a break" not in client.get(f"/p/aktion/unsubscribe/?{link(ERIKA)}").content.decode()
    assert client.post(f"/p/aktion/unsubscribe/pause/?{link(ERIKA)}", {"pause": "3"}).status_code == 404
    assert maileon_sandbox.changing_calls() == []


def test_no_pause_for_a_contact_without_newsletter_permission(client, default_page, maileon_sandbox, link):
    assert "Take a break" not in client.get(f"/unsubscribe/?{link(ZOE, lang='en')}").content.decode()
    assert client.post(f"{PAUSE}?{link(ZOE, lang='en')}", {"pause": "3"}).status_code == 200
    assert maileon_sandbox.changing_calls() == []


def test_a_page_with_a_pause_but_without_topics(client, make_page, maileon_sandbox, link):
    make_page(slug="pause", pause_field="PAUSE_UNTIL")
    html = client.get(f"/p/pause/unsubscribe/?{link(JOHN, lang='en')}").content.decode()
    assert "You can also take a break instead." in html and "Only stop what you" not in html
    assert html.index("Pause for 1 month") < html.index('id="unsubscribe-all"')
    page = client.get(f"/p/pause/unsubscribe/?{link(JOHN, lang='en')}")
    action, _data = form_data(page, "/p/pause/unsubscribe/pause/")
    assert "Paused until 6 January 2027" in client.post(action, {"pause": "1"}).content.decode()
    assert maileon_sandbox.contact(JOHN).custom_fields["PAUSE_UNTIL"] == "2027-01-06"
