"""XML <-> plain values, both directions (the client decodes answers and encodes bodies; the sandbox does
the reverse). Built with lxml's element API; parsed with a hardened parser. Pure: bytes in, types out.

Wire format: /work/shared/maileon-api.md §2. Values are wire strings; `<value nil="true"/>` is None (no
value), which is not the same as an empty string.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping

from lxml import etree

from .types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    CustomFieldType,
    Permission,
    PermissionStatus,
    Preference,
    PreferenceCategory,
    PreferenceDefinition,
    TransactionType,
)

MAX_BODY_BYTES = 1024 * 1024
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
# Maileon writes nil="true"; accept the xsi spelling too, since both mean "no value".
_NIL_ATTRIBUTES = ("nil", "{http://www.w3.org/2001/XMLSchema-instance}nil")


logger = logging.getLogger(__name__)


class CodecError(ValueError):
    """The bytes are not XML we accept (malformed, a DTD/entity, too large, wrong root)."""


# --- enumerated values Maileon reports: read tolerantly (maileon-api.md §2.9)

_reported_unknown: set[tuple[str, str]] = set()
_reported_lock = threading.Lock()


def _unknown_value(what: str, text: str) -> None:
    """An enumerated value we do not know: logged once per value and process, so a page keeps working and the
    log is not flooded by every view of it."""
    key = (what, text[:40])
    with _reported_lock:
        if key in _reported_unknown:
            return
        _reported_unknown.add(key)
    logger.warning("Maileon reported an unknown %s %r; read as other", what, key[1])


# --- parsing and building primitives


def _new_parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(body: bytes) -> etree._Element:  # hardened: no entities, no DTD, no network, bounded size
    """Parse an answer or a request body from outside. Any DOCTYPE is refused outright, before and after
    parsing: Maileon never sends one, and a DTD is how XXE and entity-expansion attacks arrive."""
    if not isinstance(body, (bytes, bytearray)):
        raise CodecError("XML body must be bytes")
    if len(body) > MAX_BODY_BYTES:
        raise CodecError(f"XML body larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise CodecError("empty XML body")
    # Cheap refusal of the common case before libxml2 sees it (UTF-8/ASCII bodies).
    upper = body.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise CodecError("XML with a DOCTYPE or entity declaration is refused")
    try:
        root = etree.fromstring(bytes(body), _new_parser())
    except etree.XMLSyntaxError as exc:
        raise CodecError("malformed XML") from exc
    docinfo = root.getroottree().docinfo
    # Catches a DOCTYPE hidden from the byte check above (e.g. a UTF-16 body).
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CodecError("XML with a DOCTYPE or entity declaration is refused")
    # Unreachable with today's libxml2 (an entity needs a DTD, refused above); kept in case that ever changes.
    if next(root.iter(etree.Entity), None) is not None:  # pragma: no cover - lxml picks out entities itself
        raise CodecError("XML with entity references is refused")
    return root


def _parse_root(body: bytes, tag: str) -> etree._Element:
    root = parse(body)
    if root.tag != tag:
        raise CodecError(f"expected root <{tag}>, got <{root.tag}>")
    return root


def _element(parent: etree._Element | None, tag: str) -> etree._Element:
    return etree.Element(tag) if parent is None else etree.SubElement(parent, tag)


def _set_text(element: etree._Element, text: str) -> None:
    try:
        element.text = text
    except ValueError as exc:  # NUL and other control characters cannot be written in XML 1.0
        raise CodecError(f"<{element.tag}> value is not XML-compatible text") from exc


def _value(parent: etree._Element, tag: str, value: str | None) -> etree._Element:
    """A child holding a string, or `nil="true"` for None."""
    element = etree.SubElement(parent, tag)
    if value is None:
        element.set("nil", "true")
    else:
        _set_text(element, value)
    return element


def _document(root: etree._Element) -> bytes:
    # lxml's own declaration uses single quotes; Maileon's documents use double quotes, so write it ourselves.
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _is_nil(element: etree._Element) -> bool:
    # Called for every value of every answer, and almost every element has no attribute at all: a plain loop.
    for name in _NIL_ATTRIBUTES:
        flag = element.get(name)
        if flag is not None and flag.strip().lower() in _TRUE:
            return True
    return False


def _text(element: etree._Element | None) -> str | None:
    """The element's text; None when absent or nil; "" when present and empty."""
    if element is None or _is_nil(element):
        return None
    return element.text or ""


