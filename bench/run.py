#!/usr/bin/env python
"""`make bench`: are the pages fast, and does the unsubscribe backlog drain? Prints figures, writes results.md.

    .venv/bin/python bench/run.py [--quick] [--no-drill] [--note "what else ran on the machine"]

0. bench/cost.py: the app's own CPU per view, the WSGI handler called in one process (the thread's CPU clock,
   little moved by other load on the machine), with queries and Maileon calls per view.
1. Starts the sandbox as its own HTTP process (the app talks to it over sockets, as to Maileon) and the app
   under gunicorn with gunicorn.conf.py and production settings (DEBUG off, collectstatic, the manifest
   storage), plus two floors mounted only by the bench's own settings (bench/settings.py): a plain template view
   and a view that only sleeps as long as one Maileon call takes (L).
2. For L = 0 and 50 ms (how long the sandbox takes to answer, its own work included) and 1, 8 and 32 concurrent
   clients, drives the floors and GET/POST profile, GET/POST unsubscribe in interleaved slices (bench/load.py,
   locust), so machine noise weighs on floors and pages alike. Every unsubscribe POST is a different contact.
3. Takes the CPU time gunicorn's workers and the sandbox spent per request (/proc). Counts Maileon calls per
   request and the TCP connections the sandbox accepted from the app (by User-Agent); checks that gunicorn's access
   log holds no checksum and that static files are served compressed and cacheable.
4. Outage drill (scripts/drill_outage.py): 10,000 unsubscribes while the sandbox answers 503, then recovery with
   one and with four delivery workers, on PostgreSQL when scripts/with_postgres.sh finds its binaries; then
   1,000 with a Maileon that takes 20 ms per call, where more workers have waiting to share (the scaling).

Uses DATABASE_URL when set (the pages' threads keep their connections: conn_max_age is added when the URL has
none), else a throw-away SQLite file. Loopback only; every process it starts is stopped when it ends.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cost import table as cost_table  # noqa: E402
from preference_center.dev.sandbox.serve import spawn, stop_process  # noqa: E402
from preference_center.dev.sandbox.store import checksum_for  # noqa: E402

PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results.md"
LATENCIES_MS = (0, 50)
CLIENTS = (1, 8, 32)
APP_SCENARIOS = ("profile_get", "profile_post", "unsubscribe_get", "unsubscribe_post")
# A page view (GET) is one Maileon read; a POST reads (the checksum's proof, the form's base) then writes.
CALLS_PER_REQUEST = {"profile_get": 1, "profile_post": 2, "unsubscribe_get": 1, "unsubscribe_post": 2}
READERS_FIRST, READERS_COUNT = 2_000_000, 1000
UNSUBSCRIBERS_FIRST = 3_000_000
UNSUBSCRIBERS_PER_BATCH = 100_000  # the sandbox's limit per control call
DRILL_COUNT = 10_000
# The drain target is for Maileon answering at once (L = 0). There a worker is busy on the CPU, and on two
# cores four workers cannot be three times one; with a Maileon that takes its time (L = 20 ms per call) a
# worker mostly waits, which is what more workers are for: a second, smaller drill measures that scaling.
SCALING_LATENCY_MS = 20
DRILL_FIRST_CONTACT, DRILL_MAX_COUNT = 700_000, 20_000  # drill_outage.py takes at most 20,000
DRILL_SUBMIT_THREADS = 32  # submissions during the outage mostly wait on retried reads: many at once


@dataclass
class Mode:
    slice_seconds: float
    rounds: int
    unsubscribers: int
    drill_count: int
    scaling_count: int
    cost_requests: int


FULL = Mode(slice_seconds=5.0, rounds=3, unsubscribers=200_000, drill_count=DRILL_COUNT, scaling_count=1000,
            cost_requests=500)
QUICK = Mode(slice_seconds=1.5, rounds=1, unsubscribers=20_000, drill_count=500, scaling_count=200,
             cost_requests=100)


@dataclass
class Server:
    sandbox: object
    gunicorn: subprocess.Popen
    url: str
    work: Path
    workers: int
    threads: int
    logs: list = field(default_factory=list)


def main() -> int:
    options = _options()
    mode = QUICK if options.quick else FULL
    if options.drill_count is not None:
        mode = replace(mode, drill_count=options.drill_count)
    started = time.monotonic()
    machine = _machine()
    print(f"bench: {machine['cpus']} CPUs, load average {machine['load_before']}, "
          f"{'quick' if options.quick else 'full'} mode", flush=True)

    print("app CPU per view, in one process (bench/cost.py)", flush=True)
    cost = _cost(mode)
    print(cost_table(cost), flush=True)
    server = _start(mode)
    try:
        cells = _measure(server, mode)
        checks = _server_checks(server)
    finally:
        _stop(server)

    plan = [(1, mode.drill_count, 0), (4, mode.drill_count, 0),
            (1, mode.scaling_count, SCALING_LATENCY_MS), (4, mode.scaling_count, SCALING_LATENCY_MS)]
    # Contacts of their own per drill: with DATABASE_URL set (make bench) all drills share one database.
    drills = [] if options.no_drill else [
        _drill(workers, count, latency, first_contact=DRILL_FIRST_CONTACT + n * DRILL_MAX_COUNT)
        for n, (workers, count, latency) in enumerate(plan)
    ]
    machine["load_after"] = _load_average()
    machine["minutes"] = (time.monotonic() - started) / 60
    report = _report(options, mode, machine, server, cells, checks, drills, cost)
    print(report)
    RESULTS.write_text(report)
    print(f"written: {RESULTS.relative_to(ROOT)}")
    return 0


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short slices, one round, a small drill (development)")
    parser.add_argument("--no-drill", action="store_true", help="skip the outage drill")
    parser.add_argument("--drill-count", type=int, default=None,
                        help=f"unsubscribes in the outage drill (default {DRILL_COUNT}; --quick: {QUICK.drill_count})")
    parser.add_argument("--note", default="", help="what else was running on the machine (goes into results.md)")
    return parser.parse_args()


# --- the server under test


def _start(mode: Mode) -> Server:
    work = Path(tempfile.mkdtemp(prefix="bench."))
    sandbox = spawn(stderr=open(work / "sandbox.log", "w"))
    control = sandbox.control
    control.add_contacts(READERS_FIRST, READERS_COUNT)
    for first in range(UNSUBSCRIBERS_FIRST, UNSUBSCRIBERS_FIRST + mode.unsubscribers, UNSUBSCRIBERS_PER_BATCH):
        control.add_contacts(first, min(UNSUBSCRIBERS_PER_BATCH, UNSUBSCRIBERS_FIRST + mode.unsubscribers - first))

    env = _server_environment(work, sandbox.api_url)
    # demo: the default page with the sandbox account's categories, custom field and down-sell, as measured before.
    for command in (["migrate", "--noinput", "-v0"], ["demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)

    port = _free_port()
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=open(work / "access.log", "w"), stderr=open(work / "error.log", "w"),
    )
    server = Server(sandbox, gunicorn, f"http://127.0.0.1:{port}", work, *_worker_settings(env))
    _wait_until_up(server)
    return server


def _server_environment(work: Path, api_url: str) -> dict[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url and "conn_max_age" not in database_url.lower():
        # The recommended production setting (README "Production settings"): each thread keeps its connection.
        database_url += ("&" if "?" in database_url else "?") + "conn_max_age=600"
    if not database_url:
        database_url = (f"sqlite:///{work / 'bench.sqlite3'}?timeout=30&transaction_mode=IMMEDIATE"
                        "&init_command=PRAGMA%20journal_mode%3DWAL")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAILEON_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAILEON_API_KEY": "sandbox",
        "MAILEON_API_URL": api_url,
        "SECURE_SSL_REDIRECT": "off",
        "DATABASE_URL": database_url,
    }


def _worker_settings(env: dict[str, str]) -> tuple[int, int]:
    """Workers and threads as gunicorn.conf.py computes them in this environment."""
    code = "import runpy; c = runpy.run_path('gunicorn.conf.py'); print(c['workers'], c['threads'])"
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    workers, threads = out.stdout.split()
    return int(workers), int(threads)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz; see {server.work / 'error.log'}")


def _stop(server: Server) -> None:
    stop_process(server.gunicorn, grace=40)  # gunicorn's graceful_timeout is 30 s
    server.sandbox.stop()


# --- load


def _measure(server: Server, mode: Mode) -> dict:
    control = server.sandbox.control
    unsubscribe_next = UNSUBSCRIBERS_FIRST
    cells: dict = {}
    # Warm-up (discarded): every worker caches the account's definitions, threads open their connections.
    print("warm-up", flush=True)
    warm = _load(server, users=16, latency=0, scenarios=["plain", *APP_SCENARIOS], slice_seconds=2, rounds=1,
                 unsubscribe_first=unsubscribe_next)
    unsubscribe_next += warm["unsubscribes_used"]
    # Twice: a process's first profile view also reads the account's preference definitions (then cached for
    # ten minutes), and the warm-up need not have reached every worker. The second pass is the steady state.
    cells["calls_cold"], unsubscribe_next = _exact_calls(server, unsubscribe_next)
    cells["calls"], unsubscribe_next = _exact_calls(server, unsubscribe_next)
    for latency in LATENCIES_MS:
        control.configure(latency_ms=latency)
        # `minimal`: issue 15's yardstick, the same read by a minimal Django view (bench/views.py), at L = 0.
        floors = ["plain", "minimal", "sleep"] if latency == 0 else ["sleep", "sleep2"]
        for users in CLIENTS:
            print(f"L = {latency} ms, {users} client(s): {', '.join([*floors, *APP_SCENARIOS])}", flush=True)
            result = _load(server, users=users, latency=latency, scenarios=[*floors, *APP_SCENARIOS],
                           slice_seconds=mode.slice_seconds, rounds=mode.rounds, unsubscribe_first=unsubscribe_next)
            unsubscribe_next += result["unsubscribes_used"]
            if unsubscribe_next >= UNSUBSCRIBERS_FIRST + mode.unsubscribers:
                raise RuntimeError("ran out of fresh contacts for unsubscribe POSTs: raise Mode.unsubscribers")
            cells[(latency, users)] = result["scenarios"]
            _print_cell(latency, users, result["scenarios"])
    server.logs.append(f"unsubscribe POSTs: {unsubscribe_next - UNSUBSCRIBERS_FIRST} distinct contacts")
    return cells


def _exact_calls(server: Server, unsubscribe_next: int, repeats: int = 20) -> tuple[dict, int]:
    """Maileon calls per request, exactly: one client, one request at a time, the sandbox's count around each
    scenario (the load slices only estimate it: requests in flight straddle their edges)."""
    control = server.sandbox.control
    exact = {}
    for name in APP_SCENARIOS:
        before = control.stats()["calls"]
        for n in range(repeats):
            if name == "unsubscribe_post":
                contact, data = unsubscribe_next, {"reason": "", "message": ""}
                unsubscribe_next += 1
            else:
                contact = READERS_FIRST + n
                # A new value each time (both passes): an unchanged form saves nothing and makes no PUT.
                data = {"FIRSTNAME": f"Exact{unsubscribe_next}-{n}"} if name == "profile_post" else None
            query = urlencode({"contactid": contact, "checksum": checksum_for(contact), "mailingid": 88120,
                               "lang": "en"})
            page = "profile" if name.startswith("profile") else "unsubscribe"
            request = urllib.request.Request(f"{server.url}/{page}/?{query}",
                                             data=urlencode(data).encode() if data is not None else None)
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
        exact[name] = (control.stats()["calls"] - before) / repeats
    print("Maileon calls per request: " + ", ".join(f"{k} {v:g}" for k, v in exact.items()), flush=True)
    return exact, unsubscribe_next


def _worker_pids(server: Server) -> list[int]:
    """gunicorn's worker processes: the children of its master (/proc, Linux)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == server.gunicorn.pid:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def _load(server: Server, *, users, latency, scenarios, slice_seconds, rounds, unsubscribe_first) -> dict:
    command = [
        PYTHON, str(ROOT / "bench" / "load.py"), "--host", server.url, "--sandbox", server.sandbox.url,
        "--users", str(users), "--latency-ms", str(latency), "--scenarios", ",".join(scenarios),
        "--slice-seconds", str(slice_seconds), "--rounds", str(rounds),
        "--readers-first", str(READERS_FIRST), "--readers-count", str(READERS_COUNT),
        "--unsubscribe-first", str(unsubscribe_first),
        "--worker-pids", ",".join(map(str, _worker_pids(server))), "--sandbox-pids", str(server.sandbox.process.pid),
    ]
    with open(server.work / "load.log", "a") as log:
        out = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, check=True)
    return json.loads(out.stdout)


