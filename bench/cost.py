#!/usr/bin/env python
"""What one page view costs the app's own CPU, measured in one process: where `make bench` times requests from
outside, this takes the clock of the thread that serves them, so other load on the machine weighs far less.

    .venv/bin/python bench/cost.py [--requests 300] [--scenarios profile_get,...] [--profile profile_get]

The sandbox runs as its own process (loopback, as Maileon would be; its CPU is not counted); the app runs here
with the bench's production settings (bench/settings.py: DEBUG off, the manifest storage), its WSGI handler
called directly (no HTTP server: gunicorn's share is the same for every view and shows in `make bench`). Per
scenario: CPU ms of the serving thread (`time.thread_time`, the app, psycopg/libpq and requests/lxml included;
PostgreSQL's and the sandbox's own CPU not), wall ms, database queries and Maileon calls per request. With
`--profile NAME`, cProfile's top functions of that scenario (by own time and cumulative), to see where it goes.

DATABASE_URL as for bench/run.py (make bench: a throw-away PostgreSQL cluster via scripts/with_postgres.sh);
without it a throw-away SQLite file. Prints figures only; run.py runs it too and puts them into results.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preference_center.dev.sandbox.serve import spawn  # noqa: E402
from preference_center.dev.sandbox.store import checksum_for  # noqa: E402

SCENARIOS = ("plain", "minimal", "profile_get", "profile_post", "unsubscribe_get", "unsubscribe_post")
READERS_FIRST, READERS_COUNT = 2_000_000, 200
UNSUBSCRIBERS_FIRST = 4_000_000  # not bench/run.py's: with DATABASE_URL both write into one database
WARM_UP = 30


def main() -> int:
    options = _options()
    figures = measure(options.requests, options.scenarios.split(","), profile=options.profile)
    print(json.dumps(figures) if options.json else table(figures))
    return 0


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated: {', '.join(SCENARIOS)}")
    parser.add_argument("--profile", default="", help="a scenario to profile with cProfile (printed before the table)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (run.py)")
    return parser.parse_args()


def measure(requests: int, scenarios: list[str], *, profile: str = "") -> dict:
    from bench.run import PYTHON, _server_environment  # here: run.py imports this module too

    work = Path(tempfile.mkdtemp(prefix="bench-cost."))
    sandbox = spawn(stderr=open(work / "sandbox.log", "w"))
    try:
        sandbox.control.add_contacts(READERS_FIRST, READERS_COUNT)
        sandbox.control.add_contacts(UNSUBSCRIBERS_FIRST, (WARM_UP + requests) * 2)
        env = _server_environment(work, sandbox.api_url)
        for command in (["migrate", "--noinput", "-v0"], ["demo"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        os.environ.update(env)
        return _measure_in_process(sandbox.control, requests, scenarios, profile)
    finally:
        sandbox.stop()


def _measure_in_process(control, requests: int, scenarios: list[str], profile: str) -> dict:
    import django
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    django.setup()
    application = get_wsgi_application()
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    counting = connection.execute_wrapper(count)  # kept: a context manager collected too early would stop counting
    counting.__enter__()
    requests_of = _Requests()
    figures = {}
    for name in scenarios:
        for _ in range(WARM_UP):
            _call(application, requests_of.next(name))
        cpu, wall = [], []
        queries[0] = 0
        calls_before = control.stats()["calls"]
        profiler = cProfile.Profile() if name == profile else None
        for _ in range(requests):
            environ = requests_of.next(name)
            started_cpu, started = time.thread_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            _call(application, environ)
            if profiler:
                profiler.disable()
            cpu.append((time.thread_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        figures[name] = {
            "requests": requests,
            "cpu_ms_p50": statistics.median(cpu),
            "cpu_ms_mean": statistics.fmean(cpu),
            "wall_ms_p50": statistics.median(wall),
            "queries": queries[0] / requests,
            "maileon_calls": (control.stats()["calls"] - calls_before) / requests,
        }
        if profiler:
            _print_profile(profiler, name)
    return figures


class _Requests:
    """WSGI environs of each scenario, as bench/load.py sends them (English pages, a sent mailing)."""

    def __init__(self) -> None:
        self.reader = 0
        self.unsubscriber = UNSUBSCRIBERS_FIRST
        self.edits = 0

    def _query(self, contact: int) -> str:
        return urlencode({"contactid": contact, "checksum": checksum_for(contact), "mailingid": 88120, "lang": "en"})

    def next(self, name: str) -> dict:
        if name == "plain":
            return _environ("GET", "/bench/plain/", "")
        if name == "unsubscribe_post":
            self.unsubscriber += 1
            return _environ("POST", "/unsubscribe/", self._query(self.unsubscriber), {"reason": "", "message": ""})
        self.reader = (self.reader + 1) % READERS_COUNT
        query = self._query(READERS_FIRST + self.reader)
        if name == "profile_post":
            self.edits += 1
            return _environ("POST", "/profile/", query, {"FIRSTNAME": f"Cost{os.getpid()}x{self.edits}"})
        if name == "minimal":  # issue 15's yardstick: the same read by a minimal view (bench/views.py)
            return _environ("GET", "/bench/minimal/", query)
        return _environ("GET", "/profile/" if name == "profile_get" else "/unsubscribe/", query)


def _environ(method: str, path: str, query: str, data: dict | None = None) -> dict:
    body = urlencode(data).encode() if data is not None else b""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1", "HTTP_USER_AGENT": "bench-cost", "HTTP_ACCEPT": "text/html",
        "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if data is not None:
        environ.update({"CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
                        "HTTP_ORIGIN": "http://127.0.0.1", "HTTP_SEC_FETCH_SITE": "same-origin"})
    return environ


def _call(application, environ: dict) -> None:
    status = []
    result = application(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    if not status[0].startswith(("200", "303")) or (status[0].startswith("200") and not body):
        raise RuntimeError(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} answered {status[0]}")


def _print_profile(profiler: cProfile.Profile, name: str) -> None:
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(35)
        print(f"--- cProfile, {name}, by {order}\n{out.getvalue()}")


def table(figures: dict) -> str:
    lines = ["| scenario | app CPU ms p50 | mean | wall ms p50 | queries/req | Maileon calls/req |",
             "|---|---|---|---|---|---|"]
    for name, f in figures.items():
        lines.append(f"| {name} | {f['cpu_ms_p50']:.2f} | {f['cpu_ms_mean']:.2f} | {f['wall_ms_p50']:.2f} "
                     f"| {f['queries']:.2f} | {f['maileon_calls']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
