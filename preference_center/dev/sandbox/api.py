"""The fake Maileon's one core: a request in plain values, an answer out. The doors (testing.py, views.py)
only translate HTTP to and from this.

As strict as Maileon (maileon-api.md), and strict "about what is wrong, not about what is merely different"
(§5.10). Where Maileon's behaviour is undocumented we pick the strictest plausible answer and say so in a
comment marked GUESS.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from preference_center.maileon import codec, json_codec
from preference_center.maileon.types import (
    MEDIA_TYPE,
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    CustomFieldType,
    Permission,
    Preference,
    PreferenceCategory,
    TransactionReport,
    TransactionType,
    UnsubscribeReason,
)

from . import store as store_module
from .store import (
    READ_ONLY_STANDARD_FIELDS,
    SANDBOX_API_KEY,
    STANDARD_FIELDS,
    WRITABLE_STANDARD_FIELDS,
    DoiMail,
    PreferenceValue,
    RecordedReason,
    RecordedUpdate,
    SandboxContact,
    SandboxStore,
    now_timestamp,
    same_address,
)

EXPECTED_AUTHORIZATION = "Basic " + base64.b64encode(SANDBOX_API_KEY.encode()).decode()
MAX_TEXT_LENGTH = 255
_INT32 = (-(2**31), 2**31 - 1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
_LOCALE = re.compile(r"^[a-z]{2}(_[A-Z]{2})?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUMERIC_ID = re.compile(r"^\d{1,18}$")
_GENDERS = {"m", "f", "d"}  # `d` per the current help-center page
WILDCARDS = {"application/*", "*/*"}


@dataclass(frozen=True)
class SandboxResponse:
    """What a door sends back. `delay` (seconds) and `drop` come from fault switches: the door waits before
    answering, or closes the connection without an answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    drop: bool = False


class Refusal(Exception):
    """Raised inside an operation: answer `status` with `<error><message>`, change nothing."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def handle(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    store: SandboxStore | None = None,
) -> SandboxResponse:
    """Answer one Maileon call. `path` is relative to the API base and already percent-decoded; `query` is
    decoded, in order, with repeats and blank values. `store` None: `sandbox.store.default_store`, looked up at
    call time."""
    store = store if store is not None else store_module.default_store
    method = method.upper()
    query = [(str(name), str(value)) for name, value in query]
    store.record_call(method, path, query)

    fault = store.faults.take(method, path)
    delay = fault.delay if fault else 0.0
    if fault and fault.drop:
        return SandboxResponse(0, delay=delay, drop=True)
    if fault and fault.status is not None:
        fault_headers = {"Content-Type": MEDIA_TYPE}
        if fault.retry_after is not None:
            fault_headers["Retry-After"] = fault.retry_after
        return SandboxResponse(fault.status, fault_headers, codec.encode_error("sandbox fault"), delay=delay)

    headers = {name.lower(): value for name, value in headers.items()}
    try:
        _check_authorization(headers)
        operation, path_args = _route(method, path)
        _check_media_types(method, headers, operation)
        with store.lock:
            store.process_due()
            answer = operation(_Request(store, _Query(query, operation), path_args, body))
            store.process_due()
    except Refusal as refusal:
        answer = _error(refusal.status, refusal.message)
    return SandboxResponse(answer.status, answer.headers, answer.body, delay=delay)


# --- transport: auth, media types


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _check_authorization(headers: Mapping[str, str]) -> None:
    if headers.get("authorization") != EXPECTED_AUTHORIZATION:
        raise Refusal(401, "unauthorized")


def _check_media_types(method: str, headers: Mapping[str, str], operation: _Operation) -> None:
    """Maileon's XML on every call but one: POST /transactions takes and answers JSON (maileon-api.md §2.10)."""
    accept = headers.get("accept")
    # Maileon answers `*/*` (the Java client's PUT sends only the JDK default, `text/html, …, */*`); an Accept
    # header that names neither the operation's media type nor a wildcard for it gets 406. Parameters (charset)
    # are ignored.
    if accept is not None and not {_media_type(part) for part in accept.split(",")} & {operation.media_type,
                                                                                          *WILDCARDS}:
        raise Refusal(406, "not acceptable")
    # GUESS (strict): every PUT and POST names its body's type, also without a body (both official clients send
    # it always), so a call that forgot it, or sent XML where JSON is due, shows up here.
    if method in {"PUT", "POST"} and _media_type(headers.get("content-type", "")) != operation.media_type:
        raise Refusal(415, "unsupported media type")


