"""`manage.py deliver_unsubscribes`: the outbox worker, in a loop (`make run`) or once (`--once`, cron, tests)."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...delivery import worker
from ...delivery import outbox


class Command(BaseCommand):
    help = (
        "Deliver recorded unsubscribes to Maileon. Loops every --interval seconds until SIGTERM or Ctrl-C; "
        "with --once delivers everything due and exits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver everything due, print a summary, exit.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between passes in the loop (default 2)."
        )
        parser.add_argument(
            "--probe-interval", type=float, default=worker.PROBE_INTERVAL,
            help=f"While Maileon looks down: seconds between single probes (default {worker.PROBE_INTERVAL:g}).",
        )
        parser.add_argument(
            "--lease-seconds", type=float, default=outbox.LEASE_SECONDS,
            help="How long a claimed row stays this worker's before another may take it over "
            f"(default {outbox.LEASE_SECONDS}; keep it well above one attempt's worst case).",
        )

    def handle(
        self, *args, once: bool = False, interval: float = 2.0, probe_interval: float = worker.PROBE_INTERVAL,
        lease_seconds: float = outbox.LEASE_SECONDS, **options,
    ) -> None:
        if interval <= 0:
            interval = 2.0
        if lease_seconds <= 0:
            raise CommandError("--lease-seconds must be positive")
        stop = threading.Event()
        breaker = worker.CircuitBreaker(probe_interval=max(probe_interval, 0.0))
        with _stopping_on_signals(stop):
            if once:
                report = worker.deliver_due(
                    limit=None, breaker=breaker, should_stop=stop.is_set, lease_seconds=lease_seconds
                )
                self.stdout.write(report.summary())
                return
            self.stdout.write(f"Delivering unsubscribes every {interval:g} s (Ctrl-C stops).")
            # stdout is block-buffered when piped (a process manager, a log collector): say it now, not at exit.
            self.stdout.flush()
            worker.run(poll_interval=interval, stop=stop, breaker=breaker, lease_seconds=lease_seconds)
            self.stdout.write("Unsubscribe delivery stopped.")


@contextmanager
def _stopping_on_signals(stop: threading.Event):
    """SIGTERM and SIGINT end the loop after the row in hand, so no lease is left to expire."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (e.g. call_command in a thread)
        return
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
