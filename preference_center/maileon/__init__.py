"""Client for Maileon's REST API (XML over HTTPS). No Django imports: settings reach it as a MaileonConfig."""

from .client import MaileonClient
from .errors import InvalidLinkError, MaileonError, ProtocolError, RejectedError, UnavailableError
from .types import (
    Contact,
    ContactChanges,
    CustomFieldDefinition,
    CustomFieldType,
    MaileonConfig,
    Permission,
    PermissionStatus,
    Preference,
    PreferenceCategory,
    PreferenceDefinition,
    ReasonType,
    Transaction,
    TransactionReport,
    TransactionType,
    UnsubscribeReason,
)

__all__ = [
    "Contact",
    "ContactChanges",
    "CustomFieldDefinition",
    "CustomFieldType",
    "InvalidLinkError",
    "MaileonClient",
    "MaileonConfig",
    "MaileonError",
    "Permission",
    "PermissionStatus",
    "Preference",
    "PreferenceCategory",
    "PreferenceDefinition",
    "ProtocolError",
    "ReasonType",
    "RejectedError",
    "Transaction",
    "TransactionReport",
    "TransactionType",
    "UnavailableError",
    "UnsubscribeReason",
]