# --- routing and query checks


@dataclass(frozen=True)
class _Operation:
    handler: Callable[[_Request], SandboxResponse]
    params: frozenset[str]  # every query name it takes
    repeatable: frozenset[str] = frozenset()
    media_type: str = MEDIA_TYPE  # what its body is written in (Content-Type) and its answer (Accept)

    def __call__(self, request: _Request) -> SandboxResponse:
        return self.handler(request)


class _Query:
    """The query of one call, checked against what the operation takes."""

    def __init__(self, pairs: list[tuple[str, str]], operation: _Operation) -> None:
        for name, _ in pairs:
            # A name the operation doesn't take is refused, never ignored: a silently dropped `mailingid`
            # (lower case) is exactly the bug this sandbox exists to show.
            if name not in operation.params:
                raise Refusal(400, f"unknown query parameter: {name}")
        for name in {name for name, _ in pairs} - operation.repeatable:
            if sum(1 for key, _ in pairs if key == name) > 1:
                raise Refusal(400, f"query parameter given more than once: {name}")
        self._pairs = pairs

    def get(self, name: str) -> str | None:
        return next((value for key, value in self._pairs if key == name), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]


@dataclass
class _Request:
    store: SandboxStore
    query: _Query
    path_args: dict[str, str]
    body: bytes


def _route(method: str, path: str) -> tuple[_Operation, dict[str, str]]:
    for route_method, pattern, operation in _ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return operation, match.groupdict()
    raise Refusal(501, f"not implemented in the sandbox: {method} {path}")


# --- answers


def _xml(body: bytes, status: int = 200) -> SandboxResponse:
    return SandboxResponse(status, {"Content-Type": MEDIA_TYPE}, body)


def _error(status: int, message: str) -> SandboxResponse:
    if status == 406:  # the client accepts nothing we could send
        return SandboxResponse(406)
    return _xml(codec.encode_error(message), status)


def _no_content() -> SandboxResponse:
    return SandboxResponse(204)


# --- value checks shared by the operations


def _parse_bool(value: str) -> bool | None:
    return {"true": True, "false": False, "1": True, "0": False}.get(value)


def _contact_id(request: _Request, name: str = "id") -> int:
    value = request.query.get(name)
    if value is None or not _NUMERIC_ID.fullmatch(value):
        raise Refusal(400, f"{name} must be a numeric contact id")
    return int(value)


def _flag(request: _Request, name: str) -> bool:
    value = request.query.get(name)
    if value is None:
        return False
    decoded = _parse_bool(value)
    if decoded is None:
        raise Refusal(400, f"{name} must be true or false")
    return decoded


def _verified_contact(request: _Request, *, lenient: bool = False) -> SandboxContact:
    """The contact named by `id` + `checksum` (the operations that take a checksum). `lenient`: any checksum
    will do, as on a Maileon that does not check checksums on reads (store.lenient_checksum_reads)."""
    contact_id = _contact_id(request)
    # accepted as Maileon does; the call log keeps it
    ignore_checksum = _flag(request, "ignore_checksum") or lenient
    checksum = request.query.get("checksum")
    if not ignore_checksum and not checksum:
        raise Refusal(400, "checksum missing")
    contact = request.store.contact(contact_id)
    if contact is None:
        raise Refusal(404, "contact not found")
    if not ignore_checksum and checksum != request.store.checksum_for(contact_id):
        # GUESS: Maileon's answer to a wrong checksum is undocumented; we answer 400 with this message.
        raise Refusal(400, "invalid checksum")
    return contact


