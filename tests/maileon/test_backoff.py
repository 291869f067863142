"""The one backoff rule of every retry: exponential, capped, with full jitter."""

import pytest

from preference_center.maileon import backoff


@pytest.mark.parametrize(("attempt", "ceiling"), [(0, 1.0), (1, 1.0), (2, 2.0), (4, 8.0), (5, 10.0), (500, 10.0)])
def test_the_ceiling_doubles_per_attempt_up_to_the_cap(monkeypatch, attempt, ceiling):
    monkeypatch.setattr(backoff, "jitter", lambda top: top)
    assert backoff.delay(attempt, base=1.0, cap=10.0) == ceiling


def test_full_jitter_stays_between_nothing_and_the_ceiling():
    delays = [backoff.delay(3, base=1.0, cap=10.0) for _ in range(200)]
    assert all(0 <= delay <= 4.0 for delay in delays)
    assert len(set(delays)) > 1
