"""The sandbox as its own HTTP process (make serve, make bench): keep-alive, and whose connections it took."""

from __future__ import annotations

import threading

import requests

from preference_center.dev.sandbox.serve import spawn
from preference_center.dev.sandbox.store import checksum_for
from preference_center.maileon import MaileonClient, MaileonConfig

from tests.support import ERIKA, JOHN

from .conftest import SANDBOX_AUTHORIZATION


def test_the_client_keeps_one_connection_per_thread_and_the_sandbox_counts_it_apart_from_others():
    sandbox = spawn()
    client = MaileonClient(MaileonConfig(base_url=sandbox.api_url, api_key="sandbox"))
    try:
        for contact in (ERIKA, JOHN, ERIKA):  # one thread: one kept-alive connection
            client.get_contact(contact_id=contact, checksum=checksum_for(contact))
        other = threading.Thread(
            target=lambda: client.get_contact(contact_id=JOHN, checksum=checksum_for(JOHN)))
        other.start()
        other.join()
        # Someone else's (make bench's reference view): counted under its own product name.
        requests.get(f"{sandbox.api_url}/contacts/contact", params={"id": ERIKA}, timeout=5,
                     headers={"User-Agent": "bench-minimal/1", "Authorization": SANDBOX_AUTHORIZATION})

        assert sandbox.control.stats()["connections_by_agent"] == {"maileon-preference-center": 2, "bench-minimal": 1}
    finally:
        client.close()
        sandbox.stop()