def _child_text(parent: etree._Element, tag: str) -> str | None:
    return _text(parent.find(tag))


def _required_text(parent: etree._Element, tag: str, texts: Mapping[str, str | None] | None = None) -> str:
    text = _child_text(parent, tag) if texts is None else texts.get(tag)
    if text is None or not text.strip():
        raise CodecError(f"<{parent.tag}> needs a non-empty <{tag}>")
    return text.strip()


def _child_texts(parent: etree._Element) -> dict[str, str | None]:
    """The texts of an element's children by tag, in one pass (the first child of a tag, as find() picks):
    what a field or preference of an answer carries, without a find() per child."""
    texts: dict[str, str | None] = {}
    for child in parent:
        if isinstance(child.tag, str) and child.tag not in texts:
            texts[child.tag] = _text(child)
    return texts


def _children(parent: etree._Element) -> Iterable[etree._Element]:
    """Element children only (comments and PIs are removed by the parser)."""
    return (child for child in parent if isinstance(child.tag, str))


# --- scalars


def encode_bool(value: bool) -> str:
    return "true" if value else "false"


def decode_bool(text: str | None) -> bool | None:  # true/false, also 1/0; None/"" -> None
    if text is None:
        return None
    normalized = text.strip().lower()
    if not normalized:
        return None
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise CodecError(f"not a boolean: {text[:20]!r}")


def _decode_int(text: str | None, what: str) -> int:
    if text is None or not text.strip().isdigit():
        raise CodecError(f"{what} is not a non-negative integer")
    return int(text.strip())


# Maileon's permission as a code or in the type words of XQueue's PHP client (Permission::getPermission).
_PERMISSION_WORDS = {
    "none": Permission.NONE, "soi": Permission.SINGLE_OPT_IN, "coi": Permission.CONFIRMED_OPT_IN,
    "doi": Permission.DOUBLE_OPT_IN, "doi+": Permission.DOUBLE_OPT_IN_PLUS, "other": Permission.OTHER,
}


def decode_permission(text: str | None) -> Permission | None:
    """A code 1-6 or a type word (`doi+`); anything else is Permission.OTHER, logged: a permission we cannot
    name must not break a page (the PHP client maps unknown values to "other" too)."""
    if text is None or not text.strip():
        return None
    normalized = text.strip().lower()
    if normalized.isdigit() and int(normalized) in Permission._value2member_map_:
        return Permission(int(normalized))
    if normalized in _PERMISSION_WORDS:
        return _PERMISSION_WORDS[normalized]
    _unknown_value("permission", normalized)
    return Permission.OTHER


def decode_permission_status(text: str | None) -> PermissionStatus | None:
    if text is None or not text.strip():
        return None
    normalized = text.strip().lower()
    if normalized in PermissionStatus._value2member_map_:
        return PermissionStatus(normalized)
    _unknown_value("permission status", normalized)
    return PermissionStatus.OTHER


# --- fields and preferences (shared by contacts and contact changes)


def _encode_fields(parent: etree._Element, tag: str, fields: Mapping[str, str | None]) -> None:
    container = etree.SubElement(parent, tag)
    for name, value in fields.items():
        field = etree.SubElement(container, "field")
        _set_text(etree.SubElement(field, "name"), name)
        _value(field, "value", value)


def _decode_fields(container: etree._Element | None) -> dict[str, str | None]:
    """Lenient (answers from Maileon): skips unknown children of <field>."""
    fields: dict[str, str | None] = {}
    if container is None:
        return fields
    for field in container.iter("field"):
        texts = _child_texts(field)
        fields[_required_text(field, "name", texts)] = texts.get("value")
    return fields


