"""The sandbox as its own HTTP process, so the app talks to it over sockets exactly as to Maileon.

    .venv/bin/python -m preference_center.dev.sandbox.serve --port 0 [--latency-ms 20] [--unsubscribe-delay 0]
        [--down] [--contacts 1000 --first-contact-id 500000]

Prints `listening on http://127.0.0.1:PORT` (PORT chosen when --port 0), then serves:

- `/1.0/...`: the Maileon API (`api.handle`), so MAILEON_API_URL=http://127.0.0.1:PORT/1.0 and key "sandbox".
- `/_sandbox/...`: control from outside the process (JSON), for drills, fault tests and the bench:
  `POST /_sandbox/faults` {status, retry_after, delay, drop, times, method, path_contains} injects a fault
  (`"drop_after_apply": true` instead: the call is carried out, then the connection dropped without an answer);
  `DELETE /_sandbox/faults` clears them all; `POST /_sandbox/contacts` {first, count} adds contacts;
  `POST /_sandbox/settings` {latency_ms, unsubscribe_delay}; `POST /_sandbox/process` runs queued
  unsubscribes; `POST /_sandbox/reset` brings back the demo seed; `GET /_sandbox/stats?first=&count=` counts
  calls and unsubscribed contacts (with first and count: also the unsubscribe calls that reached each contact);
  `GET /_sandbox/mails` lists the transaction mails "sent" (type, contact id, personal link; no address).

From Python (tests, drills, the bench): `spawn()` starts the process and returns a `SandboxProcess` whose
`api_url` goes into MAILEON_API_URL and whose `control` (a `Control`) drives it.

Loopback only: the server binds 127.0.0.1 and refuses any other peer. Never mounted in the app. Threaded with
HTTP/1.1 keep-alive, so a client's pooled connections are reused (the bench measures the app, not this).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from preference_center.maileon.types import Permission

from . import api
from .store import CallMatcher, SandboxStore

API_BASE = "/1.0"
CONTROL_BASE = "/_sandbox"
MAX_BODY_BYTES = 1024 * 1024
MAX_CONTACTS_PER_CALL = 100_000
UNSUBSCRIBE_PATHS = ("/contacts/contact/unsubscribe", "/contacts/email/")


class AfterApplyDrop(CallMatcher):
    """Carry the call out, then close the connection without an answer: Maileon acted, the answer was lost."""


@dataclass(frozen=True)
class Answered:
    """One API call as answered: `reached` is False when a fault answered instead of Maileon's logic."""

    method: str
    path: str
    contact_id: int | None
    status: int
    reached: bool


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int, store: SandboxStore, latency_ms: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.store = store
        _note_taken_faults(store)
        self.latency = latency_ms / 1000
        self.after_apply_drops: list[AfterApplyDrop] = []
        self.answered: list[Answered] = []
        # API connections by the product of their first request's User-Agent ("maileon-preference-center"): the
        # bench checks the app's keep-alive with it, apart from its own reference view's connections.
        self.connections_by_agent: Counter[str] = Counter()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def note_connection(self, user_agent: str) -> None:
        with self.lock:
            self.connections_by_agent[user_agent.split("/", 1)[0]] += 1

    def take_after_apply_drop(self, method: str, path: str) -> bool:
        with self.lock:
            return any(drop.take(method, path) for drop in self.after_apply_drops)

    def reset(self) -> None:
        """The demo seed again, no faults, no latency, an empty call log (between tests)."""
        self.clear_faults()
        self.store.reset()
        _note_taken_faults(self.store)
        with self.lock:
            self.answered.clear()
        self.latency = 0.0

    def clear_faults(self) -> None:
        with self.lock:
            self.after_apply_drops.clear()
        self.store.faults.clear()

    def stats(self, first: int | None, count: int | None) -> dict:
        with self.lock:
            answered = list(self.answered)
        unsubscribes = [a for a in answered if a.method == "DELETE" and a.path.startswith(UNSUBSCRIBE_PATHS)]
        reached = [a for a in unsubscribes if a.reached]
        accepted: set[int | None] = set()
        duplicates = 0
        for call in reached:  # in arrival order
            if call.contact_id in accepted:
                duplicates += 1  # Maileon had already taken an unsubscribe for this contact: harmless, counted
            elif 200 <= call.status < 300:
                accepted.add(call.contact_id)
        stats = {
            "calls": len(answered),
            "connections_by_agent": dict(self.connections_by_agent),
            "calls_by_method": dict(Counter(a.method for a in answered)),
            "unsubscribe_calls": len(unsubscribes),
            "unsubscribe_calls_reached": len(reached),
            "accepted_unsubscribes": len(accepted),
            "duplicate_unsubscribes": duplicates,
        }
        if first is not None and count is not None:
            with self.store.lock:
                self.store.process_due()
                ids = range(first, first + count)
                unsubscribed = [i for i in ids if (c := self.store.contact(i)) is not None and c.unsubscribed]
            stats["unsubscribed"] = len(unsubscribed)
            stats["not_unsubscribed_ids"] = sorted(set(ids) - set(unsubscribed))[:1000]
            # Per contact, so "each exactly once" can be checked, not just the totals (by-id calls only).
            per_contact = Counter(c.contact_id for c in reached if c.contact_id is not None and c.contact_id in ids)
            stats["unsubscribe_calls_by_contact"] = {str(i): n for i, n in sorted(per_contact.items())}
        return stats