# --- figures


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of all values at or below it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-int(round(fraction * len(sorted_values) * 1000)) // 1000))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _summary(figures: dict) -> dict:
    values = figures["milliseconds"]
    completed = figures["completed_in_slices"]
    return {
        "n": len(values),
        "rps": len(values) / figures["seconds"] if figures["seconds"] else 0.0,
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "failures": figures["failures"],
        "calls_per_request": figures["maileon_calls"] / completed if completed else float("nan"),
        # CPU time per request of gunicorn's workers (the app) and of the sandbox (Maileon's stand-in)
        "app_cpu_ms": 1000 * figures.get("app_cpu_seconds", float("nan")) / completed if completed else float("nan"),
        "sandbox_cpu_ms": (1000 * figures.get("sandbox_cpu_seconds", float("nan")) / completed if completed
                           else float("nan")),
    }


def _print_cell(latency: int, users: int, scenarios: dict) -> None:
    for name, figures in scenarios.items():
        s = _summary(figures)
        print(f"  {name:<17} {s['rps']:7.1f}/s  p50 {s['p50']:7.2f}  p95 {s['p95']:7.2f}  p99 {s['p99']:7.2f} ms"
              f"  calls/req {s['calls_per_request']:.2f}  app CPU {s['app_cpu_ms']:.2f} ms/req"
              f"  failures {s['failures']}", flush=True)


