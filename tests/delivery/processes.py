"""Real `manage.py` processes against a database this test can see too.

PostgreSQL: the test database itself (the test must be transactional, so rows are committed). SQLite: the test
database lives in memory, out of other processes' reach, so a throw-away file is migrated instead. Either way
rows are written and read through `manage.py shell -c`, one code path for both.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


class AppProcesses:
    def __init__(self, database_url: str, api_url: str) -> None:
        self.env = {
            **os.environ, "DEBUG": "1", "DATABASE_URL": database_url, "MAILEON_API_URL": api_url,
            "MAILEON_API_KEY": "sandbox",
        }
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, self.env["DATABASE_URL"] + done.stderr[-2000:]
        return done.stdout

    def record_unsubscribes(self, first: int, count: int) -> None:
        """Rows as a Maileon outage leaves them: unverified, due now."""
        self.manage("shell", "-c", (
            "from django.utils import timezone\n"
            "from preference_center.models import UnsubscribeRequest as R\n"
            "from preference_center.dev.sandbox.store import checksum_for\n"
            f"R.objects.bulk_create(R(contact_id=i, checksum=checksum_for(i), via='page', "
            f"next_attempt_at=timezone.now()) for i in range({first}, {first + count}))\n"
        ))

    def rows(self) -> list[dict]:
        out = self.manage("shell", "-c", (
            "import json\n"
            "from preference_center.models import UnsubscribeRequest as R\n"
            "print(json.dumps(list(R.objects.order_by('contact_id').values("
            "'contact_id', 'status', 'attempts', 'note', 'lease_id')), default=str))\n"
        ))
        return json.loads(out.strip().splitlines()[-1])

    def start_worker(self, *args: str) -> subprocess.Popen:
        worker = subprocess.Popen([sys.executable, "manage.py", "deliver_unsubscribes", *args], cwd=ROOT,
                                  env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def shared_database_url(tmp_path: Path) -> str:
    """The URL other processes use: the test database on PostgreSQL, a fresh file on SQLite (migrated by the
    caller)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        credentials = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}?timeout=30&transaction_mode=IMMEDIATE"


def wait_until(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
