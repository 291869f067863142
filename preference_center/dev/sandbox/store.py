"""The fake Maileon's memory: contacts, account configuration, what was called, what was "sent".

Everything lives in one `SandboxStore`; `api.handle` reads and changes it under `store.lock`. The Django view
uses the module-level `default_store` (looked up at call time, so tests can swap it). Checksums are an HMAC of
the contact id with a fixed secret, so demo links keep working across restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import NamedTuple

from preference_center.maileon.types import (
    ContactChanges,
    CustomFieldType,
    Permission,
    PreferenceCategory,
    PreferenceDefinition,
    UnsubscribeReason,
)

SANDBOX_API_KEY = "sandbox"
# Fixed on purpose: a checksum must be the same after a restart, or printed demo links would break.
_CHECKSUM_SECRET = b"maileon-preference-center sandbox checksum v1"
CHECKSUM_LENGTH = 12

DEFAULT_UNSUBSCRIBE_DELAY = 2.0  # seconds; Maileon processes unsubscribes "in the background"

WRITABLE_STANDARD_FIELDS = frozenset(
    {
        "SALUTATION", "TITLE", "FIRSTNAME", "LASTNAME", "FULLNAME", "ORGANIZATION", "ADDRESS", "HNR", "ZIP",
        "CITY", "REGION", "STATE", "COUNTRY", "GENDER", "BIRTHDAY", "NAMEDAY", "LOCALE",
    }
)  # fmt: skip
READ_ONLY_STANDARD_FIELDS = frozenset({"PERMISSION_STATUS", "SENDOUT_STATUS", "CUSTOM_SOURCE", "CHECKSUM"})
STANDARD_FIELDS = WRITABLE_STANDARD_FIELDS | READ_ONLY_STANDARD_FIELDS

_SEED_TIMESTAMP = "2024-03-02 10:15:00"
# The demo account's "send me a new link" type: its trigger mailing carries the default page's profile link.
NEW_LINK_TRANSACTION_TYPE = 7001


def now_timestamp() -> str:
    """Maileon's `last_modified` format."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def same_address(a: str | None, b: str | None) -> bool:
    """Our guess: Maileon compares addresses case-insensitively (duplicates and by-email unsubscribe alike)."""
    return a is not None and b is not None and a.casefold() == b.casefold()


@dataclass
class PreferenceValue:
    value: bool
    source: str | None = None
    last_modified: str = _SEED_TIMESTAMP


@dataclass
class SandboxContact:
    """A contact as Maileon keeps it. Only fields with a value are stored; a missing key means nil."""

    id: int
    email: str | None
    permission: Permission
    account_id: int
    external_id: str | None = None
    standard_fields: dict[str, str] = field(default_factory=dict)
    custom_fields: dict[str, str] = field(default_factory=dict)
    preferences: dict[tuple[str, str], PreferenceValue] = field(default_factory=dict)  # (category, name)
    unsubscribed: bool = False
    # How reads report the permission and PERMISSION_STATUS, where a test plays a Maileon that uses forms we
    # do not know (a type word such as `doi+`, a code beyond 6, a status word). None: the documented forms.
    reported_permission: str | None = None
    reported_permission_status: str | None = None

    @property
    def permission_status(self) -> str:
        if self.reported_permission_status is not None:
            return self.reported_permission_status
        if self.unsubscribed:
            return "unsubscribed"
        return "none" if self.permission is Permission.NONE else "available"

    def anonymize(self) -> None:
        """What Maileon's unsubscribe does: afterwards only the id finds the contact."""
        self.email = None
        self.external_id = None
        self.standard_fields.clear()
        self.custom_fields.clear()
        self.preferences.clear()
        self.permission = Permission.NONE
        self.unsubscribed = True


class Call(NamedTuple):
    """One request as the sandbox received it (path relative to the API base, query decoded, in order)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    @property
    def changes_something(self) -> bool:
        return self.method not in {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class DoiMail:
    """A double opt-in mail the sandbox pretends to have sent (`triggerdoi=true` with permission 4/5)."""

    contact_id: int
    permission: Permission
    doi_mailing: str | None
    page_key: str | None
    src: str | None


# The personal link a trigger mailing carries (maileon-api.md §4): Maileon fills in the placeholders per contact.
PROFILE_LINK_TEMPLATE = "/profile/?contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]"


@dataclass(frozen=True)
class SandboxTransactionType:
    """A transaction type of the account and what its trigger mailing would carry: `link_template` with
    Maileon's placeholders (empty: a mail without a personal link), `attributes` the content it takes."""

    id: int
    name: str
    description: str = ""
    link_template: str = ""
    attributes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TransactionMail:
    """A mail the sandbox pretends its trigger mailing sent for a transaction: the type, the contact (by id: the
    address is not kept here, only in the contact store, as long as the contact has it) and the personal link
    with [CONTACT|ID] and [CONTACT|CHECKSUM] filled in."""

    type_id: int
    type_name: str
    contact_id: int
    link: str
    sent_at: datetime


