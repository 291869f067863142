"""A limit of so many events per key within a sliding window, shared by every process and host through Django's
default cache (CACHE_URL): the link failures of pages/throttle.py and the new-link limits.

Each event claims one *slot* key with `cache.add`, atomic on every backend (Django's database cache implements
`incr` as a read and a write, so concurrent counts with it could be lost). A slot expires `seconds` after its
event, so the window slides; a key is full when every slot is taken. Keys are keyed hashes (HMAC with
SECRET_KEY): the cache never holds what is counted (an address, an email address), and a hash of one cannot be
reversed by trying.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class SlidingWindow:
    name: str  # tells windows apart in the cache and salts their keys
    ceiling: int  # events per key within the window
    seconds: int

    def _slots(self, value: str) -> list[str]:
        digest = salted_hmac(f"preference_center.{self.name}", value).hexdigest()[:32]
        return [f"window:{self.name}:{digest}:{slot}" for slot in range(self.ceiling)]

    def seconds_blocked(self, value: str) -> int:
        """0 while another event for `value` fits; else the seconds until the oldest slot frees (Retry-After)."""
        return seconds_blocked((self, value))

    def take(self, value: str) -> str | None:
        """Count one event for `value`: the slot it took (to give back), or None when the window is full."""
        return take((self, value))[0]

    @staticmethod
    def give_back(slot: str) -> None:
        """An event that did not happen after all (nothing was sent): its slot is free again."""
        cache.delete(slot)


def seconds_blocked(*counts: tuple[SlidingWindow, str]) -> int:
    """0 while another event fits in each of the (window, value) counts; else the seconds until it fits in all
    of them (Retry-After). One cache read when nothing is full: an event takes the first free slot, so a window is
    full only when its last slot is taken, and asking for the last slots first spares reading all of them."""
    slots = [window._slots(value) for window, value in counts]
    last_taken = cache.get_many([each[-1] for each in slots])
    full = [(window, each) for (window, _value), each in zip(counts, slots) if each[-1] in last_taken]
    if not full:
        return 0
    taken = cache.get_many([key for _window, each in full for key in each])
    now = time.time()
    waits = [min(taken[key] for key in each) + window.seconds - now
             for window, each in full if all(key in taken for key in each)]
    return max(1, math.ceil(max(waits))) if waits else 0


def take(*counts: tuple[SlidingWindow, str]) -> list[str | None]:
    """Count one event in each of the (window, value) counts, with one cache read for all of them: the slot each
    took (to give back), or None where the window is full."""
    slots = [window._slots(value) for window, value in counts]
    taken = cache.get_many([key for each in slots for key in each])  # also drops expired slots
    now = time.time()
    return [_claim(each, taken, now, window.seconds) for (window, _value), each in zip(counts, slots)]


def _claim(slots: list[str], taken: dict, now: float, seconds: int) -> str | None:
    for key in slots:
        # Another process may take the same free slot at the same moment: add() lets only one win, and the loser
        # takes the next one.
        if key not in taken and cache.add(key, now, seconds):
            return key
    return None
