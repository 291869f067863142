"""`manage.py deliver_unsubscribes`: --once for cron and tests, the loop for `make run`."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from preference_center.models import Status, UnsubscribeRequest

from .support import unsubscribe_calls

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_once_delivers_everything_due_and_prints_counts_only(maileon_sandbox, make_request, make_page):
    make_request(1004)
    make_request(1002, page=make_page(account_ids="311"))
    make_request(1001, checksum="forged")
    out = StringIO()

    call_command("deliver_unsubscribes", "--once", stdout=out)

    line = out.getvalue().strip()
    assert line.startswith("delivered=2 retry_later=0 failed=1 ")
    assert "\n" not in line
    for secret in ("@", maileon_sandbox.checksum_for(1004), "forged", "1004", "1002"):
        assert secret not in line
    assert len(unsubscribe_calls(maileon_sandbox)) == 2
    assert UnsubscribeRequest.objects.filter(status=Status.PENDING).count() == 0


@pytest.mark.django_db
def test_once_with_nothing_due_says_so(maileon_sandbox):
    out = StringIO()

    call_command("deliver_unsubscribes", "--once", stdout=out)

    assert out.getvalue().startswith("delivered=0 retry_later=0 failed=0")
    assert maileon_sandbox.calls == []


def test_the_loop_stops_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("PYTHONUNBUFFERED", None)  # as under a process manager: the command must flush its own lines
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "deliver_unsubscribes", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([worker.stdout], [], [], 30)
        assert ready, "the worker did not announce itself within 30 s (stdout not flushed?)"
        assert worker.stdout.readline().startswith("Delivering unsubscribes every 0.2 s")
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        stdout, _ = worker.communicate(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "stopped" in stdout
