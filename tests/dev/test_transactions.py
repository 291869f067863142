"""Transactions (maileon-api.md §2.10): POST /transactions in JSON, the account's transaction types, and what the
sandbox records of the mails its trigger mailings would send: type, contact id and personal link, never the
address."""

from __future__ import annotations

import json

import pytest

from preference_center.maileon import MaileonClient, MaileonConfig, TransactionType, codec
from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE

from tests.support import ERIKA, JOHN, LENA, ZOE

from .conftest import XML, error_message

JSON = "application/json"
ERIKAS_ADDRESS = "erika.beispiel@example.org"


def post(sandbox, events, *params, headers=None):
    body = events if isinstance(events, bytes) else json.dumps(events).encode()
    sent = {"Content-Type": JSON, "Accept": JSON, **(headers or {})}
    return sandbox.call("POST", "/transactions", [("ignore_invalid_transactions", "true"), *params], body=body,
                        headers=sent)


def event(email=ERIKAS_ADDRESS, type_id=NEW_LINK_TRANSACTION_TYPE, **extra):
    return {"type": type_id, "contact": {"email": email}, "content": {}, **extra}


def test_a_transaction_for_a_known_address_is_queued_and_its_mail_recorded(sandbox):
    response = post(sandbox, [event()])

    assert (response.status_code, response.headers["Content-Type"]) == (201, JSON)
    assert response.json() == {"reports": [{"contact": {"id": ERIKA, "email": ERIKAS_ADDRESS}, "queued": True}]}
    [mail] = sandbox.store.transaction_mails
    assert (mail.type_id, mail.type_name, mail.contact_id) == (NEW_LINK_TRANSACTION_TYPE, "neuer_link", ERIKA)
    # The trigger mailing's link with [CONTACT|ID] and [CONTACT|CHECKSUM] filled in, as Maileon would.
    assert mail.link == f"/profile/?contactid={ERIKA}&checksum={sandbox.store.checksum_for(ERIKA)}"


def test_the_address_is_kept_nowhere_but_in_the_contact_store(sandbox):
    post(sandbox, [event()])
    post(sandbox, [event("nobody@example.org")])
    kept = repr(sandbox.store.transaction_mails) + repr(sandbox.store.calls)
    assert ERIKAS_ADDRESS not in kept and "nobody@example.org" not in kept


def test_an_unknown_address_is_reported_not_queued_and_nothing_is_sent(sandbox):
    response = post(sandbox, [event("nobody@example.org")])
    assert response.status_code == 201
    assert response.json() == {"reports": [{"contact": {"email": "nobody@example.org"}, "queued": False,
                                            "message": "contact not found"}]}
    assert sandbox.store.transaction_mails == []


def test_without_the_parameter_invalid_transactions_are_ignored_too(sandbox):
    # Maileon documents ignore_invalid_transactions=true as the default.
    response = sandbox.call("POST", "/transactions", body=json.dumps([event("nobody@example.org")]).encode(),
                            headers={"Content-Type": JSON, "Accept": JSON})
    assert response.status_code == 201 and response.json()["reports"][0]["queued"] is False


def test_not_ignoring_invalid_transactions_refuses_the_call_and_sends_nothing(sandbox):
    response = sandbox.call("POST", "/transactions", [("ignore_invalid_transactions", "false")],
                            body=json.dumps([event(), event("nobody@example.org")]).encode(),
                            headers={"Content-Type": JSON, "Accept": JSON})
    assert (response.status_code, error_message(response)) == (400, "invalid transaction: contact not found")
    assert sandbox.store.transaction_mails == []


def test_addresses_compare_case_insensitively_and_ids_work_too(sandbox):
    post(sandbox, [event("Erika.Beispiel@Example.ORG"), {"type": NEW_LINK_TRANSACTION_TYPE, "contact": {"id": JOHN}}])
    assert [mail.contact_id for mail in sandbox.store.transaction_mails] == [ERIKA, JOHN]


def test_a_type_may_be_named_instead(sandbox):
    post(sandbox, [{"typeName": "neuer_link", "contact": {"email": ERIKAS_ADDRESS}}])
    assert [mail.type_id for mail in sandbox.store.transaction_mails] == [NEW_LINK_TRANSACTION_TYPE]


def test_a_contact_who_left_gets_nothing(sandbox):
    lena = sandbox.store.contact(LENA)
    address = lena.email
    lena.anonymize()
    assert post(sandbox, [event(address)]).json()["reports"][0]["queued"] is False
    assert post(sandbox, [{"type": NEW_LINK_TRANSACTION_TYPE, "contact": {"id": LENA}}]).json()[
        "reports"][0]["queued"] is False
    assert sandbox.store.transaction_mails == []


def test_a_contact_without_newsletter_permission_still_gets_a_transaction_mail(sandbox):
    # GUESS: a transaction mail (here: a link the recipient asked for) needs no newsletter permission.
    post(sandbox, [event("zoe@example.net")])
    assert [mail.contact_id for mail in sandbox.store.transaction_mails] == [ZOE]


@pytest.mark.parametrize(("events", "cause"), [
    ([event(type_id=9999)], "unknown transaction type: 9999"),
    ([{"typeName": "gibt_es_nicht", "contact": {"email": ERIKAS_ADDRESS}}], "unknown transaction type: gibt_es_nicht"),
    ([event(), event(type_id=9999)], "unknown transaction type: 9999"),
    ([event(content={"seite": "x"})], "unknown attribute of transaction type neuer_link: seite"),
])
def test_an_unknown_type_or_attribute_refuses_the_whole_call(sandbox, events, cause):
    response = post(sandbox, events)
    assert (response.status_code, error_message(response)) == (400, cause)
    assert sandbox.store.transaction_mails == []  # not even the valid first one


