"""A broken link is not a dead end: its page offers "send me a new link", and Maileon mails a fresh personal link
(POST /transactions with the page's transaction type) to the address typed, if it is a contact's.

HTTP in, what the sandbox recorded out. Whoever asks learns nothing about whether an address is on the list:
the same status, URL and page for every address, and Maileon asked the same way; nothing of the address is kept.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection

from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE
from preference_center.pages import throttle
from preference_center.services import definitions, new_link

from tests.support import ERIKA, JOHN, form_data

pytestmark = pytest.mark.django_db

ERIKAS_ADDRESS = "erika.beispiel@example.org"
STRANGER = "nicht.im.verteiler@example.org"
BROKEN = {"de": "Dieser Link funktioniert nicht", "en": "This link does not work"}
SENT = {"de": "Wenn diese Adresse in unserem Verteiler ist, ist ein neuer Link unterwegs.",
        "en": "If this address is on our list, a new link is on its way."}
NEWSLETTER_HINT = {"de": "Bitte öffnen Sie den Link aus unserer letzten E-Mail erneut.",
                   "en": "Please open the link from our most recent email again."}


def transaction_calls(store):
    return [call for call in store.calls if call.path == "/transactions"]


def ask(client, address, *, lang="de", page="", **headers):
    return client.post(f"{page}/link/new/?lang={lang}", {"email": address}, follow=False, **headers)


# --- the broken link's page


def broken_links(link, store):
    checksum = store.checksum_for(ERIKA)
    return {
        "cut short": f"/profile/?{link(ERIKA, checksum=checksum[:-4])}",
        "placeholder": "/profile/?contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]&mailingid=[MAILING|ID]",
        "unknown contact": f"/unsubscribe/?{link(424242)}",
        "missing checksum": f"/profile/?contactid={ERIKA}",
        "nothing at all": "/unsubscribe/",
    }


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("which", ["cut short", "placeholder", "unknown contact", "missing checksum",
                                   "nothing at all"])
def test_every_broken_link_offers_a_new_one(client, default_page, maileon_sandbox, link, which, lang):
    url = broken_links(link, maileon_sandbox)[which]
    response = client.get(f"{url}&lang={lang}" if "?" in url else f"{url}?lang={lang}")
    html = response.content.decode()
    assert response.status_code in (400, 404)
    assert f"<h1>{BROKEN[lang]}</h1>" in html and f'<html lang="{lang}">' in html
    action, data = form_data(response, "/link/new/")
    assert action == f"/link/new/?lang={lang}"  # the broken link's checksum travels no further
    assert list(data) == ["email"] and 'autocomplete="email"' in html
    assert transaction_calls(maileon_sandbox) == []


def test_without_a_transaction_type_the_page_says_to_use_the_newsletter(client, default_page, maileon_sandbox, link):
    default_page.new_link_transaction_type = None
    default_page.save()
    html = client.get(f"/profile/?{link(ERIKA, checksum='kaputt', lang='en')}").content.decode()
    assert NEWSLETTER_HINT["en"] in html and "/link/new/" not in html
    assert client.get("/link/new/?lang=en").status_code == 404
    assert ask(client, ERIKAS_ADDRESS, lang="en").status_code == 404
    assert transaction_calls(maileon_sandbox) == []


# --- asking for a new link


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_known_address_gets_its_personal_link_by_mail(client, default_page, maileon_sandbox, lang):
    response = client.post(f"/link/new/?lang={lang}", {"email": ERIKAS_ADDRESS})

    assert response.redirect_chain == [(f"/link/new/sent/?lang={lang}", 303)]
    assert response.status_code == 200 and SENT[lang] in response.content.decode()
    [call] = transaction_calls(maileon_sandbox)
    assert (call.method, call.query) == ("POST", (("ignore_invalid_transactions", "true"),))
    [mail] = maileon_sandbox.transaction_mails
    assert (mail.type_id, mail.contact_id) == (NEW_LINK_TRANSACTION_TYPE, ERIKA)
    assert mail.link == f"/profile/?contactid={ERIKA}&checksum={maileon_sandbox.checksum_for(ERIKA)}"
    assert client.get(mail.link).status_code == 200  # and the link works


def test_known_and_unknown_addresses_get_the_same_answer(client, default_page, maileon_sandbox, monkeypatch):
    bodies = []
    monkeypatch.setattr("preference_center.maileon.json_codec.encode_transactions",
                        _recording(bodies, "preference_center.maileon.json_codec.encode_transactions"))
    known = client.post("/link/new/?lang=de", {"email": ERIKAS_ADDRESS})
    unknown = client.post("/link/new/?lang=de", {"email": STRANGER})

    assert known.redirect_chain == unknown.redirect_chain
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert dict(known.headers) == dict(unknown.headers)
    # Maileon was asked the same way: one POST each, the same query, bodies that differ in the address only.
    first, second = transaction_calls(maileon_sandbox)
    assert first == second
    assert [json.loads(body) for body in bodies] == [
        [{"type": NEW_LINK_TRANSACTION_TYPE, "contact": {"email": address}, "content": {}}]
        for address in (ERIKAS_ADDRESS, STRANGER)]
    assert [mail.contact_id for mail in maileon_sandbox.transaction_mails] == [ERIKA]  # only the known one


def _recording(bodies, target):
    import importlib

    module_name, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module_name), name)

    def record(transactions):
        body = original(transactions)
        bodies.append(body)
        return body

    return record


def test_a_contact_who_left_gets_nothing_and_the_same_answer(client, default_page, maileon_sandbox):
    lena = maileon_sandbox.contact(1004)
    address = lena.email
    lena.anonymize()
    response = client.post("/link/new/?lang=en", {"email": address})
    assert SENT["en"] in response.content.decode()
    assert maileon_sandbox.transaction_mails == []


def test_the_page_the_broken_link_named_decides_the_type(client, make_page, default_page, maileon_sandbox, link):
    make_page(slug="herbst", new_link_transaction_type=7002)
    broken = client.get(f"/p/herbst/unsubscribe/?{link(JOHN, checksum='kaputt', lang='en')}")
    action, _data = form_data(broken, "/p/herbst/link/new/")
    assert action == "/p/herbst/link/new/?lang=en"

    response = client.post(action, {"email": "john.example+news@example.com"})

    assert response.redirect_chain == [("/p/herbst/link/new/sent/?lang=en", 303)]
    assert [(m.type_id, m.contact_id) for m in maileon_sandbox.transaction_mails] == [(7002, JOHN)]


def test_an_unknown_page_is_not_found(client, default_page, maileon_sandbox):
    assert ask(client, ERIKAS_ADDRESS, page="/p/gibt-es-nicht").status_code == 404
    assert transaction_calls(maileon_sandbox) == []


@pytest.mark.parametrize(("typed", "lang", "message"), [
    ("erika.beispiel@", "de", "Bitte geben Sie eine vollständige E-Mail-Adresse ein, z. B. name@example.com."),
    ("", "en", "Please enter your email address, e.g. name@example.com."),
    ("erika beispiel@example.org", "en", "Please enter a complete email address, e.g. name@example.com."),
])
def test_an_invalid_address_shows_the_form_again_with_what_was_typed(client, default_page, maileon_sandbox,
                                                                     typed, lang, message):
    response = ask(client, typed, lang=lang)
    html = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{lang}">' in html
    assert message in html and 'aria-invalid="true"' in html and 'class="pc-error-summary"' in html
    assert f'value="{typed}"' in html if typed else 'value=' not in html.split('name="email"')[1].split(">")[0]
    assert transaction_calls(maileon_sandbox) == []


# --- limits


def test_beyond_the_per_email_limit_the_answer_is_the_same_and_nothing_is_sent(client, default_page,
                                                                               maileon_sandbox):
    spellings = [ERIKAS_ADDRESS, " Erika.Beispiel@Example.org", ERIKAS_ADDRESS.upper(), ERIKAS_ADDRESS]
    answers = [ask(client, address) for address in spellings]
    assert len({(answer.status_code, answer["Location"]) for answer in answers}) == 1
    assert len(transaction_calls(maileon_sandbox)) == new_link.PER_EMAIL.ceiling == 3
    assert len(maileon_sandbox.transaction_mails) == 3
    # Another address is not held back by Erika's.
    ask(client, STRANGER)
    assert len(transaction_calls(maileon_sandbox)) == 4


@pytest.mark.parametrize("lang", ["de", "en"])
def test_beyond_the_per_address_limit_a_429_page_in_the_recipients_language(client, default_page,
                                                                             maileon_sandbox, lang):
    ceiling = throttle.NEW_LINK_PER_ADDRESS.ceiling
    for number in range(ceiling):
        assert ask(client, f"person{number}@example.org", lang=lang).status_code == 303
    refused = ask(client, "one.more@example.org", lang=lang)

    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 600
    html = refused.content.decode()
    assert f'<html lang="{lang}">' in html
    assert {"de": "Bitte warten Sie 10 Minuten", "en": "Please wait 10 minutes"}[lang] in html
    assert len(transaction_calls(maileon_sandbox)) == ceiling
    # Someone at another address is not held back.
    assert ask(client, "one.more@example.org", lang=lang, REMOTE_ADDR="198.51.100.7").status_code == 303


def test_invalid_submissions_do_not_use_up_the_per_address_limit(client, default_page, maileon_sandbox):
    for _ in range(throttle.NEW_LINK_PER_ADDRESS.ceiling + 2):
        ask(client, "kein-at")
    assert ask(client, ERIKAS_ADDRESS).status_code == 303


# --- Maileon down, or refusing the type


@pytest.mark.parametrize("fault", [{"status": 503}, {"status": 429, "retry_after": 90}, {"delay": 60}],
                         ids=["503", "429", "timeout"])
def test_maileon_down_keeps_the_address_in_the_form_to_try_again(client, default_page, maileon_sandbox, fault):
    maileon_sandbox.faults.inject(method="POST", path_contains="/transactions", **fault)
    response = ask(client, ERIKAS_ADDRESS, lang="en")
    html = response.content.decode()
    assert response.status_code == 503 and 0 < int(response["Retry-After"]) <= 300
    assert "We could not send the link just now" in html and "try again in a few minutes" in html
    assert f'value="{ERIKAS_ADDRESS}"' in html
    action, data = form_data(response, "/link/new/")
    # An answer that says "not now" sent nothing; a timeout may have (Maileon went on after we stopped waiting).
    before = [] if "status" in fault else [ERIKA]
    assert [mail.contact_id for mail in maileon_sandbox.transaction_mails] == before

    again = client.post(action, data)  # Maileon is back (the fault answered once)
    assert SENT["en"] in again.content.decode()
    assert [mail.contact_id for mail in maileon_sandbox.transaction_mails] == [*before, ERIKA]
    assert len(transaction_calls(maileon_sandbox)) == 2  # one each: never repeated behind the recipient's back


def test_a_refused_transaction_type_stops_the_offer(client, default_page, maileon_sandbox, link):
    default_page.new_link_transaction_type = 9999  # deleted in Maileon since
    default_page.save()
    response = ask(client, ERIKAS_ADDRESS, lang="en")
    assert response.status_code == 502
    assert "We cannot send new links at the moment" in response.content.decode()
    assert definitions.transaction_type_refused(9999)
    html = client.get(f"/profile/?{link(ERIKA, checksum='kaputt', lang='en')}").content.decode()
    assert NEWSLETTER_HINT["en"] in html and "/link/new/" not in html
    assert len(transaction_calls(maileon_sandbox)) == 1  # not asked again while refused


# --- what a GET may do, and who may post


def test_get_and_head_change_nothing(client, default_page, maileon_sandbox):
    for method in (client.get, client.head):
        for path in ("/link/new/?lang=en", "/link/new/sent/?lang=en", f"/link/new/?lang=en&email={ERIKAS_ADDRESS}"):
            assert method(path).status_code == 200
    assert maileon_sandbox.calls == [] and maileon_sandbox.transaction_mails == []
    html = client.get("/link/new/?lang=de").content.decode()
    assert "<h1>Neuen persönlichen Link anfordern</h1>" in html
    assert form_data(client.get("/link/new/?lang=de"), "/link/new/")[0] == "/link/new/?lang=de"


def test_a_foreign_site_cannot_post(client, default_page, maileon_sandbox):
    response = ask(client, ERIKAS_ADDRESS, lang="en", HTTP_SEC_FETCH_SITE="cross-site",
                   HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403 and "This form cannot be sent from here" in response.content.decode()
    assert transaction_calls(maileon_sandbox) == []


def test_inside_an_iframe_without_cookies_it_works(default_page, maileon_sandbox, settings, link):
    from django.test import Client

    settings.FRAME_ANCESTORS = ["https://www.example.com"]
    browser = Client(enforce_csrf_checks=True)  # a third-party iframe: no CSRF cookie reaches us
    frame = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_SEC_FETCH_DEST": "iframe"}
    broken = browser.get(f"/profile/?{link(ERIKA, checksum='kaputt', lang='en')}", **frame)
    assert "frame-ancestors 'self' https://www.example.com" in broken["Content-Security-Policy"]
    action, data = form_data(broken, "/link/new/")
    data["email"] = [ERIKAS_ADDRESS]
    response = browser.post(action, data, **frame)
    assert response.status_code == 303 and not response.cookies
    assert "frame-ancestors 'self' https://www.example.com" in response["Content-Security-Policy"]
    assert [mail.contact_id for mail in maileon_sandbox.transaction_mails] == [ERIKA]


# --- nothing of the address is kept


def test_the_address_reaches_no_log_no_table_and_no_url(client, default_page, maileon_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    maileon_sandbox.faults.inject(status=503, method="POST")
    responses = [ask(client, ERIKAS_ADDRESS), ask(client, ERIKAS_ADDRESS), ask(client, STRANGER),
                 ask(client, "kaputt@"), *[ask(client, ERIKAS_ADDRESS) for _ in range(3)]]
    default_page.new_link_transaction_type = 9999
    default_page.save()
    responses.append(ask(client, "someone.else@example.org"))

    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert "new link for page" in logged  # the service did log, without the address
    for address in (ERIKAS_ADDRESS, STRANGER, "someone.else@example.org", "erika.beispiel", "kaputt@"):
        assert address not in logged
        assert all(address not in response.get("Location", "") for response in responses)
        assert address not in _everything_in_the_database()


def _everything_in_the_database() -> str:
    """Every row of every table (the cache table included), as text."""
    with connection.cursor() as cursor:
        rows = []
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (our own table names)
            rows.append(repr(cursor.fetchall()))
    return "\n".join(rows)