def _mailing_id(request: _Request) -> int | None:
    value = request.query.get("mailingId")
    if value is None:
        return None
    if not _NUMERIC_ID.fullmatch(value):
        raise Refusal(400, "mailingId must be numeric")
    mailing_id = int(value)
    # Documented for drafts (not sealed); GUESS (strict) for ids that don't exist at all.
    if mailing_id not in request.store.sent_mailing_ids:
        raise Refusal(400, "mailing has not been sent")
    return mailing_id


def _reasons(request: _Request) -> tuple[UnsubscribeReason, ...]:
    try:
        # GUESS (strict): Maileon's answer to an unknown reason type is undocumented; we refuse it.
        return tuple(UnsubscribeReason.parse(text) for text in request.query.all("reason"))
    except ValueError as error:
        raise Refusal(400, "unknown unsubscribe reason type") from error


# --- 2.1 Get Contact By Maileon ID


def _get_contact(request: _Request) -> SandboxResponse:
    contact = _verified_contact(request, lenient=request.store.lenient_checksum_reads)
    store = request.store
    standard_names = request.query.all("standard_field")
    custom_names = request.query.all("custom_field")
    categories = request.query.all("preference_categories")
    # GUESS (strict): names Maileon doesn't know are refused, so a misspelt or wrongly cased name shows up.
    for name in standard_names:
        if name not in STANDARD_FIELDS:
            raise Refusal(400, f"unknown standard field: {name}")
    for name in custom_names:
        if name not in store.custom_field_definitions:
            raise Refusal(400, f"unknown custom field: {name}")
    for category in categories:
        if category not in store.categories:
            raise Refusal(400, f"unknown preference category: {category}")

    standard_fields = {name: _standard_value(store, contact, name) for name in standard_names}
    custom_fields = {name: contact.custom_fields[name] for name in custom_names if name in contact.custom_fields}
    preferences = tuple(
        Preference(definition.name, category, stored.value, stored.source)
        for category in dict.fromkeys(categories)
        for definition in store.preference_definitions.get(category, ())
        if (stored := contact.preferences.get((category, definition.name))) is not None
    )
    return _xml(
        codec.encode_contact(
            Contact(
                id=contact.id,
                email=contact.email,
                permission=contact.permission,
                external_id=contact.external_id,
                standard_fields=standard_fields,
                custom_fields=custom_fields,
                preferences=preferences,
            ),
            permission_text=contact.reported_permission,
        )
    )


def _standard_value(store: SandboxStore, contact: SandboxContact, name: str) -> str | None:
    if name == "PERMISSION_STATUS":
        return contact.permission_status
    if name == "SENDOUT_STATUS":
        # GUESS: sendout is blocked for contacts without permission.
        return "allowed" if contact.permission_status == "available" else "blocked"
    if name == "CHECKSUM":
        return store.checksum_for(contact.id)
    return contact.standard_fields.get(name)


# --- 2.2 Update Contact By Maileon ID


def _update_contact(request: _Request) -> SandboxResponse:
    contact = _verified_contact(request)
    store = request.store
    permission = _permission(request)
    trigger_doi = _flag(request, "triggerdoi")
    if contact.unsubscribed or store.is_unsubscribe_pending(contact.id):
        # GUESS (strict): an unsubscribed (anonymized) contact can't be changed any more.
        raise Refusal(400, "contact is unsubscribed")
    try:
        changes = codec.decode_contact_changes(request.body)
    except codec.CodecError as error:
        raise Refusal(400, f"invalid contact XML: {error}") from error
    _check_changes(store, changes)
    doi_mailing = request.query.get("doimailing")
    if trigger_doi and doi_mailing is not None and doi_mailing not in store.doi_mailing_keys:
        # GUESS (strict): a DOI mailing key the account lacks is refused, and nothing is changed.
        raise Refusal(400, f"unknown doi mailing: {doi_mailing}")
    if changes.email is not None:
        others = [c for c in store.contacts.values() if c.id != contact.id and c.account_id == contact.account_id]
        if any(same_address(other.email, changes.email) for other in others):
            return _xml(codec.encode_report(success=False, field_errors={"email": "duplicate email"}))

    _apply_changes(store, contact, changes)
    store.updates.append(
        RecordedUpdate(contact.id, changes, request.query.get("page_key"), request.query.get("src"))
    )
    if permission is not None:
        if trigger_doi and permission in {Permission.DOUBLE_OPT_IN, Permission.DOUBLE_OPT_IN_PLUS}:
            # A DOI process starts; the permission changes only when the recipient confirms.
            store.doi_mails.append(
                DoiMail(
                    contact.id, permission, request.query.get("doimailing"), request.query.get("page_key"),
                    request.query.get("src"),
                )
            )  # fmt: skip
        else:
            contact.permission = permission
    # GUESS: the success status is undocumented; 200 without a body.
    return SandboxResponse(200)



