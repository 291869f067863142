"""The Maileon account's definitions: custom fields, preference categories and their preferences, transaction
types, and the DOI mailing keys and transaction types Maileon refused. Kept in each process's memory for ten
minutes, so a page view costs one call.

Marketers rename things in Maileon at any time. A name the account lacks is an answer too (kept as such), and
a page that meets a name Maileon refuses asks for the definitions afresh, at most once per RECHECK_SECONDS, so
neither a drifted page nor a guesser's stream of bad links turns into a stream of configuration reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..maileon import CustomFieldType, PreferenceCategory, PreferenceDefinition, RejectedError, TransactionType
from ..account import get_client

T = TypeVar("T")

MAX_AGE_SECONDS = 600.0  # marketers add a preference in Maileon, pages show it within ten minutes
RECHECK_SECONDS = 30.0

_clock = time.monotonic  # tests move it on
_lock = threading.Lock()
_entries: dict[str, tuple[float, object]] = {}  # key -> (read at, value)
_refused_doi_mailings: dict[str, float] = {}  # DOI mailing key -> when Maileon refused it
_refused_transaction_types: dict[int, float] = {}  # transaction type id -> when Maileon refused it
_last_recheck: float | None = None
_generation = 0  # counts every change of what is held here (version())
VERSION_SECONDS = 10.0


def _cached(key: str, load: Callable[[], T]) -> T:
    now = _clock()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and now - entry[0] < MAX_AGE_SECONDS:
        return entry[1]  # type: ignore[return-value]
    value = load()  # outside the lock: a slow Maileon must not stall every other thread's cached reads
    with _lock:
        _entries[key] = (now, value)
        _changed()
    return value


def version() -> tuple[int, int]:
    """Changes whenever anything held here does, and every VERSION_SECONDS in any case (entries and refusals
    also expire with time): what is derived from the definitions may be kept while this stays the same."""
    return _generation, int(_clock() // VERSION_SECONDS)


def _changed() -> None:  # called with _lock held
    global _generation
    _generation += 1


def custom_fields() -> dict[str, CustomFieldType]:
    """Name -> type of every custom field of the account."""
    return _cached(
        "custom_fields", lambda: {d.name: d.type for d in get_client().get_custom_field_definitions()}
    )


def categories() -> dict[str, PreferenceCategory]:
    return _cached(
        "categories", lambda: {c.name: c for c in get_client().get_preference_categories()}
    )


def preferences(category: str) -> tuple[PreferenceDefinition, ...] | None:
    """The preferences of `category`; None when the account has no such category."""
    if category not in categories():
        return None
    return _cached(f"preferences:{category}", lambda: _read_preferences(category))


def _read_preferences(category: str) -> tuple[PreferenceDefinition, ...] | None:
    try:
        return tuple(get_client().get_preferences(category=category))
    except RejectedError as error:
        if error.status in (400, 404):  # renamed or deleted since the list of categories was read
            return None
        raise


def transaction_types() -> dict[int, TransactionType]:
    """Id -> transaction type of the account (admin and check_pages; the recipient pages never need the list)."""
    return _cached("transaction_types", lambda: {t.id: t for t in get_client().get_transaction_types()})


def transaction_type_refused(type_id: int) -> bool:
    with _lock:
        refused_at = _refused_transaction_types.get(type_id)
    return refused_at is not None and _clock() - refused_at < MAX_AGE_SECONDS


def note_refused_transaction_type(type_id: int) -> None:
    """Maileon refused a transaction with this type: pages stop offering it for a while (as for a DOI mailing)."""
    with _lock:
        _refused_transaction_types[type_id] = _clock()
        _changed()


def doi_mailing_refused(key: str) -> bool:
    with _lock:
        refused_at = _refused_doi_mailings.get(key)
    return refused_at is not None and _clock() - refused_at < MAX_AGE_SECONDS


def note_refused_doi_mailing(key: str) -> None:
    """Maileon refused a DOI mailing key (there is no call to list them: a refusal is how we learn)."""
    with _lock:
        _refused_doi_mailings[key] = _clock()
        _changed()


def recheck() -> bool:
    """Maileon refused a name the definitions still hold: forget them, unless they were read a moment ago.
    True when they will be read afresh."""
    global _last_recheck
    now = _clock()
    with _lock:
        if _last_recheck is not None and now - _last_recheck < RECHECK_SECONDS:
            return False
        _last_recheck = now
        _entries.clear()
        _changed()
    return True


def forget() -> None:
    """Read everything afresh on next use (a marketer changed the account, `check_pages`, tests)."""
    global _last_recheck
    with _lock:
        _entries.clear()
        _refused_doi_mailings.clear()
        _refused_transaction_types.clear()
        _last_recheck = None
        _changed()
