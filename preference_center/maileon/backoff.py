"""Exponential backoff with full jitter: the one pacing rule for every retry of a call to Maileon, the client's
own (a page's read, within one request) and the outbox's (a row retried by the worker, minutes apart).

Full jitter (anywhere between nothing and the ceiling) spreads out clients and rows that failed together. The
jitter is a function of its own so tests can pin it.
"""

from __future__ import annotations

import random


def delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait before retrying after `attempt` (1 = the first try failed): up to base * 2**(attempt-1),
    at most `cap`."""
    return jitter(min(cap, base * 2 ** min(max(attempt - 1, 0), 32)))


def jitter(ceiling: float) -> float:
    return random.uniform(0, ceiling)