def _encode_preference(parent: etree._Element, preference: Preference, *, nil_source: bool) -> None:
    element = etree.SubElement(parent, "preference")
    _set_text(etree.SubElement(element, "name"), preference.name)
    _set_text(etree.SubElement(element, "category"), preference.category)
    _value(element, "value", None if preference.value is None else encode_bool(preference.value))
    if preference.source is not None:
        _set_text(etree.SubElement(element, "source"), preference.source)
    elif nil_source:
        _value(element, "source", None)


def _decode_preference(element: etree._Element) -> Preference:
    texts = _child_texts(element)
    text = texts.get("value")
    try:
        value = decode_bool(text)
    except CodecError:
        # A value that is neither true/false nor 1/0: shown as "no value" rather than failing the whole page.
        _unknown_value("preference value", text or "")
        value = None
    return Preference(
        name=_required_text(element, "name", texts),
        category=_required_text(element, "category", texts),
        value=value,
        source=texts.get("source"),
    )


# --- contact


def encode_contact(contact: Contact, *, permission_text: str | None = None) -> bytes:  # sandbox: GET answer
    """`permission_text`: the permission as some Maileon reports it instead of the code (`doi+`, say)."""
    root = etree.Element("contact")
    _set_text(etree.SubElement(root, "id"), str(contact.id))
    if permission_text is not None:
        _set_text(etree.SubElement(root, "permission"), permission_text)
    elif contact.permission is not None:
        _set_text(etree.SubElement(root, "permission"), str(int(contact.permission)))
    _value(root, "email", contact.email)
    _value(root, "external_id", contact.external_id)
    _encode_fields(root, "standard_fields", contact.standard_fields)
    _encode_fields(root, "custom_fields", contact.custom_fields)
    # Maileon leaves <preferences> out when no preference category was requested (§2.1).
    if contact.preferences:
        preferences = etree.SubElement(root, "preferences")
        for preference in contact.preferences:
            _encode_preference(preferences, preference, nil_source=True)
    return _document(root)


def decode_contact(body: bytes) -> Contact:  # client
    root = _parse_root(body, "contact")
    preferences = root.find("preferences")
    return Contact(
        id=_decode_int(_child_text(root, "id"), "contact id"),
        email=_child_text(root, "email"),
        permission=decode_permission(_child_text(root, "permission")),
        external_id=_child_text(root, "external_id"),
        standard_fields=_decode_fields(root.find("standard_fields")),
        custom_fields=_decode_fields(root.find("custom_fields")),
        preferences=tuple(
            _decode_preference(p) for p in (() if preferences is None else preferences.iter("preference"))
        ),
    )


def encode_contact_changes(changes: ContactChanges) -> bytes:  # client: body of PUT /contacts/contact
    """Only the parts that carry a change: a part left out stays unchanged in Maileon. Never <id> (the call
    rejects it) nor <permission> (a query parameter)."""
    root = etree.Element("contact")
    if changes.email is not None:
        _set_text(etree.SubElement(root, "email"), changes.email)
    if changes.standard_fields:
        _encode_fields(root, "standard_fields", changes.standard_fields)
    if changes.custom_fields:
        _encode_fields(root, "custom_fields", changes.custom_fields)
    if changes.preferences:
        preferences = etree.SubElement(root, "preferences")
        for preference in changes.preferences:
            _encode_preference(preferences, preference, nil_source=False)
    return _document(root)


def _strict_children(parent: etree._Element, allowed: set[str]) -> Iterable[etree._Element]:
    for child in _children(parent):
        if child.tag not in allowed:
            raise CodecError(f"<{child.tag}> is not allowed in <{parent.tag}>")
        yield child


def _strict_single(parent: etree._Element, allowed: set[str]) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in _strict_children(parent, allowed):
        if child.tag in found:
            raise CodecError(f"<{child.tag}> appears twice in <{parent.tag}>")
        found[child.tag] = child
    return found


