import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "MAILEON_API_KEY", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_refuses_to_start_without_api_key_when_debug_is_off():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "MAILEON_API_KEY is not set" in result.stderr


def test_starts_with_api_key_when_debug_is_off():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org", MAILEON_API_KEY="k")
    assert result.returncode == 0, result.stderr



def test_deploy_check_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "MAILEON_API_KEY", "SECRET_KEY"}}
    env.update(DEBUG="0", SECRET_KEY="k" * 20 + "Zq8#x" * 8, ALLOWED_HOSTS="prefs.example.com", MAILEON_API_KEY="k")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
