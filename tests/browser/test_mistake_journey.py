""""I unsubscribed by mistake" in the browser without JavaScript, in German and English, on a phone (320 px) and
a desktop (1280 px): unsubscribe, press the one button, read what happened; what Maileon (the sandbox) recorded,
and what our database holds."""

import pytest

from preference_center.models import Status, UnsubscribeRequest

from .conftest import DESKTOP, LENA, PHONE
from .no_script import language, page  # noqa: F401  (fixtures)
from .states import heading, submit, undo_form, unsubscribe_form

pytestmark = pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["320", "1280"])

TEXT = {
    "de": {"done": "Sie sind abgemeldet", "question": "Versehentlich abgemeldet?",
           "inbox": "Bitte sehen Sie in Ihr Postfach", "cancelled": "Ihre Abmeldung ist zurückgenommen"},
    "en": {"done": "You are unsubscribed", "question": "Unsubscribed by mistake?",
           "inbox": "Please check your inbox", "cancelled": "Your unsubscribe is cancelled"},
}


def test_one_button_starts_the_double_opt_in_once_maileon_has_the_unsubscribe(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    submit(unsubscribe_form(page))
    assert heading(page) == TEXT[language]["done"]
    assert page.get_by_role("heading", name=TEXT[language]["question"]).is_visible()
    site.store.process_pending()  # Maileon carries the unsubscribe out, and anonymizes Lena

    submit(undo_form(page))

    assert heading(page) == TEXT[language]["inbox"]
    [mail] = site.store.doi_mails
    assert site.store.contact(mail.contact_id).email == "lena@example.org"  # the address of our own read
    row = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert row.status == Status.DELIVERED and row.mistake_reported_at is not None
    assert "lena" not in page.url  # nor anywhere in the address bar's history of this journey

    page.reload()  # a GET: nothing is sent again
    assert heading(page) == TEXT[language]["inbox"] and len(site.store.doi_mails) == 1


def test_before_maileon_has_it_the_unsubscribe_is_simply_withdrawn(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    site.store.faults.inject(status=503, times=None)  # Maileon down: the unsubscribe waits in our outbox
    submit(unsubscribe_form(page))

    submit(undo_form(page))

    assert heading(page) == TEXT[language]["cancelled"]
    assert UnsubscribeRequest.objects.get(contact_id=LENA).status == Status.WITHDRAWN
    site.store.faults.clear()
    assert not site.store.contact(LENA).unsubscribed and site.store.doi_mails == []
