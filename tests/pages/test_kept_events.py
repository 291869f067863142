"""What was kept is counted: every successful way of staying (down-sell, topics, a pause started or extended, an
unsubscribe withdrawn), of coming back (a double opt-in asked for) and every profile save leaves one anonymous
event with its kind, page, the link's mailing and the day. HTTP in through the recipient pages; the events table
and what the sandbox received out.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from preference_center.models import KeptEvent, KeptKind, Status, UnsubscribeRequest

from tests.conftest import demo_default_page
from tests.support import ERIKA, LENA, SENT_MAILING, form_data, read_forms
from .locks import short_lock_timeout, table_held  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def events() -> list[tuple[str, int | None, str | None]]:
    return sorted((event.kind, event.mailing_id, event.page.slug if event.page else None)
                  for event in KeptEvent.objects.select_related("page"))


def _unsubscribe_page(client, link, contact=ERIKA):
    return client.get(f"/unsubscribe/?{link(contact, lang='en', mailingid=SENT_MAILING)}")


def _press(client, page, action_prefix: str, **changes):
    action, data = form_data(page, action_prefix)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return client.post(action, data)


def test_a_down_sell_taken_is_counted_once_for_its_mailing_and_page(client, default_page, maileon_sandbox, link):
    page = _unsubscribe_page(client, link)
    done = _press(client, page, "/unsubscribe/downsell/")
    assert done.status_code == 200
    [event] = KeptEvent.objects.all()
    assert (event.kind, event.mailing_id, event.page, event.day) == (
        KeptKind.DOWNSELL, SENT_MAILING, default_page, timezone.localdate())

    client.get(done.redirect_chain[-1][0])  # a reload of the confirmation
    _press(client, page, "/unsubscribe/downsell/")  # the button pressed again on the old page: nothing to switch
    assert events() == [("downsell", SENT_MAILING, "default")]


def test_topics_saved_instead_of_leaving_count_one_contact_once_a_day(client, default_page, maileon_sandbox, link):
    themen = f"pref_{default_page.preference_groups.get(category='Themen').pk}"
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/topics/", **{themen: ["Rezepte"]})
    # Changed again a minute later (Maileon gets it): the same decision to stay, counted once.
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/topics/", **{themen: []})
    assert len(maileon_sandbox.changing_calls()) == 2
    assert events() == [("topics", SENT_MAILING, "default")]

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        _press(client, _unsubscribe_page(client, link), "/unsubscribe/topics/", **{themen: ["Technik"]})
        today = timezone.localdate()
    assert events() == [("topics", SENT_MAILING, "default")] * 2
    assert sorted(KeptEvent.objects.values_list("day", flat=True))[-1] == today


def test_topics_saved_without_a_change_count_nothing(client, default_page, maileon_sandbox, link):
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/topics/")
    assert maileon_sandbox.changing_calls() == [] and events() == []


def test_a_pause_counts_as_started_then_as_extended_and_its_end_not_at_all(client, default_page, maileon_sandbox,
                                                                           link):
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/pause/", pause="1")
    assert events() == [("pause_started", SENT_MAILING, "default")]
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/pause/", pause="3")
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/pause/", pause="end")
    assert maileon_sandbox.contact(ERIKA).custom_fields.get("PAUSE_UNTIL") is None  # all three reached Maileon
    assert events() == [("pause_extended", SENT_MAILING, "default"), ("pause_started", SENT_MAILING, "default")]


def test_a_profile_save_is_counted_and_a_save_without_changes_is_not(client, default_page, maileon_sandbox, link):
    profile = client.get(f"/profile/?{link(ERIKA, lang='en')}")  # a link without a mailing id
    _press(client, profile, "/profile/")
    assert events() == []
    _press(client, profile, "/profile/", FIRSTNAME="Erika Maria")
    assert events() == [("profile_saved", None, "default")]


def test_a_page_of_its_own_counts_for_that_page(client, make_page, maileon_sandbox, link):
    make_page(slug="herbst", pause_field="PAUSE_UNTIL")
    page = client.get(f"/p/herbst/unsubscribe/?{link(ERIKA, lang='en', mailingid=SENT_MAILING)}")
    _press(client, page, "/p/herbst/unsubscribe/pause/", pause="1")
    assert events() == [("pause_started", SENT_MAILING, "herbst")]


def test_what_maileon_did_not_take_is_not_counted(client, default_page, maileon_sandbox, link):
    page = _unsubscribe_page(client, link)
    maileon_sandbox.faults.inject(status=503, times=None)
    refused = _press(client, page, "/unsubscribe/pause/", pause="1")
    assert refused.status_code == 503
    assert events() == []


def _unsubscribe(client, link, *, maileon_down=None):
    action, data = form_data(_unsubscribe_page(client, link, LENA), "/unsubscribe/?")
    if maileon_down is not None:
        maileon_down.faults.inject(status=503, times=None)
    return client.post(action, data)


def _undo(client, done):
    [action] = [action for action in read_forms(done) if action.startswith("/unsubscribe/undo/?")]
    return client.post(action, {})


def test_an_unsubscribe_withdrawn_as_a_mistake_is_counted_as_kept(client, default_page, maileon_sandbox, link):
    done = _unsubscribe(client, link, maileon_down=maileon_sandbox)
    maileon_sandbox.faults.clear()
    undone = _undo(client, done)
    assert "Your unsubscribe is cancelled" in undone.content.decode()
    assert UnsubscribeRequest.objects.get().status == Status.WITHDRAWN
    _undo(client, done)  # pressed again: it was withdrawn a moment ago, nothing new
    assert events() == [("withdrawn", SENT_MAILING, "default")]


@pytest.mark.django_db(transaction=True)  # the inline delivery runs after the commit (on_commit), as in production
def test_asking_to_come_back_after_a_mistaken_unsubscribe_is_counted(client, default_page, maileon_sandbox, link):
    done = _unsubscribe(client, link)
    maileon_sandbox.process_pending()  # Maileon carries out the unsubscribe it accepted
    assert "Please check your inbox" in _undo(client, done).content.decode()
    assert len(maileon_sandbox.doi_mails) == 1
    assert events() == [("mistake_doi", SENT_MAILING, "default")]


def test_the_way_back_from_an_old_link_is_counted(client, default_page, maileon_sandbox, link):
    maileon_sandbox.contact(LENA).anonymize()
    page = client.get(f"/profile/?{link(LENA, lang='en', mailingid=SENT_MAILING)}")
    sent = _press(client, page, "/resubscribe/?", email="lena.neu@example.org")
    assert "Please check your inbox" in sent.content.decode()
    assert events() == [("way_back", SENT_MAILING, "default")]


def test_the_events_hold_nothing_that_names_a_person(client, default_page, maileon_sandbox, link):
    themen = f"pref_{default_page.preference_groups.get(category='Themen').pk}"
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/topics/", **{themen: ["Rezepte"]})
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/pause/", pause="1")
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/downsell/")
    rows = list(KeptEvent.objects.values())
    assert len(rows) == 3
    # The row's own id aside (a sequence: on PostgreSQL it may well contain a contact id's digits).
    stored = " ".join(str(value) for row in rows for key, value in row.items() if key != "id")
    erika = maileon_sandbox.contact(ERIKA)
    for personal in (str(ERIKA), erika.email, maileon_sandbox.checksum_for(ERIKA)):
        assert personal not in stored
    assert {key for row in rows for key in row} == {"id", "kind", "page_id", "mailing_id", "day"}  # the day, no time


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lock_timeout")  # PostgreSQL: the insert gives up instead of waiting for the lock
def test_a_count_the_database_does_not_take_costs_the_recipient_nothing(client, maileon_sandbox, link):
    demo_default_page()  # a transactional test starts from an empty database
    page = _unsubscribe_page(client, link)
    with table_held(KeptEvent):
        paused = _press(client, page, "/unsubscribe/pause/", pause="1")
    assert paused.status_code == 200 and "Paused until" in paused.content.decode()
    assert maileon_sandbox.contact(ERIKA).custom_fields["PAUSE_UNTIL"]
    assert not KeptEvent.objects.exists()
    # Not remembered as counted either: the next pause (an extension) is counted.
    _press(client, _unsubscribe_page(client, link), "/unsubscribe/pause/", pause="1")
    assert events() == [("pause_extended", SENT_MAILING, "default")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("short_lock_timeout")
def test_a_lost_count_is_logged_without_the_address(client, maileon_sandbox, link, caplog):
    """PostgreSQL holds the events' table alone (SQLite holds the whole database, the cache's table too: Django's
    database cache then answers "not added", and the count is lost without a word)."""
    demo_default_page()
    page = _unsubscribe_page(client, link)
    with caplog.at_level(logging.WARNING), table_held(KeptEvent):
        _press(client, page, "/unsubscribe/pause/", pause="1")
    assert f"pause_started of contact {ERIKA} not counted" in caplog.text
    assert maileon_sandbox.contact(ERIKA).email not in caplog.text