class _Handler(BaseHTTPRequestHandler):
    _connection_noted = False  # set on the connection's first API call (one handler per connection)
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    # Headers and body leave in two writes: without TCP_NODELAY the body waits for the client's delayed ACK
    # (about 40 ms on Linux), on every call of a kept-alive connection.
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # an access log would show checksums (query) and addresses (path)

    def handle_one_request(self) -> None:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            self.close_connection = True
            return
        super().handle_one_request()

    def do_GET(self) -> None:
        self._dispatch()

    do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def parse_request(self) -> bool:
        self._arrived = time.monotonic()  # the request line is in: Maileon's time starts (headers not yet read)
        return super().parse_request()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._answer(413, b"")
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        if url.path.startswith(API_BASE + "/"):
            self._api(unquote(url.path[len(API_BASE) :]), parse_qsl(url.query, keep_blank_values=True), body)
        elif url.path.startswith(CONTROL_BASE + "/"):
            self._control(url.path[len(CONTROL_BASE) :], dict(parse_qsl(url.query)), body)
        else:
            self._answer(404, b"")

    # --- the Maileon API

    def _api(self, path: str, query: list[tuple[str, str]], body: bytes) -> None:
        server, store = self.server, self.server.store
        if not self._connection_noted:
            self._connection_noted = True
            server.note_connection(self.headers.get("User-Agent", ""))
        method = self.command.upper()
        _taken.fault = None
        answer = api.handle(method, path, query, dict(self.headers.items()), body, store=store)
        reached = not _answered_by_fault()
        with server.lock:
            server.answered.append(Answered(method, path, _contact_id(path, query), answer.status, reached))
        # The latency is how long Maileon takes to answer, its own work included: the sandbox's work (about 0.4 ms,
        # more after idling) must not count a second time, or make bench charges it to the app's overhead.
        if (remaining := server.latency - (time.monotonic() - self._arrived)) > 0:
            time.sleep(remaining)
        if answer.delay:
            store.faults.pause(answer.delay)
        if answer.drop or (reached and server.take_after_apply_drop(method, path)):
            self._drop()
            return
        self._answer(answer.status, answer.body, answer.headers)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- control

    def _control(self, path: str, query: dict[str, str], body: bytes) -> None:
        server, store = self.server, self.server.store
        method = self.command.upper()
        try:
            data = json.loads(body or b"{}")
            if (method, path) == ("POST", "/faults"):
                if data.pop("drop_after_apply", False):
                    with server.lock:
                        server.after_apply_drops.append(
                            AfterApplyDrop(remaining=data.get("times", 1), method=data.get("method"),
                                           path_contains=data.get("path_contains"))
                        )
                else:
                    store.faults.inject(**data)
            elif (method, path) == ("DELETE", "/faults"):
                server.clear_faults()
            elif (method, path) == ("POST", "/contacts"):
                _add_contacts(store, int(data["first"]), int(data["count"]))
            elif (method, path) == ("POST", "/settings"):
                if "latency_ms" in data:
                    server.latency = float(data["latency_ms"]) / 1000
                if "unsubscribe_delay" in data:
                    store.unsubscribe_delay = float(data["unsubscribe_delay"])
            elif (method, path) == ("POST", "/reset"):
                server.reset()
            elif (method, path) == ("POST", "/process"):
                store.process_pending()
            elif (method, path) == ("GET", "/mails"):
                with store.lock:
                    mails = [{"type_id": m.type_id, "type_name": m.type_name, "contact_id": m.contact_id,
                              "link": m.link, "sent_at": m.sent_at.isoformat()} for m in store.transaction_mails]
                self._answer(200, json.dumps(mails).encode(), {"Content-Type": "application/json"})
                return
            elif (method, path) == ("GET", "/stats"):
                first, count = query.get("first"), query.get("count")
                stats = server.stats(int(first) if first else None, int(count) if count else None)
                self._answer(200, json.dumps(stats).encode(), {"Content-Type": "application/json"})
                return
            else:
                self._answer(404, b"")
                return
        except (ValueError, KeyError, TypeError) as error:
            self._answer(400, str(error).encode(), {"Content-Type": "text/plain"})
            return
        self._answer(204, b"")

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)


_taken = threading.local()


def _note_taken_faults(store: SandboxStore) -> None:
    """Remember, per thread, which fault (if any) the call in hand took, so the log knows who answered."""
    take = store.faults.take

    def noting(method: str, path: str):
        _taken.fault = take(method, path)
        return _taken.fault

    store.faults.take = noting  # type: ignore[method-assign]