def _server_checks(server: Server) -> dict:
    """Keep-alive to Maileon, the access log's redaction, and static files as a browser gets them."""
    stats = server.sandbox.control.stats()
    # The app's own: the reference view (bench/views.py) keeps connections of its own, under another User-Agent.
    connections = stats["connections_by_agent"].get("maileon-preference-center", 0)
    access_log = (server.work / "access.log").read_text()
    used = [READERS_FIRST + n for n in range(READERS_COUNT)] + [UNSUBSCRIBERS_FIRST + n for n in range(100)]
    leaked = sum(access_log.count(checksum_for(contact)) for contact in used)
    unredacted = len(re.findall(r"checksum=(?!\[redacted\])", access_log))
    static = _static_check(server)
    return {
        "maileon_connections": connections,
        "server_threads": server.workers * server.threads,
        "access_log_lines": access_log.count("\n"),
        "access_log_checksums": leaked + unredacted,
        "static": static,
    }


def _static_check(server: Server) -> dict:
    with urllib.request.urlopen(server.url + "/bench/plain/", timeout=5):
        pass
    page = urllib.request.urlopen(f"{server.url}/profile/?contactid={READERS_FIRST}"
                                  f"&checksum={checksum_for(READERS_FIRST)}&lang=en", timeout=10).read().decode()
    stylesheet = re.search(r'href="(/static/pages\.[0-9a-f]{12}\.css)"', page)
    if stylesheet is None:
        return {"hashed_url": None}
    request = urllib.request.Request(server.url + stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return {"hashed_url": stylesheet.group(1), "content_encoding": answer.headers.get("Content-Encoding"),
                "cache_control": answer.headers.get("Cache-Control")}


# --- app CPU per view (bench/cost.py)


def _cost(mode: Mode) -> dict:
    command = [PYTHON, str(ROOT / "bench" / "cost.py"), "--json", "--requests", str(mode.cost_requests)]
    out = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    return json.loads(out.stdout)


# --- the outage drill


def _drill(workers: int, count: int, latency_ms: int, *, first_contact: int) -> dict:
    command = [PYTHON, "scripts/drill_outage.py", "--count", str(count), "--workers", str(workers),
               "--first-contact-id", str(first_contact),
               "--latency-ms", str(latency_ms), "--threads", str(DRILL_SUBMIT_THREADS)]
    database = "DATABASE_URL"
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        check = subprocess.run(["scripts/with_postgres.sh", "--check"], cwd=ROOT, capture_output=True)
        if check.returncode == 0:
            command = ["scripts/with_postgres.sh", *command]
            database = "a throw-away PostgreSQL cluster"
        else:
            database = "SQLite (no PostgreSQL server binaries found)"
    print(f"outage drill: {count} unsubscribes, {workers} worker(s), L = {latency_ms} ms, on {database}", flush=True)
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MAILEON_"))}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    output = (run.stdout + run.stderr).strip()
    print(output, flush=True)

    def figure(pattern: str, kind=float):
        found = re.search(pattern, output, re.MULTILINE)
        return kind(found.group(1)) if found else None

    return {"workers": workers, "count": count, "latency": latency_ms, "exit": run.returncode, "output": output,
            "lost": figure(r"^lost:\s+(\d+)", int), "drain": figure(r"^time to drain:\s+([\d.]+) s"),
            "pace": figure(r"^first delivery:.*then ([\d.]+) rows/s"),
            "minutes": (time.monotonic() - started) / 60}


# --- the report


def _machine() -> dict:
    return {"cpus": len(os.sched_getaffinity(0)), "load_before": _load_average(), "python": platform.python_version(),
            "platform": platform.platform()}


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _versions() -> str:
    names = ["django", "gunicorn", "whitenoise", "requests", "urllib3", "lxml", "locust", "psycopg"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join([f"Python {platform.python_version()}", *found])


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _report(options, mode, machine, server, cells, checks, drills, cost) -> str:
    lines = [
        "# Bench results",
        "",
        f"Written by `make bench` (bench/run.py{' --quick' if options.quick else ''}) on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC in {machine['minutes']:.1f} minutes.",
        "",
        f"- Machine: {machine['cpus']} CPUs ({machine['platform']}); load average before "
        f"{machine['load_before']}, after {machine['load_after']}.",
        f"- Also running: {options.note or 'not stated (pass --note)'}",
        f"- Versions: {_versions()}.",
        f"- Server: gunicorn gthread, {server.workers} worker(s) x {server.threads} threads (gunicorn.conf.py), "
        "DEBUG off, whitenoise with the manifest storage; the sandbox as its own process on loopback.",
        f"- Load: locust (FastHttpUser, closed loop, no think time); per cell {mode.rounds} round(s) of "
        f"{mode.slice_seconds:g} s slices per scenario, interleaved "
        f"({mode.rounds * mode.slice_seconds:g} s per scenario and client count).",
        f"- Database: {_database_name()}.",
        "",
        "Latencies in ms as the client saw them; overhead = latency - L x (Maileon calls the request needs), where L "
        "is how long the sandbox takes to answer, its own work included. "
        "Floors: `plain` renders a small template, `sleep` waits L, `sleep2` waits 2L (a POST's read + write); "
        "`minimal` is a reference, not a floor: a minimal Django view making the profile's read (requests, lxml, "
        "one Django template) with none of the app's checks. "
        "CPU ms/req: the CPU time gunicorn's workers (app) and the sandbox process spent over the slices, per "
        "request completed in them (/proc; at 32 clients it includes what waiting threads cost).",
        "",
    ]
    for latency in LATENCIES_MS:
        lines += [f"## L = {latency} ms", "",
                  "| clients | scenario | req/s | p50 | p95 | p99 | overhead p50 | overhead p99 | Maileon calls/req "
                  "| app CPU ms/req | sandbox CPU ms/req | failures |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for users in CLIENTS:
            for name, figures in cells.get((latency, users), {}).items():
                s = _summary(figures)
                waits = latency * CALLS_PER_REQUEST.get(name, {"sleep": 1, "sleep2": 2}.get(name, 0))
                lines.append(
                    f"| {users} | {name} | {s['rps']:.1f} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} "
                    f"| {s['p50'] - waits:.1f} | {s['p99'] - waits:.1f} | {s['calls_per_request']:.2f} "
                    f"| {s['app_cpu_ms']:.2f} | {s['sandbox_cpu_ms']:.2f} | {s['failures']} |")
        lines.append("")
    lines += ["## App CPU per view, in one process (bench/cost.py)", "",
              "The serving thread's CPU time per request (`time.thread_time`), the WSGI handler called directly "
              f"({cost and next(iter(cost.values()))['requests']} requests per scenario after a warm-up), Maileon "
              "answering at once; PostgreSQL's and the sandbox's own CPU not included. Less sensitive to other "
              "load on the machine than the latencies above.", "", cost_table(cost), ""]
    lines += _targets(cells, checks, drills, server)
    lines += ["## Serving checks", "",
              f"- TCP connections the sandbox accepted from the app over the whole run (warm-up included): "
              f"{checks['maileon_connections']} for {checks['server_threads']} server threads.",
              f"- gunicorn access log: {checks['access_log_lines']} lines, {checks['access_log_checksums']} "
              "checksums (query strings and Referer pass RedactSecrets).",
              f"- Static files: {checks['static']}.", ""]
    if drills:
        lines += ["## Outage drill (scripts/drill_outage.py)", ""]
        for drill in drills:
            lines += [f"### {drill['workers']} worker(s), {drill['count']} unsubscribes, L = {drill['latency']} ms "
                      f"(exit {drill['exit']}, {drill['minutes']:.1f} min)", "", "```", drill["output"], "```", ""]
    return "\n".join(lines) + "\n"


def _database_name() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "PostgreSQL (DATABASE_URL, conn_max_age=600)" if url.startswith("postgres") else (
        "SQLite (WAL, a throw-away file)" if not url else "DATABASE_URL")


def _targets(cells, checks, drills, server) -> list[str]:
    lines = ["## Targets (issues 7 and 15)", "", "| target | figure | verdict |", "|---|---|---|"]

    def add(target: str, figure: str, ok: bool | None) -> None:
        lines.append(f"| {target} | {figure} | {'n/a' if ok is None else _verdict(ok)} |")

    for latency in LATENCIES_MS:
        one = cells.get((latency, 1), {})
        for name in APP_SCENARIOS:
            if name in one:
                s = _summary(one[name])
                waits = latency * CALLS_PER_REQUEST[name]
                add(f"overhead, 1 client, L={latency}, {name}: p50 <= 5, p99 <= 10 ms",
                    f"p50 {s['p50'] - waits:.1f}, p99 {s['p99'] - waits:.1f}",
                    s["p50"] - waits <= 5 and s["p99"] - waits <= 10)
    for latency in LATENCIES_MS:
        many = cells.get((latency, 32), {})
        for name in APP_SCENARIOS:
            floor_name = "sleep2" if CALLS_PER_REQUEST[name] == 2 and latency else "sleep"
            if name in many and floor_name in many:
                s, f = _summary(many[name]), _summary(many[floor_name])
                add(f"32 clients, L={latency}, {name} vs {floor_name}: p50, p99 within 10 %",
                    f"p50 {s['p50']:.1f} vs {f['p50']:.1f} ({s['p50'] / f['p50']:.2f}x), "
                    f"p99 {s['p99']:.1f} vs {f['p99']:.1f} ({s['p99'] / f['p99']:.2f}x)",
                    s["p50"] <= 1.1 * f["p50"] and s["p99"] <= 1.1 * f["p99"])
    one_at_zero = cells.get((0, 1), {})
    if "unsubscribe_post" in one_at_zero:  # issue 15: 17 ms before
        p50 = _summary(one_at_zero["unsubscribe_post"])["p50"]
        add("unsubscribe POST, 1 client, L=0: p50 <= 12 ms", f"p50 {p50:.1f}", p50 <= 12)
    for users in CLIENTS:
        cell = cells.get((0, users), {})
        if "profile_get" in cell and "plain" in cell:
            ratio = _summary(cell["profile_get"])["rps"] / _summary(cell["plain"])["rps"]
            add(f"profile GET / plain template view throughput, L=0, {users} client(s): >= 50 %",
                f"{ratio:.0%}", ratio >= 0.5 if users == 32 else None)
        if "minimal" in cell and "plain" in cell:
            ratio = _summary(cell["minimal"])["rps"] / _summary(cell["plain"])["rps"]
            add(f"(reference) minimal view with the same read / plain view throughput, L=0, {users} client(s)",
                f"{ratio:.0%}", None)
    exact, cold = cells.get("calls", {}), cells.get("calls_cold", {})
    for name in APP_SCENARIOS:
        if name in exact:
            add(f"Maileon calls per request, {name} (one client, 20 sequential requests; first pass in brackets)",
                f"{exact[name]:g} ({cold.get(name, float('nan')):g})",
                exact[name] == 1 if CALLS_PER_REQUEST[name] == 1 else None)
    add("TCP connects to Maileon <= 1 per server thread",
        f"{checks['maileon_connections']} for {checks['server_threads']} threads",
        checks["maileon_connections"] <= checks["server_threads"])
    add("no checksum in gunicorn's access log", f"{checks['access_log_checksums']} found",
        checks["access_log_checksums"] == 0)
    for drill in drills:
        add(f"drill, {drill['count']} unsubscribes, L={drill['latency']}, {drill['workers']} worker(s): 0 lost, "
            "drained <= 60 s after recovery",
            f"lost {drill['lost']}, drained in {drill['drain']} s ({drill['pace']} rows/s)",
            drill["lost"] == 0 and drill["drain"] is not None and drill["drain"] <= 60 if drill["latency"] == 0
            else drill["lost"] == 0)
    for latency in sorted({d["latency"] for d in drills}):
        pair = {d["workers"]: d for d in drills if d["latency"] == latency}
        if 1 in pair and 4 in pair and pair[1]["drain"] and pair[4]["drain"]:
            speedup = pair[1]["drain"] / pair[4]["drain"]
            pace = (f", pace {pair[4]['pace'] / pair[1]['pace']:.1f}x" if pair[1]["pace"] and pair[4]["pace"]
                    else "")
            add(f"drill, L={latency}: four workers drain >= 3x as fast as one", f"{speedup:.1f}x{pace}",
                speedup >= 3)
    lines.append("")
    return lines


if __name__ == "__main__":
    sys.exit(main())
