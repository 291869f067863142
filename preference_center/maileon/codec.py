"""XML <-> plain values, both directions (the client decodes answers and encodes bodies; the sandbox does
the reverse). Built with lxml's element API; parsed with a hardened parser. Pure: bytes in, types out.

INTERFACE FIXED BY THE LEAD: keep these names and signatures; the sandbox and the client both use them.
"""

from __future__ import annotations

from lxml import etree

from .types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    PreferenceCategory,
    PreferenceDefinition,
)


class CodecError(ValueError):
    """The bytes are not XML we accept (malformed, a DTD/entity, too large, wrong root)."""


def parse(body: bytes) -> etree._Element:  # hardened: no entities, no DTD, no network, bounded size
    raise NotImplementedError


def encode_bool(value: bool) -> str:
    raise NotImplementedError


def decode_bool(text: str | None) -> bool | None:  # true/false, also 1/0; None/"" -> None
    raise NotImplementedError


# --- contact
def encode_contact(contact: Contact) -> bytes:  # sandbox: answer of GET /contacts/contact
    raise NotImplementedError


def decode_contact(body: bytes) -> Contact:  # client
    raise NotImplementedError


def encode_contact_changes(changes: ContactChanges) -> bytes:  # client: body of PUT /contacts/contact
    raise NotImplementedError


def decode_contact_changes(body: bytes) -> ContactChanges:  # sandbox; CodecError on unknown children, <id>, <permission>
    raise NotImplementedError


# --- account configuration
def encode_preference_categories(categories: list[PreferenceCategory]) -> bytes:
    raise NotImplementedError


def decode_preference_categories(body: bytes) -> list[PreferenceCategory]:
    raise NotImplementedError


def encode_preference_category(category: PreferenceCategory) -> bytes:
    raise NotImplementedError


def decode_preference_category(body: bytes) -> PreferenceCategory:
    raise NotImplementedError


def encode_preference_definitions(preferences: list[PreferenceDefinition]) -> bytes:
    raise NotImplementedError


def decode_preference_definitions(body: bytes, *, category: str) -> list[PreferenceDefinition]:
    raise NotImplementedError


def encode_custom_field_definitions(fields: list[CustomFieldDefinition]) -> bytes:
    raise NotImplementedError


def decode_custom_field_definitions(body: bytes) -> list[CustomFieldDefinition]:
    raise NotImplementedError


# --- errors and reports
def encode_error(message: str) -> bytes:  # <error><message>…</message></error>
    raise NotImplementedError


def decode_error_message(body: bytes) -> str:  # <error><message> or bare <message>; "" for empty/non-XML bodies
    raise NotImplementedError


def encode_report(*, success: bool, field_errors: dict[str, str]) -> bytes:  # PUT answer (duplicate email)
    raise NotImplementedError


def decode_report(body: bytes) -> tuple[bool, dict[str, str]] | None:  # None when the body is not a <report>
    raise NotImplementedError