def _permission(request: _Request) -> Permission | None:
    value = request.query.get("permission")
    if value is None:
        return None
    if not _NUMERIC_ID.fullmatch(value) or not 1 <= int(value) <= 6:
        raise Refusal(400, "permission must be 1 to 6")
    return Permission(int(value))


def _check_changes(store: SandboxStore, changes: ContactChanges) -> None:
    if changes.email is not None and not _is_plausible_email(changes.email):
        raise Refusal(400, "invalid email")
    for name, value in changes.standard_fields.items():
        if name in READ_ONLY_STANDARD_FIELDS:
            raise Refusal(400, f"standard field is read-only: {name}")
        if name not in WRITABLE_STANDARD_FIELDS:
            raise Refusal(400, f"unknown standard field: {name}")
        if value is not None and not _is_valid_standard_value(name, value):
            raise Refusal(400, f"invalid value for standard field {name}")
    for name, value in changes.custom_fields.items():
        field_type = store.custom_field_definitions.get(name)
        if field_type is None:
            raise Refusal(400, f"unknown custom field: {name}")
        if value is not None and _normalized_custom_value(field_type, value) is None:
            raise Refusal(400, f"invalid value for custom field {name}")
    for preference in changes.preferences:
        if store.preference_definition(preference.category, preference.name) is None:
            raise Refusal(400, f"unknown preference: {preference.category}/{preference.name}")


def _apply_changes(store: SandboxStore, contact: SandboxContact, changes: ContactChanges) -> None:
    if changes.email is not None:
        contact.email = changes.email
    for name, value in changes.standard_fields.items():
        _set_or_clear(contact.standard_fields, name, value)
    for name, value in changes.custom_fields.items():
        field_type = store.custom_field_definitions[name]
        stored = None if value is None else _normalized_custom_value(field_type, value)
        _set_or_clear(contact.custom_fields, name, stored)
    for preference in changes.preferences:
        key = (preference.category, preference.name)
        if preference.value is None:
            contact.preferences.pop(key, None)
        else:
            contact.preferences[key] = PreferenceValue(preference.value, preference.source, now_timestamp())


def _set_or_clear(fields: dict[str, str], name: str, value: str | None) -> None:
    if value is None:
        fields.pop(name, None)
    else:
        fields[name] = value


def _is_plausible_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and "@" not in domain) and len(value) <= MAX_TEXT_LENGTH and not any(
        ch.isspace() for ch in value
    )


def _is_valid_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S" if " " in value else "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _is_valid_standard_value(name: str, value: str) -> bool:
    if len(value) > MAX_TEXT_LENGTH:
        return False
    if name == "GENDER":
        return value in _GENDERS
    if name in {"BIRTHDAY", "NAMEDAY"}:
        return _is_valid_date(value)
    if name == "LOCALE":
        return bool(_LOCALE.fullmatch(value))
    return True


