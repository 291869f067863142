"""Many "send me a new link" requests for one address at once, against a real gunicorn with two worker processes,
the default database cache and the sandbox as its own process: the per-email limit is shared, so at most its
ceiling of mails goes out however the requests spread over the workers, and every request gets the same answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from preference_center.dev.sandbox.store import NEW_LINK_TRANSACTION_TYPE
from preference_center.services import new_link
from tests.support import ERIKA

from . import production

REQUESTS = 8

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_workers(tmp_path, sandbox):
    """The demo page: `manage.py demo` against the sandbox's key gives it the sandbox's transaction type."""
    with production.two_workers(tmp_path, sandbox.api_url, after_migrate=("demo",)) as port:
        yield port


def ask(port: int, address: str, source: str) -> tuple[int, str]:
    """One POST of the form."""
    response = production.request(port, "POST", "/link/new/?lang=de", source=source,
                                  body=urlencode({"email": address}),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    return response.status, response.getheader("Location") or ""


def test_simultaneous_requests_for_one_address_send_at_most_its_ceiling(two_workers, sandbox):
    port = two_workers
    start = threading.Barrier(REQUESTS)

    def at_once(number: int) -> tuple[int, str]:
        start.wait(timeout=10)
        return ask(port, "erika.beispiel@example.org", source=f"127.0.3.{1 + number}")

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        answers = list(pool.map(at_once, range(REQUESTS)))

    assert answers == [(303, "/link/new/sent/?lang=de")] * REQUESTS  # the same for all, sent or not
    mails = sandbox.control.mails()
    assert [(mail["type_id"], mail["contact_id"]) for mail in mails] == \
        [(NEW_LINK_TRANSACTION_TYPE, ERIKA)] * new_link.PER_EMAIL.ceiling
    assert sandbox.control.stats()["calls_by_method"] == {"POST": new_link.PER_EMAIL.ceiling}
