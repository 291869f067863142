#!/usr/bin/env python
"""Outage drill: N unsubscribes submitted while Maileon is down, then Maileon comes back. Is any lost?

    .venv/bin/python scripts/drill_outage.py [--count 1000] [--workers 1] [--latency-ms 0]
    scripts/with_postgres.sh .venv/bin/python scripts/drill_outage.py --workers 4     # on PostgreSQL

Without DATABASE_URL the drill uses a throw-away SQLite file (never the development database). Steps:
1. start the sandbox as its own HTTP process on 127.0.0.1 (preference_center.dev.sandbox.serve), answering 503 to
   every API call, with one contact per submission and unsubscribes applied at once (delay 0);
2. migrate, start `--workers` real `manage.py deliver_unsubscribes` processes against it;
3. submit `--count` unsubscribes through the app (Django's test client, several threads): page POSTs and RFC
   8058 one-click POSTs in turn, a few with a draft mailing id (Maileon refuses it: sent again without);
4. restore the sandbox (faults cleared) and wait until no row is pending (at most `--timeout` seconds);
5. print the figures and exit 1 if anything is lost: a submitted contact whose request is not delivered AND
   who is not unsubscribed in the sandbox (or a row marked delivered whose contact is still subscribed).

Bounded: at most 20,000 submissions, a drain timeout, loopback only. The app talks to the sandbox over HTTP
exactly as to Maileon (MAILEON_API_URL, key "sandbox").
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from preference_center.dev.sandbox.serve import Control, spawn, stop_process  # noqa: E402
MAX_COUNT = 20_000
SENT_MAILING = 88120  # a mailing the sandbox knows as sent to everyone
DRAFT_MAILING = 99999  # a draft: Maileon refuses the mailing id, the unsubscribe must still happen
DRAFT_EVERY = 10


def main() -> int:
    options = _options()
    work = Path(tempfile.mkdtemp(prefix="drill_outage."))
    sandbox = spawn("--unsubscribe-delay", "0", stderr=open(work / "sandbox.log", "w"))
    env = _environment(options, work, sandbox.api_url)
    workers: list[subprocess.Popen] = []
    try:
        control = sandbox.control
        control.add_contacts(options.first_contact_id, options.count)
        control.configure(latency_ms=options.latency_ms)
        control.inject(status=503, times=None)  # Maileon is down

        os.environ.update(env)
        _setup_django()
        _refuse_used_contacts(options)
        workers = [_start_worker(env, options, work, n) for n in range(options.workers)]

        started = time.monotonic()
        statuses = _submit_all(options)
        submit_seconds = time.monotonic() - started
        outage_stats = control.stats()

        control.clear_faults()  # Maileon is back
        restored = time.monotonic()
        restored_at = _now()
        drained = _wait_for_drain(options)
        drain_seconds = time.monotonic() - restored if drained else None
        time.sleep(0.5)  # answers in flight land before counting
        figures = _figures(options, control, statuses, submit_seconds, drain_seconds, outage_stats)
        figures.update(_pace(options, restored_at))
    finally:
        for worker in workers:
            stop_process(worker, grace=15)  # SIGTERM: the worker finishes the row in hand
        sandbox.stop()
    _print(figures, options, work)
    return 1 if figures["lost"] or figures["delivered_but_subscribed"] or drain_seconds is None else 0


# --- set-up


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Submit unsubscribes while Maileon is down; count the lost.")
    parser.add_argument("--count", type=int, default=1000, help=f"unsubscribes to submit (at most {MAX_COUNT})")
    parser.add_argument("--workers", type=int, default=1, help="deliver_unsubscribes processes (1 to 16)")
    parser.add_argument("--interval", type=float, default=1.0, help="the workers' seconds between passes")
    parser.add_argument("--probe-interval", type=float, default=None,
                        help="the workers' seconds between probes while Maileon is down (default: theirs)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent submissions")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency of every sandbox answer")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the drain")
    parser.add_argument("--first-contact-id", type=int, default=500_000)
    options = parser.parse_args()
    if not 0 < options.count <= MAX_COUNT:
        parser.error(f"--count must be 1 to {MAX_COUNT}")
    if not 1 <= options.workers <= 16:
        parser.error("--workers must be 1 to 16")
    if not 1 <= options.threads <= 64:
        parser.error("--threads must be 1 to 64")
    return options


def _environment(options: argparse.Namespace, work: Path, api_url: str) -> dict[str, str]:
    # Production settings (DEBUG off): in DEBUG Django keeps every query of a process, which a worker draining
    # a backlog would pay for on each row.
    env = {"DEBUG": "off", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "testserver",
           "SECURE_SSL_REDIRECT": "off", "MAILEON_API_KEY": "sandbox", "MAILEON_API_URL": api_url,
           "PYTHONUNBUFFERED": "1"}
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        # Several processes write at once: wait for the lock instead of failing, and take it up front in a
        # transaction (a read lock upgraded later can deadlock and fails at once). WAL with synchronous=NORMAL
        # survives any process crash (only an OS crash may lose the last commits): SQLite's usual server set-up.
        database_url = (
            f"sqlite:///{work / 'drill.sqlite3'}?timeout=60&transaction_mode=IMMEDIATE"
            "&init_command=PRAGMA%20journal_mode%3DWAL%3BPRAGMA%20synchronous%3DNORMAL"
        )
    env["DATABASE_URL"] = database_url
    return env


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preference_center.settings")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the app's per-request outage warnings (the workers log to files)
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _refuse_used_contacts(options: argparse.Namespace) -> None:
    from preference_center.models import UnsubscribeRequest

    if _rows(options).exists():
        raise SystemExit(
            f"{UnsubscribeRequest._meta.db_table} already has rows for contacts {options.first_contact_id}+: "
            "use another --first-contact-id or a fresh database"
        )


def _start_worker(env: dict[str, str], options: argparse.Namespace, work: Path, number: int) -> subprocess.Popen:
    log = open(work / f"worker{number}.log", "w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_unsubscribes", "--interval", str(options.interval),
         *(["--probe-interval", str(options.probe_interval)] if options.probe_interval is not None else [])],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )


# --- submissions


def _submit_all(options: argparse.Namespace) -> dict[int, int]:
    """Submit one unsubscribe per contact; returns HTTP status -> how many."""
    from django.db import connection
    from django.test import Client

    from preference_center.dev.sandbox.store import checksum_for

    local = threading.local()

    def submit(n: int) -> int:
        if not hasattr(local, "client"):
            local.client = Client()
        contact_id = options.first_contact_id + n
        query = {"contactid": contact_id, "checksum": checksum_for(contact_id),
                 "mailingid": DRAFT_MAILING if n % DRAFT_EVERY == 0 else SENT_MAILING}
        if n % 2:
            url = "/unsubscribe/one-click/?" + urlencode(query)
            return local.client.post(url, {"List-Unsubscribe": "One-Click"}).status_code
        return local.client.post("/unsubscribe/?" + urlencode(query), {"reason": ""}).status_code

    def submit_and_close(numbers: range) -> list[int]:
        try:
            return [submit(n) for n in numbers]
        finally:
            connection.close()

    # Each thread takes a contiguous slice, so it owns one client and one connection throughout.
    slices = [range(i, options.count, options.threads) for i in range(options.threads)]
    statuses: dict[int, int] = {}
    with ThreadPoolExecutor(options.threads) as pool:
        for results in pool.map(submit_and_close, slices):
            for status in results:
                statuses[status] = statuses.get(status, 0) + 1
    return statuses


# --- after


def _rows(options: argparse.Namespace):
    from preference_center.models import UnsubscribeRequest

    return UnsubscribeRequest.objects.filter(
        contact_id__gte=options.first_contact_id, contact_id__lt=options.first_contact_id + options.count
    )


def _wait_for_drain(options: argparse.Namespace) -> bool:
    from preference_center.models import Status

    deadline = time.monotonic() + options.timeout
    while time.monotonic() < deadline:
        if not _rows(options).filter(status=Status.PENDING).exists():
            return True
        time.sleep(0.1)
    return False


def _now():
    from django.utils import timezone

    return timezone.now()


def _pace(options: argparse.Namespace, restored_at) -> dict:
    """When the workers noticed the recovery (their breaker's next probe) and how fast they drained from then."""
    from django.db.models import Count, Max, Min

    span = _rows(options).filter(delivered_at__gte=restored_at).aggregate(
        first=Min("delivered_at"), last=Max("delivered_at"), count=Count("pk")
    )
    if not span["count"]:
        return {"first_delivery_seconds": None, "drain_rate": None}
    seconds = (span["last"] - span["first"]).total_seconds()
    return {
        "first_delivery_seconds": (span["first"] - restored_at).total_seconds(),
        "drain_rate": span["count"] / seconds if seconds > 0 else None,
    }


def _figures(options, control: Control, statuses, submit_seconds, drain_seconds, outage_stats) -> dict:
    from preference_center.models import Status

    stats = control.stats(options.first_contact_id, options.count)
    still_subscribed = set(stats["not_unsubscribed_ids"])
    rows = list(_rows(options).values("contact_id", "status", "attempts"))
    delivered = {row["contact_id"] for row in rows if row["status"] == Status.DELIVERED}
    submitted = set(range(options.first_contact_id, options.first_contact_id + options.count))
    return {
        "submitted": options.count,
        "answers": statuses,
        "rows": len(rows),
        "delivered": len(delivered),
        "failed": sum(1 for row in rows if row["status"] == Status.FAILED),
        "pending": sum(1 for row in rows if row["status"] == Status.PENDING),
        "lost": len((submitted - delivered) & still_subscribed),
        "delivered_but_subscribed": len(delivered & still_subscribed),
        "unsubscribed_in_maileon": stats["unsubscribed"],
        "submit_seconds": submit_seconds,
        "drain_seconds": drain_seconds,
        "calls_during_outage": outage_stats["calls"],
        "calls_total": stats["calls"],
        "calls_by_method": stats["calls_by_method"],
        "unsubscribe_calls": stats["unsubscribe_calls"],
        "duplicate_unsubscribes": stats["duplicate_unsubscribes"],
        "max_attempts": max((row["attempts"] for row in rows), default=0),
    }


def _print(figures: dict, options: argparse.Namespace, work: Path) -> None:
    from django.db import connection

    drain = figures["drain_seconds"]
    print(f"database:                 {connection.vendor}, {options.workers} worker(s), "
          f"latency {options.latency_ms:g} ms")
    print(f"submitted:                {figures['submitted']} (answers {figures['answers']}) "
          f"in {figures['submit_seconds']:.1f} s while Maileon was down")
    print(f"rows recorded:            {figures['rows']}")
    print(f"delivered:                {figures['delivered']}")
    print(f"failed:                   {figures['failed']}")
    print(f"still pending:            {figures['pending']}")
    print(f"lost:                     {figures['lost']}")
    print(f"delivered, not in Maileon:{figures['delivered_but_subscribed']:>2}")
    print(f"unsubscribed in Maileon:  {figures['unsubscribed_in_maileon']}")
    print("time to drain:            " + (f"{drain:.1f} s after recovery" if drain is not None
                                          else f"NOT drained within {options.timeout:g} s"))
    if figures["first_delivery_seconds"] is not None:
        rate = figures["drain_rate"]
        print(f"first delivery:           {figures['first_delivery_seconds']:.1f} s after recovery (a probe), "
              f"then {f'{rate:.0f} rows/s' if rate else 'all at once'}")
    print(f"Maileon calls:            {figures['calls_total']} {figures['calls_by_method']} "
          f"({figures['calls_during_outage']} during the outage)")
    print(f"unsubscribe calls:        {figures['unsubscribe_calls']}")
    print(f"duplicate unsubscribes:   {figures['duplicate_unsubscribes']}")
    print(f"most attempts of a row:   {figures['max_attempts']}")
    print(f"logs:                     {work}")


if __name__ == "__main__":
    sys.exit(main())