def _answered_by_fault() -> bool:
    fault = getattr(_taken, "fault", None)
    return fault is not None and (fault.status is not None or fault.drop)


def _contact_id(path: str, query: list[tuple[str, str]]) -> int | None:
    value = next((v for k, v in query if k == "id"), None)
    if value is not None and value.isdigit():
        return int(value)
    if path.startswith("/contacts/email/"):
        return -(hash(path) & 0xFFFFFFF)  # by email: one key per address, never the address itself
    return None


def _add_contacts(store: SandboxStore, first: int, count: int) -> None:
    if not 0 < count <= MAX_CONTACTS_PER_CALL or first <= 0:
        raise ValueError(f"count must be 1 to {MAX_CONTACTS_PER_CALL}, first positive")
    for contact_id in range(first, first + count):
        store.add_contact(
            contact_id, f"contact-{contact_id}@example.invalid", permission=Permission.DOUBLE_OPT_IN,
            standard_fields={"LOCALE": "de_DE"},
        )


# --- driving the process from another one


class Control:
    """The control endpoints of a running sandbox process, as Python calls."""

    def __init__(self, url: str) -> None:
        self.base = url + CONTROL_BASE

    def _call(self, method: str, path: str, data: dict | None = None) -> bytes:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    def inject(self, **fault) -> None:
        """`store.faults.inject` keywords, or drop_after_apply=True (with times, method, path_contains)."""
        self._call("POST", "/faults", fault)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def add_contacts(self, first: int, count: int) -> None:
        self._call("POST", "/contacts", {"first": first, "count": count})

    def configure(self, *, latency_ms: float | None = None, unsubscribe_delay: float | None = None) -> None:
        values = {"latency_ms": latency_ms, "unsubscribe_delay": unsubscribe_delay}
        self._call("POST", "/settings", {k: v for k, v in values.items() if v is not None})

    def reset(self) -> None:
        self._call("POST", "/reset", {})

    def process_pending(self) -> None:
        self._call("POST", "/process", {})

    def mails(self) -> list[dict]:
        """The transaction mails the sandbox pretends to have sent, oldest first."""
        return json.loads(self._call("GET", "/mails"))

    def stats(self, first: int | None = None, count: int | None = None) -> dict:
        query = f"?first={first}&count={count}" if first is not None and count is not None else ""
        return json.loads(self._call("GET", "/stats" + query))


@dataclass
class SandboxProcess:
    process: subprocess.Popen
    url: str

    @property
    def api_url(self) -> str:
        return self.url + API_BASE

    @property
    def control(self) -> Control:
        return Control(self.url)

    def stop(self) -> None:
        stop_process(self.process, grace=10)
        if self.process.stdout:
            self.process.stdout.close()


def stop_process(process: subprocess.Popen, *, grace: float) -> None:
    """SIGTERM, up to `grace` seconds to finish, then SIGKILL (the sandbox, and the bench's and drills' servers
    and workers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def spawn(*args: str, stderr=None) -> SandboxProcess:
    """Start `python -m preference_center.dev.sandbox.serve --port 0 ARGS...`; returns once it listens."""
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "preference_center.dev.sandbox.serve", "--port", "0", *args],
        cwd=root, stdout=subprocess.PIPE, stderr=stderr, text=True,
    )
    line = process.stdout.readline().strip() if process.stdout else ""
    if not line.startswith("listening on http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"the sandbox process did not start: {line!r}")
    return SandboxProcess(process, line.removeprefix("listening on "))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: a free port (printed)")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="how long every API answer takes at least, its own work included"
    )
    parser.add_argument("--unsubscribe-delay", type=float, default=None, help="seconds until unsubscribes apply")
    parser.add_argument("--down", action="store_true", help="start answering 503 to every API call")
    parser.add_argument("--contacts", type=int, default=0, help="add this many contacts")
    parser.add_argument("--first-contact-id", type=int, default=500_000)
    parser.add_argument("--other-account", action="store_true",
                        help="play another customer's account: none of the demo account's names")
    parser.add_argument("--lenient-checksum-reads", action="store_true",
                        help="answer reads whatever the checksum, as a Maileon that does not check it")
    options = parser.parse_args(argv)

    store = SandboxStore()
    if options.other_account:
        store.become_another_account()
    store.lenient_checksum_reads = options.lenient_checksum_reads
    if options.unsubscribe_delay is not None:
        store.unsubscribe_delay = options.unsubscribe_delay
    if options.contacts:
        _add_contacts(store, options.first_contact_id, options.contacts)
    if options.down:
        store.faults.inject(status=503, times=None)
    server = SandboxServer(options.port, store, options.latency_ms)
    print(f"listening on {server.url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.clear_faults()  # delayed answers still waiting end now
        server.server_close()


if __name__ == "__main__":
    main()