def _normalized_custom_value(field_type: CustomFieldType, value: str) -> str | None:
    """The value as Maileon would store it, or None when it doesn't fit the field's type."""
    if field_type is CustomFieldType.STRING:
        return value if len(value) <= MAX_TEXT_LENGTH else None
    if field_type is CustomFieldType.INTEGER:
        return str(int(value)) if _INTEGER.fullmatch(value) and _INT32[0] <= int(value) <= _INT32[1] else None
    if field_type is CustomFieldType.FLOAT:
        return value if _FLOAT.fullmatch(value) and math.isfinite(float(value)) else None
    if field_type is CustomFieldType.DATE:
        return value if _is_valid_date(value) else None
    if field_type is CustomFieldType.BOOLEAN:
        decoded = _parse_bool(value)  # true/false, and 1/0 as XQueue's PHP client writes them
        return None if decoded is None else ("true" if decoded else "false")
    return None


# --- 2.3 Unsubscribe Contact By Maileon ID, 2.4 Unsubscribe Contacts By Email (asynchronous, anonymizing)


def _unsubscribe_by_id(request: _Request) -> SandboxResponse:
    contact_id = _contact_id(request)
    mailing_id = _mailing_id(request)
    reasons = _reasons(request)
    store = request.store
    contact = store.contact(contact_id)
    if contact is None:
        raise Refusal(404, "contact not found")
    if contact.unsubscribed:
        # GUESS (strict): Maileon's answer to a repeat is undocumented; we refuse it.
        raise Refusal(400, "contact already unsubscribed")
    store.queue_unsubscribe(contact_id, mailing_id=mailing_id, reasons=reasons)
    return _no_content()


def _unsubscribe_by_email(request: _Request) -> SandboxResponse:
    store = request.store
    email = request.path_args["email"]
    account_texts = request.query.all("nlaccountid")
    if any(not _NUMERIC_ID.fullmatch(text) for text in account_texts):
        raise Refusal(400, "nlaccountid must be numeric")
    mailing_id = _mailing_id(request)
    reasons = _reasons(request)
    # Accounts not owned by the key's owner are skipped silently (documented). GUESS: with nlaccountid given,
    # the key's own account counts only if listed; without it, only the key's own account.
    if account_texts:
        accounts = {int(text) for text in account_texts} & store.owned_account_ids
    else:
        accounts = {store.HOME_ACCOUNT_ID}
    for contact in store.contacts_with_address(email, accounts):
        if not contact.unsubscribed:
            store.queue_unsubscribe(contact.id, mailing_id=mailing_id, reasons=reasons)
    return _no_content()  # also when no contact has that address


# --- 2.11 Create a contact by email (the way back after an unsubscribe, by double opt-in)


def _create_contact_by_email(request: _Request) -> SandboxResponse:
    store = request.store
    email = request.path_args["email"]
    if not _is_plausible_email(email):
        raise Refusal(400, "invalid email")
    permission = _permission(request) or Permission.NONE
    doi = _flag(request, "doi")
    doi_mailing = request.query.get("doimailing")
    if doi and doi_mailing is not None and doi_mailing not in store.doi_mailing_keys:
        raise Refusal(400, f"unknown doi mailing: {doi_mailing}")  # GUESS (strict), as on the update
    if request.body:
        raise Refusal(400, "the sandbox takes no contact body here")
    existing = [c for c in store.contacts_with_address(email, {store.HOME_ACCOUNT_ID}) if not c.unsubscribed]
    # GUESS: an address that is still subscribed is left as it is (sync_mode's default keeps what is there);
    # otherwise a new contact is created, without permission until the recipient confirms the DOI mail.
    contact = existing[0] if existing else store.add_contact(
        store.next_contact_id(), email, permission=Permission.NONE if doi else permission
    )
    if doi and contact.permission is Permission.NONE:
        store.doi_mails.append(
            DoiMail(contact.id, Permission.DOUBLE_OPT_IN, doi_mailing, None, request.query.get("src"))
        )
    return SandboxResponse(201)  # GUESS: Maileon's status for a created contact; any 2xx is success


# --- 2.5 Adding Unsubscription Reason to Already Unsubscribed Contact


def _add_unsubscribe_reasons(request: _Request) -> SandboxResponse:
    contact = _verified_contact(request)
    reasons = _reasons(request)
    if not reasons:
        raise Refusal(400, "reason missing")  # GUESS (strict): the call is pointless without one
    if not contact.unsubscribed:
        raise Refusal(400, "contact is not unsubscribed")
    request.store.reasons.extend(RecordedReason(contact.id, reason) for reason in reasons)
    return _no_content()