@pytest.mark.parametrize(("body", "cause"), [
    (b"", "empty JSON body"),
    (b"<transactions/>", "malformed JSON"),
    (b"{}", "the body must be a non-empty JSON list of transactions"),
    (b"[]", "the body must be a non-empty JSON list of transactions"),
    (b"[7001]", "every transaction must be a JSON object"),
    (json.dumps([{"contact": {"email": ERIKAS_ADDRESS}}]).encode(), "type or typeName is required"),
    (json.dumps([{"type": "7001", "contact": {"email": ERIKAS_ADDRESS}}]).encode(), "type must be a positive number"),
    (json.dumps([{"type": 7001}]).encode(), "contact must name id, email or external_id"),
    (json.dumps([{"type": 7001, "contact": {"mail": ERIKAS_ADDRESS}}]).encode(),
     "contact must name id, email or external_id"),
    (json.dumps([event(content=[])]).encode(), "content must be a JSON object"),
    (json.dumps([event(priority=1)]).encode(), "unknown transaction attribute: priority"),
    (json.dumps([event(**{"import": {"contact": {"email": ERIKAS_ADDRESS}}})]).encode(),
     "import is not implemented in the sandbox"),
])
def test_an_invalid_body_is_refused_with_its_cause(sandbox, body, cause):
    response = post(sandbox, body)
    assert (response.status_code, error_message(response)) == (400, f"invalid transactions: {cause}")
    assert sandbox.store.transaction_mails == []


@pytest.mark.parametrize("content_type", [None, XML, f"{XML}; charset=utf-8", "text/plain"])
def test_only_json_is_taken(sandbox, content_type):
    response = post(sandbox, [event()], headers={"Content-Type": content_type})
    assert (response.status_code, error_message(response)) == (415, "unsupported media type")
    assert sandbox.store.transaction_mails == []


@pytest.mark.parametrize(("accept", "status"), [(XML, 406), ("text/html", 406), ("*/*", 201),
                                                (f"{JSON}; charset=utf-8", 201), (None, 201)])
def test_the_answer_is_json(sandbox, accept, status):
    assert post(sandbox, [event()], headers={"Accept": accept}).status_code == status


@pytest.mark.parametrize(("params", "cause"), [
    ([("ignore_invalid_transactions", "yes")], "ignore_invalid_transactions must be true or false"),
    ([("release", "true")], "unknown query parameter: release"),
    ([("generate_transaction_id", "1"), ("typeId", "1")], "unknown query parameter: typeId"),
])
def test_query_names_and_flags_are_checked(sandbox, params, cause):
    response = sandbox.call("POST", "/transactions", params, body=json.dumps([event()]).encode(),
                            headers={"Content-Type": JSON, "Accept": JSON})
    assert (response.status_code, error_message(response)) == (400, cause)


def test_the_xml_calls_still_refuse_json(sandbox):
    params = [("id", "1001"), ("checksum", sandbox.store.checksum_for(1001))]
    response = sandbox.call("PUT", "/contacts/contact", params, body=b"{}", headers={"Content-Type": JSON})
    assert (response.status_code, error_message(response)) == (415, "unsupported media type")


# --- transaction types


def test_the_accounts_transaction_types_are_listed_in_xml(sandbox):
    response = sandbox.call("GET", "/transactions/types", [("page_index", "1"), ("page_size", "1000")])
    assert (response.status_code, response.headers["Content-Type"]) == (200, XML)
    assert codec.decode_transaction_types(response.content) == [
        TransactionType(NEW_LINK_TRANSACTION_TYPE, "neuer_link", "Neuer persönlicher Link"),
        TransactionType(7002, "bestellbestaetigung", "Bestellbestätigung"),
    ]


def test_types_come_a_page_at_a_time(sandbox):
    second = sandbox.call("GET", "/transactions/types", [("page_index", "2"), ("page_size", "1")])
    assert [t.id for t in codec.decode_transaction_types(second.content)] == [7002]
    beyond = sandbox.call("GET", "/transactions/types", [("page_index", "3"), ("page_size", "1")])
    assert codec.decode_transaction_types(beyond.content) == []


@pytest.mark.parametrize(("params", "cause"), [
    ([("page_size", "1001")], "page_size must be 1 to 1000"),
    ([("page_index", "0")], "page_index must be a positive number"),
    ([("page", "1")], "unknown query parameter: page"),
])
def test_paging_parameters_are_checked(sandbox, params, cause):
    response = sandbox.call("GET", "/transactions/types", params)
    assert (response.status_code, error_message(response)) == (400, cause)


def test_another_account_has_other_types(sandbox):
    sandbox.store.become_another_account()
    assert NEW_LINK_TRANSACTION_TYPE not in sandbox.store.transaction_types
    assert post(sandbox, [event()]).status_code == 400


# --- our client against it


@pytest.fixture
def maileon(maileon_sandbox, settings) -> MaileonClient:
    return MaileonClient(MaileonConfig(base_url=settings.MAILEON_API_URL, api_key=settings.MAILEON_API_KEY))


def test_the_client_and_the_sandbox_agree(maileon, maileon_sandbox):
    assert maileon.create_transaction(type_id=NEW_LINK_TRANSACTION_TYPE, email=ERIKAS_ADDRESS).queued is True
    assert maileon.create_transaction(type_id=NEW_LINK_TRANSACTION_TYPE, email="nobody@example.org").queued is False
    assert [mail.contact_id for mail in maileon_sandbox.transaction_mails] == [ERIKA]
    assert [t.id for t in maileon.get_transaction_types()] == [NEW_LINK_TRANSACTION_TYPE, 7002]
