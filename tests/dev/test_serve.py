"""The sandbox as its own HTTP process (make serve, make bench): keep-alive, and whose connections it took."""

from __future__ import annotations

import threading
import time

import requests

from preference_center.dev.sandbox import serve
from preference_center.dev.sandbox.serve import spawn
from preference_center.dev.sandbox.store import SandboxStore, checksum_for
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


def test_the_latency_is_how_long_an_answer_takes_the_sandboxs_own_work_included(monkeypatch):
    # make bench counts what an answer takes beyond the latency as the app's overhead: the sandbox's own work
    # (here made to take 300 ms) belongs inside the latency, as Maileon's does, not on top of it.
    handle = serve.api.handle

    def slow_handle(*args, **kwargs):
        time.sleep(0.3)
        return handle(*args, **kwargs)

    monkeypatch.setattr(serve.api, "handle", slow_handle)
    server = serve.SandboxServer(0, SandboxStore(), latency_ms=500)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        answer = requests.get(f"{server.url}{serve.API_BASE}/contacts/contact", timeout=5,
                              params={"id": ERIKA, "checksum": checksum_for(ERIKA)},
                              headers={"Authorization": SANDBOX_AUTHORIZATION})
        took = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    assert answer.status_code == 200
    assert 0.5 <= took < 0.7  # not 0.8: 300 ms of work plus 500 ms of latency