# --- 2.10 Transactions (JSON): a trigger mailing sends a mail for each transaction of its type


def _create_transactions(request: _Request) -> SandboxResponse:
    store = request.store
    value = request.query.get("ignore_invalid_transactions")
    ignore_invalid = True if value is None else _flag(request, "ignore_invalid_transactions")  # documented default
    _flag(request, "generate_transaction_id")  # checked; the sandbox's types have no transaction_id attribute
    try:
        transactions = json_codec.decode_transactions(request.body)
    except codec.CodecError as error:
        raise Refusal(400, f"invalid transactions: {error}") from error
    # Every transaction is checked before any is sent: a refused body sends nothing.
    planned = []
    for transaction in transactions:
        transaction_type = store.transaction_type(type_id=transaction.type_id, name=transaction.type_name)
        if transaction_type is None:
            # GUESS (strict): an unknown type refuses the whole call, ignore_invalid_transactions or not.
            raise Refusal(400, f"unknown transaction type: {transaction.type_id or transaction.type_name}")
        unknown = sorted(set(transaction.content) - transaction_type.attributes)
        if unknown:
            raise Refusal(400, f"unknown attribute of transaction type {transaction_type.name}: {unknown[0]}")
        planned.append((transaction, transaction_type, _transaction_contact(store, transaction)))
    if not ignore_invalid and any(contact is None for _, _, contact in planned):
        raise Refusal(400, "invalid transaction: contact not found")  # documented for ignore_invalid false
    reports = []
    for transaction, transaction_type, contact in planned:
        if contact is None:
            # GUESS: the report Maileon gives for an address it does not know (not queued, with a message).
            reports.append(TransactionReport(queued=False, message="contact not found", email=transaction.email,
                                             contact_id=transaction.contact_id))
            continue
        store.record_transaction_mail(transaction_type, contact)
        reports.append(TransactionReport(queued=True, contact_id=contact.id, email=transaction.email))
    # GUESS: 201 with the processing reports (XQueue's clients read them from the answer; any 2xx is success).
    return SandboxResponse(201, {"Content-Type": json_codec.MEDIA_TYPE}, json_codec.encode_transaction_reports(reports))


def _transaction_contact(store: SandboxStore, transaction) -> SandboxContact | None:
    """The contact a transaction is about: by id, else by address in the key's own account; never one who left
    (anonymized, only the id is left)."""
    if transaction.contact_id is not None:
        contact = store.contact(transaction.contact_id)
    else:
        found = store.contacts_with_address(transaction.email or "", {store.HOME_ACCOUNT_ID})
        contact = found[0] if found else None
    return None if contact is None or contact.unsubscribed else contact


def _get_transaction_types(request: _Request) -> SandboxResponse:
    page_index = _positive_number(request, "page_index", default=1)
    # GUESS: Maileon's paged lists default to 10 and take at most 1000 per page (XQueue's PHP client's default).
    page_size = _positive_number(request, "page_size", default=10)
    if page_size > 1000:
        raise Refusal(400, "page_size must be 1 to 1000")
    types = sorted(request.store.transaction_types.values(), key=lambda t: t.id)
    page = types[(page_index - 1) * page_size:page_index * page_size]
    return _xml(codec.encode_transaction_types([TransactionType(t.id, t.name, t.description) for t in page]))


def _positive_number(request: _Request, name: str, *, default: int) -> int:
    value = request.query.get(name)
    if value is None:
        return default
    if not _NUMERIC_ID.fullmatch(value) or int(value) < 1:
        raise Refusal(400, f"{name} must be a positive number")
    return int(value)


# --- 2.6 preference categories, 2.8 custom fields (account configuration)


def _category(request: _Request) -> PreferenceCategory:
    category = request.store.categories.get(request.path_args["category"])
    if category is None:
        raise Refusal(404, "preference category not found")
    return category


