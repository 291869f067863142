"""A guesser against a real gunicorn with two worker processes, the default database cache and the sandbox as
its own process: the link-failure counts are shared, so at most the per-contact ceiling reaches Maileon however
the requests spread over the workers and whatever X-Forwarded-For they carry (TRUSTED_PROXY_HOPS unset: 0)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from preference_center.dev.sandbox.store import checksum_for
from preference_center.pages import throttle
from tests.support import ERIKA, JOHN

from . import production

GUESSES = 60

pytestmark = [pytest.mark.django_db(transaction=True)]


def _request(port: int, path: str, *, source: str, forwarded: str | None = None) -> tuple[int, dict[str, str]]:
    response = production.request(port, "GET", path, source=source,
                                  headers={"X-Forwarded-For": forwarded} if forwarded else None)
    return response.status, dict(response.getheaders())


@pytest.fixture
def two_workers(tmp_path, sandbox):
    """The access log names the worker (pid) of each request."""
    with production.two_workers(tmp_path, sandbox.api_url, access_log_format="%(p)s %(s)s") as port:
        yield port, tmp_path / "access.log"


def _worker_pids(access_log: Path, status: int) -> set[str]:
    return set(re.findall(rf"^<(\d+)> {status}$", access_log.read_text(), re.MULTILINE))


def test_sixty_guesses_spread_over_two_workers_reach_maileon_at_most_the_ceiling(two_workers, sandbox):
    port, access_log = two_workers
    ceiling = throttle.CONTACT_MAX_FAILURES

    def guess(attempt: int) -> tuple[int, dict[str, str]]:
        # A new socket address and a new X-Forwarded-For each time.
        return _request(port, f"/profile/?contactid={ERIKA}&checksum=guess{attempt}",
                        source=f"127.0.{1 + attempt // 250}.{1 + attempt % 250}",
                        forwarded=f"203.0.113.{attempt}")

    # The first `ceiling` at once: each failure must be counted, none lost to a concurrent one.
    with ThreadPoolExecutor(max_workers=ceiling) as pool:
        burst = list(pool.map(guess, range(ceiling)))
    rest = [guess(attempt) for attempt in range(ceiling, GUESSES)]

    assert [status for status, _ in burst] == [404] * ceiling
    assert [status for status, _ in rest] == [429] * (GUESSES - ceiling)
    assert all(0 < int(headers["Retry-After"]) <= throttle.WINDOW_SECONDS for _, headers in rest)
    assert sandbox.control.stats()["calls_by_method"] == {"GET": ceiling}  # one contact read per failure
    # Both workers refused guesses: each saw the failures counted by the other, none kept counts of its own.
    assert len(_worker_pids(access_log, 429)) == 2

    # Another contact's valid link, from another address, still works.
    status, _ = _request(port, f"/profile/?contactid={JOHN}&checksum={checksum_for(JOHN)}", source="127.0.9.9")
    assert status == 200
