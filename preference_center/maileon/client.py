"""MaileonClient: one method per Maileon operation we use, named as Maileon names it.

Each method builds the wire call (maileon-api.md §2), lets the transport send it, and decides what a 4xx means
for this operation. Only MaileonError subclasses leave a method once a call is attempted; ValueError marks a
caller's programming mistake found before any call.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TypeVar
from urllib.parse import quote

from . import codec, json_codec
from .errors import InvalidLinkError, MaileonError, ProtocolError, RejectedError
from ..redaction import redact
from .transport import Response, Transport
from .types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    MaileonConfig,
    Permission,
    PreferenceCategory,
    PreferenceDefinition,
    Transaction,
    TransactionReport,
    TransactionType,
    UnsubscribeReason,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
Params = list[tuple[str, str]]

# Transaction types are listed a page at a time; Maileon's paged lists take at most 1000 (GUESS, as documented for
# its other paged lists), and an account with more than this many pages of types is not one we expect.
TRANSACTION_TYPES_PAGE_SIZE = 1000
TRANSACTION_TYPES_MAX_PAGES = 10

# Asked for with every contact read (maileon-api.md §2.9): the checksum to compare with the link's ourselves,
# and whether the contact has already left.
CHECKSUM_FIELD = "CHECKSUM"
PERMISSION_STATUS_FIELD = "PERMISSION_STATUS"


def _segment(value: str) -> str:
    """A path segment: everything percent-encoded (`@` -> %40, `+` -> %2B, space -> %20), as XQueue's
    rawurlencode does; a bare `+` might be read as a space."""
    return quote(value, safe="")


def _reasons(reasons: Sequence[UnsubscribeReason]) -> Params:
    return [("reason", reason.render()) for reason in reasons]


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


class MaileonClient:
    def __init__(self, config: MaileonConfig) -> None:
        self.config = config
        self._transport = Transport(config)

    def close(self) -> None:
        """End the pooled connections to Maileon of every thread (shutdown, tests)."""
        self._transport.close_all()

    def __repr__(self) -> str:
        return f"MaileonClient({self.config!r})"

    # --- contacts

    def get_contact(
        self,
        *,
        contact_id: int,
        checksum: str,
        standard_fields: Sequence[str] = (),
        custom_fields: Sequence[str] = (),
        preference_categories: Sequence[str] = (),
    ) -> Contact:
        """GET /contacts/contact. 4xx other than 401/403/429 -> InvalidLinkError.

        The contact's CHECKSUM is read too and compared with `checksum` here, in constant time: whether Maileon
        refuses a wrong checksum on reads is undocumented (XQueue's own tests read with an empty one), and the
        by-id unsubscribe takes none, so this comparison is what guards it. A mismatch, or an answer without a
        checksum, is an invalid link whatever Maileon answered. The returned contact carries no checksum."""
        operation = "get_contact"
        params = self._contact_params(operation, contact_id, checksum)
        requested = [name for name in standard_fields if name not in (CHECKSUM_FIELD, PERMISSION_STATUS_FIELD)]
        params += [("standard_field", name) for name in [*requested, CHECKSUM_FIELD, PERMISSION_STATUS_FIELD]]
        params += [("custom_field", name) for name in custom_fields]
        params += [("preference_categories", name) for name in preference_categories]
        response = self._transport.request("GET", "/contacts/contact", params=params, operation=operation)
        self._raise_for_client_error(response, operation, not_found=InvalidLinkError, other=InvalidLinkError)
        contact = self._decode(response, operation, codec.decode_contact)
        if contact.id != contact_id:
            # Never show one contact's data under another's link.
            raise ProtocolError("answer is about another contact", operation=operation, status=response.status)
        fields = dict(contact.standard_fields)
        actual = fields.pop(CHECKSUM_FIELD, None) or ""
        if not hmac.compare_digest(actual.encode(), checksum.encode()):
            raise InvalidLinkError("checksum does not match the contact's", operation=operation)
        status = codec.decode_permission_status(fields.pop(PERMISSION_STATUS_FIELD, None))
        return replace(contact, standard_fields=fields, permission_status=status)

    def update_contact(
        self,
        *,
        contact_id: int,
        checksum: str,
        changes: ContactChanges,
        page_key: str = "",
        src: str = "",
        permission: Permission | None = None,
        trigger_doi: bool = False,
        doi_mailing: str = "",
    ) -> None:
        """PUT /contacts/contact. Never retried inline. A <report> with success false -> RejectedError(field_errors)."""
        operation = "update_contact"
        if doi_mailing and not trigger_doi:
            raise ValueError("doi_mailing is only read by Maileon together with trigger_doi")
        params = self._contact_params(operation, contact_id, checksum)
        if page_key:
            params.append(("page_key", page_key))
        if src:
            params.append(("src", src))
        if permission is not None:
            params.append(("permission", str(int(Permission(permission)))))
        if trigger_doi:
            params.append(("triggerdoi", codec.encode_bool(True)))
            if doi_mailing:
                params.append(("doimailing", doi_mailing))
        try:
            body = codec.encode_contact_changes(changes)
        except codec.CodecError as exc:
            raise RejectedError("changes cannot be written as XML", operation=operation) from exc
        response = self._transport.request("PUT", "/contacts/contact", params=params, body=body, operation=operation)
        self._raise_for_client_error(response, operation, not_found=InvalidLinkError, other=RejectedError)
        try:
            report = codec.decode_report(response.body)
        except codec.CodecError as exc:
            raise ProtocolError("unreadable answer", operation=operation, status=response.status) from exc
        if report is not None and not report[0]:
            # Maileon's answer status for a refused update is undocumented; the body decides (§2.2).
            field_errors = {name: redact(message, [checksum]) for name, message in report[1].items()}
            raise RejectedError(
                "; ".join(f"{name}: {message}" for name, message in field_errors.items()) or "update refused",
                operation=operation,
                status=response.status,
                field_errors=field_errors,
            )

    def create_contact_by_email(
        self, *, email: str, doi_mailing: str = "", src: str = "", subscription_page: str = ""
    ) -> None:
        """POST /contacts/email/{email} with doi=true: Maileon sends the double opt-in mail, and the contact gets
        permission only when the recipient confirms (maileon-api.md §2.11). The way back for a contact Maileon
        has anonymized after an unsubscribe: only an address the recipient typed can find it again."""
        operation = "create_contact_by_email"
        if not email or not email.strip() or "@" not in email:
            raise ValueError("an email address is needed")
        params: Params = [("permission", str(int(Permission.NONE))), ("doi", codec.encode_bool(True))]
        if doi_mailing:
            params.append(("doimailing", doi_mailing))
        if src:
            params.append(("src", src))
        if subscription_page:
            params.append(("subscription_page", subscription_page))
        response = self._transport.request(
            "POST", f"/contacts/email/{_segment(email.strip())}", params=params, operation=operation
        )
        self._raise_for_client_error(response, operation, not_found=RejectedError, other=RejectedError)

    def unsubscribe_contact(
        self, *, contact_id: int, mailing_id: int | None = None, reasons: Sequence[UnsubscribeReason] = ()
    ) -> None:
        """DELETE /contacts/contact/unsubscribe (no checksum: callers verify with get_contact first)."""
        operation = "unsubscribe_contact"
        if not _is_positive_int(contact_id):
            raise InvalidLinkError("contact id must be a positive integer", operation=operation)
        params: Params = [("id", str(contact_id))]
        params += self._mailing_param(mailing_id)
        params += _reasons(reasons)
        response = self._transport.request(
            "DELETE", "/contacts/contact/unsubscribe", params=params, operation=operation
        )
        self._raise_for_client_error(response, operation, not_found=InvalidLinkError, other=RejectedError)

    def unsubscribe_contacts_by_email(
        self,
        *,
        email: str,
        newsletter_account_ids: Sequence[int],
        mailing_id: int | None = None,
        reasons: Sequence[UnsubscribeReason] = (),
    ) -> None:
        """DELETE /contacts/email/{email}/unsubscribe with repeated nlaccountid."""
        operation = "unsubscribe_contacts_by_email"
        if not email or not email.strip():
            # The address comes from a verified read; an empty one would address the wrong resource.
            raise InvalidLinkError("no email address to unsubscribe", operation=operation)
        if not all(_is_positive_int(account_id) for account_id in newsletter_account_ids):
            raise ValueError("newsletter account ids must be positive integers")
        params: Params = [("nlaccountid", str(account_id)) for account_id in newsletter_account_ids]
        params += self._mailing_param(mailing_id)
        params += _reasons(reasons)
        response = self._transport.request(
            "DELETE", f"/contacts/email/{_segment(email)}/unsubscribe", params=params, operation=operation
        )
        self._raise_for_client_error(response, operation, not_found=InvalidLinkError, other=RejectedError)

    def add_unsubscribe_reasons(
        self, *, contact_id: int, checksum: str, reasons: Sequence[UnsubscribeReason]
    ) -> None:
        """PUT /contacts/contact/unsubscribe/reasons (no body)."""
        operation = "add_unsubscribe_reasons"
        if not reasons:
            raise ValueError("add_unsubscribe_reasons needs at least one reason")
        params = self._contact_params(operation, contact_id, checksum) + _reasons(reasons)
        response = self._transport.request(
            "PUT", "/contacts/contact/unsubscribe/reasons", params=params, operation=operation
        )
        self._raise_for_client_error(response, operation, not_found=InvalidLinkError, other=RejectedError)

    # --- transactions (maileon-api.md §2.10)

    def create_transaction(
        self, *, type_id: int, email: str, content: Mapping[str, object] | None = None
    ) -> TransactionReport:
        """POST /transactions?ignore_invalid_transactions=true with one event for the contact with this address:
        Maileon sends the mailing triggered by the type (e.g. one carrying the contact's personal link). JSON, not
        XML. With ignore_invalid_transactions an unknown address is no error: the report says "not queued", so
        callers that must answer the same either way get the same outcome from this method.

        Not idempotent (every call sends a mail), so never retried once it may have reached Maileon: only a
        connection that was never made is tried again. A 4xx is a RejectedError (an unknown type among them).
        The report is read tolerantly: what it does not say is `queued=None`, never an error, since the mail may
        be on its way by then."""
        operation = "create_transaction"
        if not _is_positive_int(type_id):
            raise ValueError("the transaction type id must be a positive integer")
        if not isinstance(email, str) or not email.strip() or "@" not in email:
            raise ValueError("an email address is needed")
        email = email.strip()
        body = json_codec.encode_transactions([Transaction(type_id=type_id, email=email, content=content or {})])
        response = self._transport.request(
            "POST", "/transactions", params=[("ignore_invalid_transactions", codec.encode_bool(True))], body=body,
            operation=operation, media_type=json_codec.MEDIA_TYPE, retry_unsent=True,
        )
        self._raise_for_client_error(response, operation, not_found=RejectedError, other=RejectedError)
        try:
            reports = json_codec.decode_transaction_reports(response.body)
        except codec.CodecError:
            reports = []
        if not reports:
            logger.warning("maileon %s: answer %s without a readable report; the mail may have been queued",
                           operation, response.status)
            return TransactionReport(queued=None)
        report = reports[0]
        # Maileon's message may repeat the address (e.g. "contact not found: …"): masked before anyone reads it.
        return TransactionReport(queued=report.queued, message=redact(report.message, [email]),
                                 contact_id=report.contact_id)

    def get_transaction_types(self) -> list[TransactionType]:
        """GET /transactions/types, page by page (page_index from 1, page_size), until a page is not full."""
        operation = "get_transaction_types"
        types: list[TransactionType] = []
        for page_index in range(1, TRANSACTION_TYPES_MAX_PAGES + 1):
            params = [("page_index", str(page_index)), ("page_size", str(TRANSACTION_TYPES_PAGE_SIZE))]
            response = self._transport.request("GET", "/transactions/types", params=params, operation=operation)
            self._raise_for_client_error(response, operation, not_found=RejectedError, other=RejectedError)
            page = self._decode(response, operation, codec.decode_transaction_types)
            types += page
            if len(page) < TRANSACTION_TYPES_PAGE_SIZE:
                break
        return types

    # --- account configuration (a 4xx here means our configuration is wrong, never the recipient's link)

    def get_preference_categories(self) -> list[PreferenceCategory]:
        return self._read_configuration(
            "get_preference_categories", "/contacts/preference_categories", codec.decode_preference_categories
        )

    def get_preferences(self, *, category: str) -> list[PreferenceDefinition]:
        """GET /contacts/preference_categories/{category}/preferences."""
        if not category:
            raise ValueError("category must not be empty")
        return self._read_configuration(
            "get_preferences",
            f"/contacts/preference_categories/{_segment(category)}/preferences",
            lambda body: codec.decode_preference_definitions(body, category=category),
        )

    def get_custom_field_definitions(self) -> list[CustomFieldDefinition]:
        """GET /contacts/fields/custom."""
        return self._read_configuration(
            "get_custom_field_definitions", "/contacts/fields/custom", codec.decode_custom_field_definitions
        )

    # --- shared steps

    @staticmethod
    def _contact_params(operation: str, contact_id: int, checksum: str) -> Params:
        """id + checksum, refused here when they cannot be a real link (never forwarded to Maileon, which
        might accept an empty checksum: XQueue's own test reads a contact with one)."""
        if not _is_positive_int(contact_id):
            raise InvalidLinkError("contact id must be a positive integer", operation=operation)
        if not isinstance(checksum, str) or not checksum.strip():
            raise InvalidLinkError("checksum is empty", operation=operation)
        return [("id", str(contact_id)), ("checksum", checksum)]

    @staticmethod
    def _mailing_param(mailing_id: int | None) -> Params:
        if mailing_id is None:
            return []
        if not _is_positive_int(mailing_id):
            raise ValueError("mailing id must be a positive integer")
        return [("mailingId", str(mailing_id))]

    @staticmethod
    def _raise_for_client_error(
        response: Response, operation: str, *, not_found: type[MaileonError], other: type[MaileonError]
    ) -> None:
        """The transport returns 2xx and the 4xx whose meaning depends on the operation."""
        if 200 <= response.status < 300:
            return
        error_class = not_found if response.status == 404 else other
        if error_class is RejectedError:
            raise RejectedError(
                response.maileon_message,
                operation=operation,
                status=response.status,
                field_errors={name: redact(message) for name, message in _field_errors(response.body).items()},
            )
        raise error_class(response.maileon_message, operation=operation, status=response.status)

    @staticmethod
    def _decode(response: Response, operation: str, decode: Callable[[bytes], T]) -> T:
        if not response.is_xml:
            raise ProtocolError(
                f"unexpected media type {response.media_type[:60]!r}", operation=operation, status=response.status
            )
        try:
            return decode(response.body)
        except codec.CodecError as exc:
            raise ProtocolError(f"unreadable answer: {exc}", operation=operation, status=response.status) from exc

    def _read_configuration(self, operation: str, path: str, decode: Callable[[bytes], T]) -> T:
        response = self._transport.request("GET", path, operation=operation)
        self._raise_for_client_error(response, operation, not_found=RejectedError, other=RejectedError)
        return self._decode(response, operation, decode)


def _field_errors(body: bytes) -> dict[str, str]:
    """A 4xx may carry a <report> too (its status is undocumented): keep its per-field messages."""
    try:
        report = codec.decode_report(body)
    except codec.CodecError:
        return {}
    return report[1] if report else {}