def _get_preference_categories(request: _Request) -> SandboxResponse:
    return _xml(codec.encode_preference_categories(list(request.store.categories.values())))


def _get_preference_category(request: _Request) -> SandboxResponse:
    return _xml(codec.encode_preference_category(_category(request)))


def _get_preferences(request: _Request) -> SandboxResponse:
    category = _category(request)
    return _xml(codec.encode_preference_definitions(list(request.store.preference_definitions[category.name])))


def _get_custom_field_definitions(request: _Request) -> SandboxResponse:
    definitions = request.store.custom_field_definitions
    return _xml(
        codec.encode_custom_field_definitions(
            [CustomFieldDefinition(name, field_type) for name, field_type in definitions.items()]
        )
    )


_CONTACT_READ = _Operation(
    _get_contact,
    frozenset({"id", "checksum", "standard_field", "custom_field", "preference_categories", "ignore_checksum"}),
    repeatable=frozenset({"standard_field", "custom_field", "preference_categories"}),
)
_CONTACT_UPDATE = _Operation(
    _update_contact,
    frozenset({"id", "checksum", "permission", "triggerdoi", "src", "page_key", "doimailing", "ignore_checksum"}),
)
# No checksum here (nor ignore_checksum, nlaccountid): anyone holding the key may unsubscribe any id.
_UNSUBSCRIBE_BY_ID = _Operation(
    _unsubscribe_by_id, frozenset({"id", "mailingId", "reason"}), repeatable=frozenset({"reason"})
)
_UNSUBSCRIBE_BY_EMAIL = _Operation(
    _unsubscribe_by_email,
    frozenset({"nlaccountid", "mailingId", "reason"}),
    repeatable=frozenset({"nlaccountid", "reason"}),
)
_CREATE_BY_EMAIL = _Operation(
    _create_contact_by_email,
    frozenset({"permission", "doi", "doiplus", "doimailing", "src", "subscription_page", "sync_mode"}),
)
_ADD_REASONS = _Operation(
    _add_unsubscribe_reasons, frozenset({"id", "checksum", "ignore_checksum", "reason"}), frozenset({"reason"})
)

_CREATE_TRANSACTIONS = _Operation(
    _create_transactions, frozenset({"ignore_invalid_transactions", "generate_transaction_id"}),
    media_type=json_codec.MEDIA_TYPE,
)
_TRANSACTION_TYPES = _Operation(_get_transaction_types, frozenset({"page_index", "page_size"}))

_ROUTES: list[tuple[str, re.Pattern[str], _Operation]] = [
    ("GET", re.compile(r"/contacts/contact"), _CONTACT_READ),
    ("PUT", re.compile(r"/contacts/contact"), _CONTACT_UPDATE),
    ("DELETE", re.compile(r"/contacts/contact/unsubscribe"), _UNSUBSCRIBE_BY_ID),
    ("DELETE", re.compile(r"/contacts/email/(?P<email>[^/]+)/unsubscribe"), _UNSUBSCRIBE_BY_EMAIL),
    ("POST", re.compile(r"/contacts/email/(?P<email>[^/]+)"), _CREATE_BY_EMAIL),
    ("PUT", re.compile(r"/contacts/contact/unsubscribe/reasons"), _ADD_REASONS),
    ("GET", re.compile(r"/contacts/preference_categories"), _Operation(_get_preference_categories, frozenset())),
    (
        "GET",
        re.compile(r"/contacts/preference_categories/(?P<category>[^/]+)"),
        _Operation(_get_preference_category, frozenset()),
    ),
    (
        "GET",
        re.compile(r"/contacts/preference_categories/(?P<category>[^/]+)/preferences"),
        _Operation(_get_preferences, frozenset()),
    ),
    ("GET", re.compile(r"/contacts/fields/custom"), _Operation(_get_custom_field_definitions, frozenset())),
    ("POST", re.compile(r"/transactions"), _CREATE_TRANSACTIONS),
    ("GET", re.compile(r"/transactions/types"), _TRANSACTION_TYPES),
]
