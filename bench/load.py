"""One load-generator process of the bench: locust (headless, as a library) drives a list of scenarios at one
concurrency, in interleaved slices, and prints one JSON object with the raw figures. run.py starts it.

    .venv/bin/python bench/load.py --host http://127.0.0.1:PORT --sandbox http://127.0.0.1:SPORT \
        --users 8 --latency-ms 50 --slice-seconds 5 --rounds 3 --scenarios plain,sleep,profile_get,...

Closed loop: each simulated client sends its next request as soon as the last one is answered (no think
time), so throughput and latency are the server's. All clients switch scenario together; a request counts for
a slice when it started after the switch settled and ended before the slice closed. Maileon calls per request
come from the sandbox's own call count over each slice; the CPU time the server's worker processes and the
sandbox spent over each slice comes from /proc (Linux), so a figure per request says what a view costs the app.

Loopback only, bounded: at most 64 clients, 60 s per slice, 10 rounds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preference_center.dev.sandbox.serve import Control  # noqa: E402
from preference_center.dev.sandbox.store import checksum_for  # noqa: E402

SENT_MAILING = 88120  # a mailing the sandbox knows as sent
SETTLE_SECONDS = 0.5  # after a switch, requests of the previous scenario finish before counting starts
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    expect: str  # text every good answer contains (English pages: the links carry lang=en)


SCENARIOS = {
    s.name: s
    for s in [
        Scenario("plain", "GET", "Plain page"),
        Scenario("sleep", "GET", "slept"),
        Scenario("sleep2", "GET", "slept"),  # twice L: the floor for a POST (a read and a write)
        Scenario("minimal", "GET", 'name="FIRSTNAME"'),  # issue 15's reference: the same read, none of the app
        Scenario("profile_get", "GET", 'name="FIRSTNAME"'),
        Scenario("profile_post", "POST", "your changes are saved"),
        Scenario("unsubscribe_get", "GET", 'name="reason"'),
        Scenario("unsubscribe_post", "POST", "You are unsubscribed"),
    ]
}


class Plan:
    """What the clients do right now; shared by all of them (one gevent loop, no locks needed)."""

    scenario: Scenario = SCENARIOS["plain"]
    latency_ms: float = 0.0
    readers: itertools.cycle  # contacts for GET/POST profile and GET unsubscribe
    unsubscribers: itertools.count  # a fresh contact for every unsubscribe POST
    profile_edits = itertools.count()
    # Every load process starts the readers' cycle at its beginning: a value of its own per process, or a POST
    # would re-send what an earlier cell saved for the same contact ("nothing to save", no PUT).
    edit_tag = secrets.token_hex(3)
    unsubscribes_used = 0


def _contact_query(contact_id: int) -> str:
    return urlencode({"contactid": contact_id, "checksum": checksum_for(contact_id), "mailingid": SENT_MAILING,
                      "lang": "en"})


class Recipient(FastHttpUser):
    wait_time = constant(0)

    @task
    def one_request(self) -> None:
        scenario = Plan.scenario
        if scenario.name == "plain":
            path, data = "/bench/plain/", None
        elif scenario.name in ("sleep", "sleep2"):
            factor = 2 if scenario.name == "sleep2" else 1
            path, data = f"/bench/sleep/?ms={factor * Plan.latency_ms:g}", None
        elif scenario.name == "minimal":
            path, data = "/bench/minimal/?" + _contact_query(next(Plan.readers)), None
        elif scenario.name in ("profile_get", "profile_post"):
            path = "/profile/?" + _contact_query(next(Plan.readers))
            data = {"FIRSTNAME": f"Bench{Plan.edit_tag}{next(Plan.profile_edits)}"} if scenario.method == "POST" else None
        elif scenario.name == "unsubscribe_get":
            path, data = "/unsubscribe/?" + _contact_query(next(Plan.readers)), None
        else:
            Plan.unsubscribes_used += 1
            path, data = "/unsubscribe/?" + _contact_query(next(Plan.unsubscribers)), {"reason": "", "message": ""}
        with self.client.request(scenario.method, path, data=data, name=scenario.name,
                                 catch_response=True) as response:
            if response.status_code != 200 or scenario.expect not in (response.text or ""):
                response.failure(f"status {response.status_code}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (/proc/<pid>/stat; 0 for one that is gone)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / CLOCK_TICKS


@dataclass
class Record:
    name: str
    started: float  # seconds since the epoch
    ended: float
    milliseconds: float
    failed: bool


def main() -> None:
    options = _options()
    records: list[Record] = []

    def on_request(request_type, name, response_time, response_length, exception=None, start_time=None, **_):
        ended = time.time()
        started = start_time if start_time is not None else ended - response_time / 1000
        records.append(Record(name, started, ended, response_time, exception is not None))

    host = options.host
    if urlsplit(host).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the bench drives loopback servers only")
    Recipient.host = host
    Plan.latency_ms = options.latency_ms
    Plan.readers = itertools.cycle(range(options.readers_first, options.readers_first + options.readers_count))
    Plan.unsubscribers = itertools.count(options.unsubscribe_first)
    control = Control(options.sandbox)

    env = Environment(user_classes=[Recipient], host=host)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    scenarios = [SCENARIOS[name] for name in options.scenarios.split(",")]

    slices = []
    runner.start(options.users, spawn_rate=options.users)
    gevent.sleep(0.5)
    for round_number in range(options.rounds):
        # Rotate the order each round so no scenario always follows the same neighbour.
        offset = round_number % len(scenarios)
        for scenario in scenarios[offset:] + scenarios[:offset]:
            Plan.scenario = scenario
            gevent.sleep(SETTLE_SECONDS)
            calls_before = control.stats()["calls"]
            app_cpu_before, sandbox_cpu_before = cpu_seconds(options.worker_pids), cpu_seconds(options.sandbox_pids)
            opened, first_record = time.time(), len(records)
            gevent.sleep(options.slice_seconds)
            closed = time.time()
            app_cpu = cpu_seconds(options.worker_pids) - app_cpu_before
            sandbox_cpu = cpu_seconds(options.sandbox_pids) - sandbox_cpu_before
            calls_after = control.stats()["calls"]
            completed = sum(1 for r in records[first_record:] if r.name == scenario.name)
            slices.append({
                "scenario": scenario.name, "round": round_number, "opened": opened, "closed": closed,
                "maileon_calls": calls_after - calls_before, "completed": completed,
                "app_cpu": app_cpu, "sandbox_cpu": sandbox_cpu,
            })
    runner.quit()

    figures = {}
    for scenario in scenarios:
        own = [s for s in slices if s["scenario"] == scenario.name]
        counted = [
            r for s in own for r in records
            if r.name == scenario.name and r.started >= s["opened"] and r.ended <= s["closed"]
        ]
        figures[scenario.name] = {
            "seconds": sum(s["closed"] - s["opened"] for s in own),
            "milliseconds": sorted(r.milliseconds for r in counted if not r.failed),
            "failures": sum(1 for r in counted if r.failed),
            "maileon_calls": sum(s["maileon_calls"] for s in own),
            "completed_in_slices": sum(s["completed"] for s in own),
            "app_cpu_seconds": sum(s["app_cpu"] for s in own),
            "sandbox_cpu_seconds": sum(s["sandbox_cpu"] for s in own),
        }
    json.dump({"users": options.users, "latency_ms": options.latency_ms, "scenarios": figures,
               "unsubscribes_used": Plan.unsubscribes_used}, sys.stdout)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--sandbox", required=True, help="the sandbox process's base URL (its call counts)")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="what the sleep floor waits")
    parser.add_argument("--scenarios", required=True, help=f"comma-separated: {', '.join(SCENARIOS)}")
    parser.add_argument("--slice-seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--readers-first", type=int, required=True)
    parser.add_argument("--readers-count", type=int, required=True)
    parser.add_argument("--unsubscribe-first", type=int, required=True)
    parser.add_argument("--worker-pids", type=_pids, default=[], help="the server's worker processes (CPU time)")
    parser.add_argument("--sandbox-pids", type=_pids, default=[], help="the sandbox's process (CPU time)")
    options = parser.parse_args()
    if not 1 <= options.users <= 64 or not 0 < options.slice_seconds <= 60 or not 1 <= options.rounds <= 10:
        parser.error("1-64 users, slices up to 60 s, 1-10 rounds")
    return options


def _pids(text: str) -> list[int]:
    return [int(pid) for pid in text.split(",") if pid]


if __name__ == "__main__":
    main()