@dataclass(frozen=True)
class RecordedUpdate:
    """A contact update the sandbox accepted: what the PUT's body asked to change, and who asked (page, source)."""

    contact_id: int
    changes: ContactChanges
    page_key: str | None
    src: str | None


@dataclass(frozen=True)
class RecordedReason:
    contact_id: int
    reason: UnsubscribeReason
    mailing_id: int | None = None


@dataclass(frozen=True)
class PendingUnsubscribe:
    contact_id: int
    mailing_id: int | None
    reasons: tuple[UnsubscribeReason, ...]
    due_at: float


@dataclass(kw_only=True)
class CallMatcher:
    """Which calls a switch applies to, and how many more times. `remaining` None: until cleared."""

    remaining: int | None = 1
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in path

    def take(self, method: str, path: str) -> bool:
        """Whether the switch applies to this call; if so it is counted as used."""
        if not self.matches(method, path):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


@dataclass(kw_only=True)
class Fault(CallMatcher):
    """One switch: answer `status` (with `Retry-After`), or drop the connection, after `delay` seconds.

    With neither status nor drop, the call is served normally, only late.
    """

    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False


class FaultSwitches:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()

    def inject(
        self,
        *,
        status: int | None = None,
        retry_after: float | int | str | None = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int | None = 1,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> Fault:
        if status is not None and drop:
            raise ValueError("a fault either answers a status or drops the connection, not both")
        fault = Fault(
            status=status,
            retry_after=None if retry_after is None else str(retry_after),
            delay=delay,
            drop=drop,
            remaining=times,
            method=method,
            path_contains=path_contains,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Switch every fault off and cut short the delays still running, so no late answer outlives a test."""
        with self._lock:
            self._faults.clear()
            released, self._released = self._released, threading.Event()
        released.set()

    def pause(self, seconds: float) -> None:
        """The doors wait here before a delayed answer (`clear()` ends the wait)."""
        with self._lock:
            released = self._released
        released.wait(seconds)

    def take(self, method: str, path: str) -> Fault | None:
        """The first switch that applies to this call, counted as used."""
        with self._lock:
            return next((fault for fault in self._faults if fault.take(method, path)), None)


def checksum_for(contact_id: int) -> str:
    digest = hmac.new(_CHECKSUM_SECRET, str(contact_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:CHECKSUM_LENGTH]


class SandboxStore:
    """All state of one fake Maileon. `reset()` brings back the demo seed (see `_seed`)."""

    HOME_ACCOUNT_ID = 311  # the API key's own newsletter account

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.contacts: dict[int, SandboxContact] = {}
            self.categories: dict[str, PreferenceCategory] = {}
            self.preference_definitions: dict[str, list[PreferenceDefinition]] = {}
            self.custom_field_definitions: dict[str, CustomFieldType] = {}
            self.sent_mailing_ids: set[int] = set()
            self.owned_account_ids: set[int] = set()
            self.calls: list[Call] = []
            self.pending_unsubscribes: list[PendingUnsubscribe] = []
            self.doi_mails: list[DoiMail] = []
            self.updates: list[RecordedUpdate] = []
            self.reasons: list[RecordedReason] = []
            self.faults = FaultSwitches()
            self.unsubscribe_delay = DEFAULT_UNSUBSCRIBE_DELAY
            # A Maileon that does not check checksums on reads (undocumented either way, maileon-api.md §2.9):
            # the app must compare the CHECKSUM it reads with the link's itself.
            self.lenient_checksum_reads = False
            self.doi_mailing_keys: set[str] = set()
            self.transaction_types: dict[int, SandboxTransactionType] = {}
            self.transaction_mails: list[TransactionMail] = []
            _seed(self)

    # --- reading
    def checksum_for(self, contact_id: int) -> str:
        return checksum_for(contact_id)

    def contact(self, contact_id: int) -> SandboxContact | None:
        return self.contacts.get(contact_id)

    def next_contact_id(self) -> int:
        with self.lock:
            return max([5000, *self.contacts]) + 1

    def contacts_with_address(self, email: str, account_ids: set[int]) -> list[SandboxContact]:
        return [c for c in self.contacts.values() if c.account_id in account_ids and same_address(c.email, email)]

    def transaction_type(self, *, type_id: int | None = None, name: str | None = None
                         ) -> SandboxTransactionType | None:
        if type_id is not None:  # the id wins when both are given, as in Maileon
            return self.transaction_types.get(type_id)
        return next((t for t in self.transaction_types.values() if t.name == name), None)

    def record_transaction_mail(self, transaction_type: SandboxTransactionType, contact: SandboxContact) -> None:
        link = (transaction_type.link_template.replace("[CONTACT|ID]", str(contact.id))
                .replace("[CONTACT|CHECKSUM]", self.checksum_for(contact.id)))
        with self.lock:
            self.transaction_mails.append(TransactionMail(
                transaction_type.id, transaction_type.name, contact.id, link, datetime.now(timezone.utc)))

    def preference_definition(self, category: str, name: str) -> PreferenceDefinition | None:
        return next((p for p in self.preference_definitions.get(category, ()) if p.name == name), None)

    # --- test helpers
    def become_another_account(self) -> None:
        """Play another customer's account: none of the demo account's preference categories, custom fields or
        DOI mailing, names of its own instead; the demo contacts keep their standard fields only."""
        with self.lock:
            self.categories = {"Interessen": PreferenceCategory("Interessen", "Was Sie interessiert")}
            self.preference_definitions = {
                "Interessen": [PreferenceDefinition("Mode", "Interessen", "Mode und Stil"),
                               PreferenceDefinition("Sport", "Interessen", "Sport und Freizeit")],
            }
            self.custom_field_definitions = {"Kundentyp": CustomFieldType.STRING}
            self.doi_mailing_keys = {"doi-anders"}
            self.transaction_types = {
                8101: SandboxTransactionType(8101, "link_anfordern", "Link anfordern", PROFILE_LINK_TEMPLATE),
            }
            for contact in self.contacts.values():
                contact.custom_fields.clear()
                contact.preferences.clear()

    def add_contact(
        self,
        contact_id: int,
        email: str | None,
        *,
        permission: Permission = Permission.DOUBLE_OPT_IN,
        account_id: int | None = None,
        standard_fields: dict[str, str] | None = None,
        custom_fields: dict[str, str] | None = None,
        preferences: dict[tuple[str, str], bool] | None = None,
    ) -> SandboxContact:
        contact = SandboxContact(
            id=contact_id,
            email=email,
            permission=Permission(permission),
            account_id=self.HOME_ACCOUNT_ID if account_id is None else account_id,
            standard_fields=dict(standard_fields or {}),
            custom_fields=dict(custom_fields or {}),
            preferences={key: PreferenceValue(value) for key, value in (preferences or {}).items()},
        )
        with self.lock:
            self.contacts[contact_id] = contact
        return contact

    # --- call log
    def record_call(self, method: str, path: str, query: list[tuple[str, str]]) -> None:
        with self.lock:
            self.calls.append(Call(method, path, tuple(query)))

    def changing_calls(self) -> list[Call]:
        return [call for call in self.calls if call.changes_something]

    def ignore_checksum_calls(self) -> list[Call]:
        """Calls that sent `ignore_checksum` at all (accepted, as Maileon does, but our app must never send it)."""
        return [call for call in self.calls if call.values("ignore_checksum")]

    # --- asynchronous unsubscribe
    def queue_unsubscribe(
        self, contact_id: int, *, mailing_id: int | None, reasons: tuple[UnsubscribeReason, ...]
    ) -> None:
        with self.lock:
            due_at = time.monotonic() + self.unsubscribe_delay
            self.pending_unsubscribes.append(PendingUnsubscribe(contact_id, mailing_id, reasons, due_at))

    def is_unsubscribe_pending(self, contact_id: int) -> bool:
        return any(p.contact_id == contact_id for p in self.pending_unsubscribes)

    def process_due(self) -> None:
        """Carry out queued unsubscribes whose delay has passed (called on every request)."""
        self._process(lambda pending: pending.due_at <= time.monotonic())

    def process_pending(self) -> None:
        """Carry out every queued unsubscribe now, whatever the delay (for tests)."""
        self._process(lambda pending: True)

    def _process(self, is_due) -> None:
        with self.lock:
            due = [p for p in self.pending_unsubscribes if is_due(p)]
            self.pending_unsubscribes = [p for p in self.pending_unsubscribes if not is_due(p)]
            for pending in due:
                contact = self.contacts.get(pending.contact_id)
                if contact is None or contact.unsubscribed:
                    continue  # a repeat queued before the first was processed: the contact is already out
                contact.anonymize()
                self.reasons.extend(RecordedReason(contact.id, r, pending.mailing_id) for r in pending.reasons)


def _seed(store: SandboxStore) -> None:
    """The demo data. Other parts of the project (demo command, page tests) rely on exactly this."""
    store.owned_account_ids = {311, 312}
    store.sent_mailing_ids = {88120, 88121}
    store.doi_mailing_keys = {"doi-standard"}
    store.transaction_types = {
        NEW_LINK_TRANSACTION_TYPE: SandboxTransactionType(
            NEW_LINK_TRANSACTION_TYPE, "neuer_link", "Neuer persönlicher Link", PROFILE_LINK_TEMPLATE),
        7002: SandboxTransactionType(7002, "bestellbestaetigung", "Bestellbestätigung",
                                     attributes=frozenset({"bestellnummer"})),
    }

    store.categories = {
        "Themen": PreferenceCategory("Themen", "Worüber wir schreiben"),
        "Frequenz": PreferenceCategory("Frequenz", "Wie oft wir schreiben"),
    }
    store.preference_definitions = {
        "Themen": [
            PreferenceDefinition("Rezepte", "Themen", "Rezepte und Kochideen"),
            PreferenceDefinition("Reisen", "Themen", "Reiseziele und Angebote"),
            PreferenceDefinition("Technik", "Themen", "Technik und Gadgets"),
            PreferenceDefinition("Angebote", "Themen", "Rabatte und Aktionen"),
        ],
        "Frequenz": [
            PreferenceDefinition("Wöchentlich", "Frequenz", "Jede Woche eine Ausgabe"),
            PreferenceDefinition("Monatlicher Digest", "Frequenz", "Einmal im Monat das Wichtigste"),
        ],
    }
    store.custom_field_definitions = {
        "Lieblingsfarbe": CustomFieldType.STRING,
        "Kundennummer": CustomFieldType.INTEGER,
        "Kunde_seit": CustomFieldType.DATE,
        "VIP": CustomFieldType.BOOLEAN,
        "Rabatt": CustomFieldType.FLOAT,
        # "Pause instead of leaving": the end of a contact's pause; the demo page names it (demo_configuration.py)
        "PAUSE_UNTIL": CustomFieldType.DATE,
    }

    store.add_contact(
        1001,
        "erika.beispiel@example.org",
        permission=Permission.DOUBLE_OPT_IN,
        standard_fields={
            "SALUTATION": "Frau",
            "FIRSTNAME": "Erika",
            "LASTNAME": "Mustermann-Groß",
            "GENDER": "f",
            "BIRTHDAY": "1985-04-12",
            "CITY": "München",
            "ZIP": "80331",
            "COUNTRY": "Deutschland",
            "LOCALE": "de_DE",
        },
        custom_fields={"Lieblingsfarbe": "grün", "Kundennummer": "4711", "Kunde_seit": "2019-01-15", "VIP": "true"},
        preferences={
            ("Themen", "Rezepte"): True,
            ("Themen", "Reisen"): False,
            ("Themen", "Technik"): True,
            ("Themen", "Angebote"): False,
            ("Frequenz", "Wöchentlich"): True,
            ("Frequenz", "Monatlicher Digest"): False,
        },
    )
    store.add_contact(
        1002,
        "john.example+news@example.com",
        permission=Permission.CONFIRMED_OPT_IN,
        standard_fields={
            "SALUTATION": "Mr",
            "FIRSTNAME": "John",
            "LASTNAME": "O'Brien",
            "GENDER": "m",
            "LOCALE": "en_GB",
            "CITY": "London",
        },
        custom_fields={"Kundennummer": "815"},
        preferences={
            ("Themen", "Rezepte"): False,
            ("Themen", "Reisen"): True,
            ("Themen", "Technik"): False,
            ("Themen", "Angebote"): False,
            ("Frequenz", "Wöchentlich"): False,
            ("Frequenz", "Monatlicher Digest"): True,
        },
    )
    store.add_contact(
        1003,
        "zoe@example.net",
        permission=Permission.NONE,
        standard_fields={"FIRSTNAME": "Zoë", "LASTNAME": "Ørsted-山田"},
    )
    store.add_contact(
        1004,
        "lena@example.org",
        permission=Permission.DOUBLE_OPT_IN,
        standard_fields={"FIRSTNAME": "Lena", "LOCALE": "de"},
    )


default_store = SandboxStore()