def _decode_fields_strict(container: etree._Element) -> dict[str, str | None]:
    fields: dict[str, str | None] = {}
    for field in _strict_children(container, {"field"}):
        parts = _strict_single(field, {"name", "value"})
        if "value" not in parts:
            raise CodecError("<field> needs a <value> (nil to clear it)")
        name = _required_text(field, "name")
        if name in fields:
            raise CodecError(f"field {name!r} appears twice")
        fields[name] = _text(parts["value"])
    return fields


def _decode_preference_strict(element: etree._Element) -> Preference:
    parts = _strict_single(element, {"name", "category", "value", "source"})
    if "value" not in parts:
        raise CodecError("<preference> needs a <value>")
    return Preference(
        name=_required_text(element, "name"),
        category=_required_text(element, "category"),
        value=decode_bool(_text(parts["value"])),
        source=_text(parts.get("source")),
    )


def decode_contact_changes(body: bytes) -> ContactChanges:  # sandbox; CodecError: unknown children, <id>, <permission>
    """Strict, as the sandbox must be about what is wrong: <id>, <permission>, <created>, <updated> and any
    other unknown child are refused. <external_id> is refused too: Maileon takes it, but ContactChanges
    cannot carry it and our client never sends it, so silently dropping it would hide a bug."""
    root = _parse_root(body, "contact")
    parts = _strict_single(root, {"email", "standard_fields", "custom_fields", "preferences"})
    email = None
    if "email" in parts:
        email = _text(parts["email"])
        if email is None:
            raise CodecError("<email> cannot be nil")
    preferences: tuple[Preference, ...] = ()
    if "preferences" in parts:
        preferences = tuple(
            _decode_preference_strict(p) for p in _strict_children(parts["preferences"], {"preference"})
        )
    return ContactChanges(
        email=email,
        standard_fields=_decode_fields_strict(parts["standard_fields"]) if "standard_fields" in parts else {},
        custom_fields=_decode_fields_strict(parts["custom_fields"]) if "custom_fields" in parts else {},
        preferences=preferences,
    )


# --- account configuration


def _encode_category(parent: etree._Element | None, category: PreferenceCategory) -> etree._Element:
    element = _element(parent, "preference_category")
    _set_text(etree.SubElement(element, "name"), category.name)
    _set_text(etree.SubElement(element, "description"), category.description)
    return element


def _decode_category(element: etree._Element) -> PreferenceCategory:
    return PreferenceCategory(
        name=_required_text(element, "name"), description=_child_text(element, "description") or ""
    )


def encode_preference_categories(categories: list[PreferenceCategory]) -> bytes:
    root = etree.Element("preference_categories")
    for category in categories:
        _encode_category(root, category)
    return _document(root)


def decode_preference_categories(body: bytes) -> list[PreferenceCategory]:
    root = _parse_root(body, "preference_categories")
    return [_decode_category(element) for element in root.iter("preference_category")]


def encode_preference_category(category: PreferenceCategory) -> bytes:
    return _document(_encode_category(None, category))


def decode_preference_category(body: bytes) -> PreferenceCategory:
    return _decode_category(_parse_root(body, "preference_category"))


def encode_preference_definitions(preferences: list[PreferenceDefinition]) -> bytes:
    root = etree.Element("preferences")
    for preference in preferences:
        element = etree.SubElement(root, "preference")
        _set_text(etree.SubElement(element, "name"), preference.name)
        _set_text(etree.SubElement(element, "description"), preference.description)
        _set_text(etree.SubElement(element, "category"), preference.category)
    return _document(root)


def decode_preference_definitions(body: bytes, *, category: str) -> list[PreferenceDefinition]:
    """The category comes from the request path: §2.6 documents only name and description per preference."""
    root = _parse_root(body, "preferences")
    return [
        PreferenceDefinition(
            name=_required_text(element, "name"),
            category=category,
            description=_child_text(element, "description") or "",
        )
        for element in root.iter("preference")
    ]


