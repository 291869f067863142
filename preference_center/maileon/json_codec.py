"""JSON <-> plain values for the one JSON call we make, `POST /transactions` (maileon-api.md §2.10), both
directions: the client encodes transactions and decodes Maileon's processing reports; the sandbox does the
reverse. Built and read with the json module, never by string formatting. Pure: bytes in, types out.

The client reads reports tolerantly (an unknown shape is "not said", never an error: by then Maileon may have
queued the mail, and a recipient must not be told to send it again); the sandbox reads transactions strictly, so
a body our client gets wrong shows up in tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .codec import MAX_BODY_BYTES, CodecError
from .types import Transaction, TransactionReport

MEDIA_TYPE = "application/json"

# What Maileon documents for one transaction object; `import` and `attachments` are valid there but never ours.
TRANSACTION_KEYS = frozenset({"type", "typeName", "contact", "import", "content", "attachments"})
CONTACT_KEYS = frozenset({"id", "email", "external_id"})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- client: the request body


def encode_transactions(transactions: Iterable[Transaction]) -> bytes:
    events = []
    for transaction in transactions:
        event: dict[str, object] = {}
        if transaction.type_id is not None:
            event["type"] = transaction.type_id
        elif transaction.type_name:
            event["typeName"] = transaction.type_name
        else:
            raise CodecError("a transaction needs a type id or a type name")
        contact: dict[str, object] = {}
        if transaction.contact_id is not None:
            contact["id"] = transaction.contact_id
        if transaction.email:
            contact["email"] = transaction.email
        if not contact:
            raise CodecError("a transaction needs a contact (id or email)")
        event["contact"] = contact
        event["content"] = dict(transaction.content)
        events.append(event)
    # UTF-8 as JSON requires (RFC 8259); an address with non-ASCII characters travels as itself.
    return json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- client: the answer, read tolerantly


def _load(body: bytes) -> object:
    if not isinstance(body, (bytes, bytearray)):
        raise CodecError("JSON body must be bytes")
    if len(body) > MAX_BODY_BYTES:
        raise CodecError(f"JSON body larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise CodecError("empty JSON body")
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise CodecError("malformed JSON") from exc


def _queued(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def decode_transaction_reports(body: bytes) -> list[TransactionReport]:
    """`{"reports": [{"contact": {...}, "queued": true, "message": "..."}]}` as XQueue's PHP and Java clients read
    it (ProcessingReports); a bare list of reports is taken too. Entries that are not objects, or fields of another
    type, read as "not said". The echoed address is left out: the client keeps none. CodecError only when the body
    is not JSON at all."""
    data = _load(body)
    entries = data.get("reports") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return []
    reports = []
    for entry in entries:
        if not isinstance(entry, dict):
            reports.append(TransactionReport(queued=None))
            continue
        contact = entry.get("contact")
        contact_id = contact.get("id") if isinstance(contact, dict) else None
        message = entry.get("message")
        reports.append(TransactionReport(
            queued=_queued(entry.get("queued")),
            message=message if isinstance(message, str) else "",
            contact_id=contact_id if _is_int(contact_id) else None,
        ))
    return reports


# --- sandbox: the request body, read strictly; the answer


def decode_transactions(body: bytes) -> list[Transaction]:
    """The body of `POST /transactions`: a non-empty list of transaction objects. CodecError names what is wrong."""
    data = _load(body)
    if not isinstance(data, list) or not data:
        raise CodecError("the body must be a non-empty JSON list of transactions")
    return [_decode_transaction(entry) for entry in data]


def _decode_transaction(entry: object) -> Transaction:
    if not isinstance(entry, dict):
        raise CodecError("every transaction must be a JSON object")
    unknown = sorted(set(entry) - TRANSACTION_KEYS)
    if unknown:
        raise CodecError(f"unknown transaction attribute: {unknown[0]}")
    type_id, type_name = entry.get("type"), entry.get("typeName")
    if type_id is not None and not (_is_int(type_id) and type_id > 0):
        raise CodecError("type must be a positive number")
    if type_name is not None and not (isinstance(type_name, str) and type_name.strip()):
        raise CodecError("typeName must be a name")
    if type_id is None and type_name is None:
        raise CodecError("type or typeName is required")
    # Valid in Maileon, but nothing we send: the sandbox says so rather than pretend to honour them.
    if "import" in entry:
        raise CodecError("import is not implemented in the sandbox")
    contact = entry.get("contact")
    if not isinstance(contact, dict) or not contact or set(contact) - CONTACT_KEYS:
        raise CodecError("contact must name id, email or external_id")
    if "external_id" in contact:
        raise CodecError("contact.external_id is not implemented in the sandbox")
    contact_id, email = contact.get("id"), contact.get("email")
    if contact_id is not None and not (_is_int(contact_id) and contact_id > 0):
        raise CodecError("contact.id must be a positive number")
    if email is not None and not isinstance(email, str):
        raise CodecError("contact.email must be a string")
    content = entry.get("content", {})
    if not isinstance(content, dict):
        raise CodecError("content must be a JSON object")
    if "attachments" in entry and not isinstance(entry["attachments"], list):
        raise CodecError("attachments must be a list")
    return Transaction(type_id=type_id, type_name=type_name, email=email, contact_id=contact_id, content=content)


def encode_transaction_reports(reports: Sequence[TransactionReport]) -> bytes:
    entries = []
    for report in reports:
        contact: dict[str, object] = {}
        if report.contact_id is not None:
            contact["id"] = report.contact_id
        if report.email is not None:
            contact["email"] = report.email
        entry: dict[str, object] = {"contact": contact, "queued": bool(report.queued)}
        if report.message:
            entry["message"] = report.message
        entries.append(entry)
    return json.dumps({"reports": entries}, ensure_ascii=False).encode("utf-8")
