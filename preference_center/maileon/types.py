"""Plain values exchanged with Maileon. Wire spellings live here and in codec/client only."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MEDIA_TYPE = "application/vnd.maileon.api+xml"


class Permission(enum.IntEnum):
    """Maileon's permission codes (query parameter `permission`, element `<permission>`)."""

    NONE = 1
    SINGLE_OPT_IN = 2
    CONFIRMED_OPT_IN = 3
    DOUBLE_OPT_IN = 4
    DOUBLE_OPT_IN_PLUS = 5
    OTHER = 6


class PermissionStatus(enum.StrEnum):
    """The read-only standard field PERMISSION_STATUS (maileon-api.md §2.9). Values we do not know read as OTHER."""

    AVAILABLE = "available"  # permission, not unsubscribed
    NONE = "none"  # never had permission
    UNSUBSCRIBED = "unsubscribed"  # left (Maileon anonymizes such contacts)
    OTHER = "other"


class ReasonType(enum.StrEnum):
    """The six unsubscribe reason types Maileon reports on. Unknown types are never sent."""

    TOO_MANY_MESSAGES = "too_many_messages"
    NO_DEMAND = "no_demand"
    CHANGE_OF_CHANNEL = "change_of_channel"
    CHANGE_OF_INTEREST = "change_of_interest"
    TECHNICAL_REASONS = "technical_reasons"
    OTHER = "other"


@dataclass(frozen=True)
class UnsubscribeReason:
    """One `reason` query value: `type` or `type|message`."""

    type: ReasonType
    message: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "type", ReasonType(self.type))
        except ValueError:
            raise ValueError(f"unknown Maileon unsubscribe reason type: {self.type!r}") from None
        object.__setattr__(self, "message", (self.message or "").strip())

    def render(self) -> str:
        return f"{self.type.value}|{self.message}" if self.message else self.type.value

    @classmethod
    def parse(cls, text: str) -> UnsubscribeReason:
        type_, _, message = text.partition("|")
        return cls(type_, message)  # type: ignore[arg-type]  # __post_init__ validates


class CustomFieldType(enum.StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"
    OTHER = "other"  # a type Maileon reports that we do not know: shown and sent as text


@dataclass(frozen=True)
class CustomFieldDefinition:
    name: str
    type: CustomFieldType


@dataclass(frozen=True)
class PreferenceCategory:
    name: str
    description: str = ""


@dataclass(frozen=True)
class PreferenceDefinition:
    """A preference as the account defines it (not a contact's value)."""

    name: str
    category: str
    description: str = ""


@dataclass(frozen=True)
class Preference:
    """A contact's value for one preference. `value` None means Maileon holds no value."""

    name: str
    category: str
    value: bool | None
    source: str | None = None


def _frozen(mapping: Mapping[str, str | None] | None) -> Mapping[str, str | None]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Contact:
    """A contact as read by id + checksum. Field values are wire strings; None means nil (no value).

    A requested standard field without a value is present with None; a custom field without a value is
    absent (Maileon leaves it out).
    """

    id: int
    email: str | None = None
    permission: Permission | None = None
    external_id: str | None = None
    standard_fields: Mapping[str, str | None] = field(default_factory=dict)
    custom_fields: Mapping[str, str | None] = field(default_factory=dict)
    preferences: tuple[Preference, ...] = ()
    # From the standard field PERMISSION_STATUS, which the client asks for with every read.
    permission_status: PermissionStatus | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "standard_fields", _frozen(self.standard_fields))
        object.__setattr__(self, "custom_fields", _frozen(self.custom_fields))
        object.__setattr__(self, "preferences", tuple(self.preferences))

    def preference(self, category: str, name: str) -> Preference | None:
        return next((p for p in self.preferences if p.category == category and p.name == name), None)

    @property
    def has_left(self) -> bool:
        """Unsubscribed: Maileon has anonymized the contact, nothing of its profile is left to change."""
        return self.permission_status is PermissionStatus.UNSUBSCRIBED


@dataclass(frozen=True)
class ContactChanges:
    """The body of an update: only what changed. A None field value clears it (`nil="true"`).

    `email` None means "leave the address alone"; it is sent only when the page lets the recipient change it.
    """

    email: str | None = None
    standard_fields: Mapping[str, str | None] = field(default_factory=dict)
    custom_fields: Mapping[str, str | None] = field(default_factory=dict)
    preferences: tuple[Preference, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "standard_fields", _frozen(self.standard_fields))
        object.__setattr__(self, "custom_fields", _frozen(self.custom_fields))
        object.__setattr__(self, "preferences", tuple(self.preferences))

    def __bool__(self) -> bool:
        return bool(self.email is not None or self.standard_fields or self.custom_fields or self.preferences)


@dataclass(frozen=True)
class TransactionType:
    """A transaction type of the account (GET /transactions/types): a trigger mailing attached to it in Maileon
    sends a mail for every transaction of this type."""

    id: int
    name: str
    description: str = ""


@dataclass(frozen=True)
class Transaction:
    """One event of `POST /transactions` (maileon-api.md §2.10): its type (by id, or by name) and the contact it
    is about (by email or by Maileon id); `content` holds the type's attributes (none for a plain trigger)."""

    type_id: int | None = None
    type_name: str | None = None
    email: str | None = None
    contact_id: int | None = None
    content: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", MappingProxyType(dict(self.content or {})))

    def __repr__(self) -> str:  # the address must never reach a log or a traceback
        email = "'***'" if self.email else None
        return (f"Transaction(type_id={self.type_id}, type_name={self.type_name!r}, email={email}, "
                f"contact_id={self.contact_id})")


@dataclass(frozen=True)
class TransactionReport:
    """Maileon's processing report for one transaction. `queued` None: the report did not say (or could not be
    read). `email` is what Maileon echoes; the client never keeps it (see json_codec)."""

    queued: bool | None
    message: str = ""
    contact_id: int | None = None
    email: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class MaileonConfig:
    base_url: str
    api_key: str
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    # Reads only: a bounded budget so a page never waits much longer than one read timeout.
    read_retries: int = 2
    max_retry_after: float = 5.0
    user_agent: str = "maileon-preference-center/0.1"

    def __repr__(self) -> str:  # the key must never reach a log or a traceback
        return f"MaileonConfig(base_url={self.base_url!r}, api_key='***')"