def encode_custom_field_definitions(fields: list[CustomFieldDefinition]) -> bytes:
    root = etree.Element("custom_fields")
    for definition in fields:
        element = etree.SubElement(root, "custom_field")
        _set_text(etree.SubElement(element, "name"), definition.name)
        _set_text(etree.SubElement(element, "type"), CustomFieldType(definition.type).value)
    return _document(root)


def _decode_field_type(text: str) -> CustomFieldType:
    normalized = text.strip().lower()
    if normalized in CustomFieldType._value2member_map_ and normalized != CustomFieldType.OTHER:
        return CustomFieldType(normalized)
    # Maileon documents five types (§2.8); one it adds later must not break the admin or a page.
    _unknown_value("custom field type", normalized)
    return CustomFieldType.OTHER


def decode_custom_field_definitions(body: bytes) -> list[CustomFieldDefinition]:
    root = _parse_root(body, "custom_fields")
    return [
        CustomFieldDefinition(
            name=_required_text(element, "name"), type=_decode_field_type(_required_text(element, "type"))
        )
        for element in root.iter("custom_field")
    ]


# --- transaction types (GET /transactions/types, as XQueue's Java client's TransactionTypesXmlSerializer reads it)


def encode_transaction_types(types: list[TransactionType]) -> bytes:
    root = etree.Element("transaction_types")
    for transaction_type in types:
        element = etree.SubElement(root, "transaction_type")
        _set_text(etree.SubElement(element, "id"), str(transaction_type.id))
        _set_text(etree.SubElement(element, "name"), transaction_type.name)
        _set_text(etree.SubElement(element, "description"), transaction_type.description)
        etree.SubElement(element, "attributes")
    return _document(root)


def decode_transaction_types(body: bytes) -> list[TransactionType]:
    """Id and name of each type; its attributes and archiving settings are not ours to read."""
    root = _parse_root(body, "transaction_types")
    return [
        TransactionType(
            id=_decode_int(_child_text(element, "id"), "transaction type id"),
            name=(_child_text(element, "name") or "").strip(),
            description=(_child_text(element, "description") or "").strip(),
        )
        for element in root.iter("transaction_type")
    ]


# --- errors and reports


def encode_error(message: str) -> bytes:  # <error><message>…</message></error>
    root = etree.Element("error")
    _set_text(etree.SubElement(root, "message"), message)
    return _document(root)


def decode_error_message(body: bytes) -> str:  # <error><message> or bare <message>; "" for empty/non-XML bodies
    """Never raises: error bodies are only read to enrich our own error."""
    try:
        root = parse(body)
    except CodecError:
        return ""
    if root.tag == "message":
        element = root
    elif root.tag == "error":
        element = root.find("message")
    else:
        return ""
    return (_text(element) or "").strip()


def encode_report(*, success: bool, field_errors: dict[str, str]) -> bytes:  # PUT answer (duplicate email)
    root = etree.Element("report")
    _set_text(etree.SubElement(root, "success"), encode_bool(success))
    if field_errors:
        contact = etree.SubElement(root, "contact")
        for field_name, message in field_errors.items():
            error = etree.SubElement(contact, "error")
            _set_text(etree.SubElement(error, "error_field"), field_name)
            _set_text(etree.SubElement(error, "error_message"), message)
    return _document(root)


def decode_report(body: bytes) -> tuple[bool, dict[str, str]] | None:  # None when the body is not a <report>
    """None for an empty body or well-formed XML that is not a <report>; CodecError for malformed XML."""
    if not body or not body.strip():
        return None
    root = parse(body)
    if root.tag != "report":
        return None
    field_errors: dict[str, str] = {}
    for error in root.iter("error"):
        field_name = (_child_text(error, "error_field") or "").strip()
        field_errors[field_name] = (_child_text(error, "error_message") or "").strip()
    success = decode_bool(_child_text(root, "success"))
    if success is None:
        # No verdict: an error entry means failure (the strict reading), nothing means success.
        success = not field_errors
    return success, field_errors
