"""MaileonClient: one method per Maileon operation we use, named as Maileon names it.

INTERFACE FIXED BY THE LEAD: keep these names and signatures (keyword-only); services code against them.
"""

from __future__ import annotations

from collections.abc import Sequence

from .types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    MaileonConfig,
    Permission,
    PreferenceCategory,
    PreferenceDefinition,
    UnsubscribeReason,
)


class MaileonClient:
    def __init__(self, config: MaileonConfig) -> None:
        self.config = config

    def get_contact(
        self,
        *,
        contact_id: int,
        checksum: str,
        standard_fields: Sequence[str] = (),
        custom_fields: Sequence[str] = (),
        preference_categories: Sequence[str] = (),
    ) -> Contact:
        """GET /contacts/contact. 4xx other than 401/403/429 -> InvalidLinkError."""
        raise NotImplementedError

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
        raise NotImplementedError

    def unsubscribe_contact(
        self, *, contact_id: int, mailing_id: int | None = None, reasons: Sequence[UnsubscribeReason] = ()
    ) -> None:
        """DELETE /contacts/contact/unsubscribe (no checksum: callers verify with get_contact first)."""
        raise NotImplementedError

    def unsubscribe_contacts_by_email(
        self,
        *,
        email: str,
        newsletter_account_ids: Sequence[int],
        mailing_id: int | None = None,
        reasons: Sequence[UnsubscribeReason] = (),
    ) -> None:
        """DELETE /contacts/email/{email}/unsubscribe with repeated nlaccountid."""
        raise NotImplementedError

    def add_unsubscribe_reasons(
        self, *, contact_id: int, checksum: str, reasons: Sequence[UnsubscribeReason]
    ) -> None:
        """PUT /contacts/contact/unsubscribe/reasons (no body)."""
        raise NotImplementedError

    def get_preference_categories(self) -> list[PreferenceCategory]:
        raise NotImplementedError

    def get_preferences(self, *, category: str) -> list[PreferenceDefinition]:
        """GET /contacts/preference_categories/{category}/preferences."""
        raise NotImplementedError

    def get_custom_field_definitions(self) -> list[CustomFieldDefinition]:
        """GET /contacts/fields/custom."""
        raise NotImplementedError
