"""Every status class, failure without an answer and unreadable answer becomes one typed error, per operation."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from preference_center.maileon import (
    ContactChanges,
    InvalidLinkError,
    ProtocolError,
    ReasonType,
    RejectedError,
    UnavailableError,
    UnsubscribeReason,
)
from preference_center.maileon import codec
from preference_center.maileon.errors import MaileonError

from .conftest import CHECKSUM

REASON = UnsubscribeReason(ReasonType.OTHER, "x")

# operation name -> (method, path, call)
OPERATIONS = {
    "get_contact": ("GET", "/contacts/contact", lambda c: c.get_contact(contact_id=7, checksum=CHECKSUM)),
    "update_contact": (
        "PUT",
        "/contacts/contact",
        lambda c: c.update_contact(contact_id=7, checksum=CHECKSUM, changes=ContactChanges(email="a@b.c")),
    ),
    "unsubscribe_contact": (
        "DELETE",
        "/contacts/contact/unsubscribe",
        lambda c: c.unsubscribe_contact(contact_id=7, reasons=[REASON]),
    ),
    "unsubscribe_contacts_by_email": (
        "DELETE",
        "/contacts/email/a%40b.c/unsubscribe",
        lambda c: c.unsubscribe_contacts_by_email(email="a@b.c", newsletter_account_ids=[1]),
    ),
    "add_unsubscribe_reasons": (
        "PUT",
        "/contacts/contact/unsubscribe/reasons",
        lambda c: c.add_unsubscribe_reasons(contact_id=7, checksum=CHECKSUM, reasons=[REASON]),
    ),
    "get_preference_categories": ("GET", "/contacts/preference_categories", lambda c: c.get_preference_categories()),
    "get_preferences": (
        "GET",
        "/contacts/preference_categories/Themen/preferences",
        lambda c: c.get_preferences(category="Themen"),
    ),
    "get_custom_field_definitions": ("GET", "/contacts/fields/custom", lambda c: c.get_custom_field_definitions()),
    "get_transaction_types": ("GET", "/transactions/types", lambda c: c.get_transaction_types()),
}

LINK_OPERATIONS = {"get_contact"}
CONFIG_OPERATIONS = {"get_preference_categories", "get_preferences", "get_custom_field_definitions",
                     "get_transaction_types"}


def expected_error(operation: str, status: int) -> type[MaileonError]:
    if status in (401, 403):
        return RejectedError
    if status == 429 or status >= 500:
        return UnavailableError
    if operation in LINK_OPERATIONS:
        return InvalidLinkError  # any other 4xx on the read: the link is invalid or expired
    if operation in CONFIG_OPERATIONS:
        return RejectedError  # our configuration names something Maileon does not know
    return InvalidLinkError if status == 404 else RejectedError


def call(client, maileon, operation, **answer):
    method, path, invoke = OPERATIONS[operation]
    maileon.answer(method, path, **answer)
    with pytest.raises(MaileonError) as raised:
        invoke(client)
    return raised.value


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 410, 415, 429, 500, 501, 502, 503, 504])
def test_status_becomes_a_typed_error_carrying_maileons_message(client, maileon, operation, status):
    error = call(client, maileon, operation, status=status, body=codec.encode_error(f"refused with {status}"))
    assert type(error) is expected_error(operation, status)
    assert (error.operation, error.status, error.message) == (operation, status, f"refused with {status}")


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_say_so(client, maileon, status):
    error = call(client, maileon, "get_contact", status=status)
    assert isinstance(error, RejectedError) and error.is_auth_failure


def test_other_rejections_are_not_auth_failures(client, maileon):
    error = call(client, maileon, "update_contact", status=400)
    assert isinstance(error, RejectedError) and not error.is_auth_failure


@pytest.mark.parametrize("body", [b"", b"<html>Bad gateway</html>", b"<message>alt</message>"])
def test_error_bodies_of_any_shape_are_tolerated(client, maileon, body):
    error = call(client, maileon, "unsubscribe_contact", status=400, body=body, content_type="text/html")
    assert isinstance(error, RejectedError)
    assert error.message == ("alt" if b"alt" in body else "")


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize(
    "exception",
    [requests.ConnectTimeout("connect"), requests.ReadTimeout("read"), requests.ConnectionError("refused"),
     requests.exceptions.ChunkedEncodingError("cut")],
)
def test_no_answer_is_unavailable_and_chained(client, maileon, operation, exception):
    error = call(client, maileon, operation, exception=exception)
    assert isinstance(error, UnavailableError)
    assert error.operation == operation and error.status is None
    assert error.__cause__ is exception


def test_other_request_failures_are_unavailable_too(client, maileon):
    error = call(client, maileon, "unsubscribe_contact", exception=requests.exceptions.InvalidURL("bad"))
    assert isinstance(error, UnavailableError)
    assert isinstance(error.__cause__, requests.exceptions.InvalidURL)


# --- 2xx answers we cannot use


@pytest.mark.parametrize("operation", ["get_contact", *sorted(CONFIG_OPERATIONS)])
@pytest.mark.parametrize(
    "answer",
    [
        {"body": b"garbage, not xml"},
        {"body": b"<contact><id>7</id>"},
        {"body": b"<unexpected/>"},
        {"body": b""},
        {"body": b"<contact><id>7</id></contact>", "content_type": "text/html"},
        {"body": b"<contact><id>7</id></contact>", "content_type": None},
    ],
)
def test_unreadable_2xx_answer_to_a_read_is_a_protocol_error(client, maileon, operation, answer):
    error = call(client, maileon, operation, status=200, **answer)
    assert isinstance(error, ProtocolError)
    assert (error.operation, error.status) == (operation, 200)


def test_unreadable_2xx_answer_chains_the_codec_error(client, maileon):
    error = call(client, maileon, "get_contact", status=200, body=b"<contact>")
    assert isinstance(error.__cause__, codec.CodecError)


def test_doctype_in_a_2xx_answer_is_a_protocol_error_and_not_resolved(client, maileon, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<!DOCTYPE contact [<!ENTITY x SYSTEM "file://{secret}">]><contact><id>7</id><email>&x;</email></contact>'
    ).encode()
    error = call(client, maileon, "get_contact", status=200, body=body)
    assert isinstance(error, ProtocolError)
    assert "TOP-SECRET" not in str(error)


def test_oversized_answer_is_a_protocol_error(client, maileon):
    body = b"<contact><id>7</id>" + b" " * codec.MAX_BODY_BYTES + b"</contact>"
    assert isinstance(call(client, maileon, "get_contact", status=200, body=body), ProtocolError)


def test_answer_about_another_contact_is_a_protocol_error(client, maileon):
    error = call(client, maileon, "get_contact", status=200, body=b"<contact><id>8</id></contact>")
    assert isinstance(error, ProtocolError)


def test_update_report_with_success_false_is_rejected_with_field_errors(client, maileon):
    body = (Path(__file__).parent / "samples" / "report_duplicate_email.xml").read_bytes()
    error = call(client, maileon, "update_contact", status=200, body=body)
    assert isinstance(error, RejectedError)
    assert error.field_errors == {"email": "duplicate email"}
    assert error.status == 200 and not error.is_auth_failure


def test_update_report_on_a_4xx_keeps_field_errors(client, maileon):
    body = codec.encode_report(success=False, field_errors={"email": "duplicate email"})
    error = call(client, maileon, "update_contact", status=409, body=body)
    assert isinstance(error, RejectedError) and error.field_errors == {"email": "duplicate email"}


def test_update_with_garbage_2xx_body_is_a_protocol_error(client, maileon):
    error = call(client, maileon, "update_contact", status=200, body=b"<<<")
    assert isinstance(error, ProtocolError) and isinstance(error.__cause__, codec.CodecError)


def test_update_with_unwritable_changes_is_rejected_before_any_call(client, maileon):
    with pytest.raises(RejectedError):
        client.update_contact(contact_id=7, checksum="c", changes=ContactChanges(standard_fields={"ZIP": "\x00"}))
    maileon.assert_not_called()


@pytest.mark.parametrize("status", [301, 302, 307])
def test_redirects_are_not_followed(client, maileon, status):
    error = call(client, maileon, "get_contact", status=status, headers={"Location": "https://evil.example/"})
    assert isinstance(error, ProtocolError) and error.status == status
    assert len(maileon.calls) == 1


def test_malformed_xml_in_a_4xx_body_gives_an_empty_message_and_no_field_errors(client, maileon):
    error = call(client, maileon, "update_contact", status=400, body=b"<report><success>false")
    assert isinstance(error, RejectedError)
    assert (error.message, error.field_errors) == ("", {})
