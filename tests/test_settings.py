import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env_overrides):
    """manage.py with the given environment, none of the test run's own settings variables."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "MAILEON_API_KEY", "SECRET_KEY", "CACHE_URL", "TRUSTED_PROXY_HOPS"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def run_check(**env_overrides):
    return manage("check", **env_overrides)


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


# --- CACHE_URL and TRUSTED_PROXY_HOPS


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "MAILEON_API_KEY": "k"}


def settings_seen(*names, **env_overrides):
    code = (f"import json; from django.conf import settings; "
            f"print(json.dumps([getattr(settings, n) for n in {names!r}]))")
    result = manage("shell", "-c", code, **PRODUCTION, **env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_default_cache_is_the_database_cache_and_forwarded_headers_are_not_trusted():
    caches, hops = settings_seen("CACHES", "TRUSTED_PROXY_HOPS")
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert caches["default"]["LOCATION"] == "preference_center_cache"
    assert set(caches) == {"default"}  # account definitions live in each process's memory (services.definitions)
    assert hops == 0


def test_a_redis_cache_url_uses_djangos_own_redis_backend():
    (caches,) = settings_seen("CACHES", CACHE_URL="redis://cache.internal:6379/0")
    assert caches["default"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://cache.internal:6379/0"}


def test_trusted_proxy_hops_from_the_environment_and_never_negative():
    assert settings_seen("TRUSTED_PROXY_HOPS", TRUSTED_PROXY_HOPS="2") == [2]
    result = manage("check", **PRODUCTION, TRUSTED_PROXY_HOPS="-1")
    assert result.returncode != 0 and "TRUSTED_PROXY_HOPS must be 0 or more" in result.stderr


def test_enabled_languages_default_to_all_six_and_refuse_one_without_a_catalogue():
    assert settings_seen("ENABLED_LANGUAGES") == [["de", "en", "fr", "it", "es", "nl"]]
    assert settings_seen("ENABLED_LANGUAGES", ENABLED_LANGUAGES="en,de") == [["en", "de"]]
    result = manage("check", **PRODUCTION, ENABLED_LANGUAGES="de,pl")
    assert result.returncode != 0 and "ENABLED_LANGUAGES must name one or more of de, en, fr, it, es, nl" in result.stderr


def test_refuses_to_start_with_a_per_process_cache_when_debug_is_off():
    result = manage("check", **PRODUCTION, CACHE_URL="locmemcache://")
    assert result.returncode != 0
    assert "preference_center.E002" in result.stderr


def test_migrate_on_a_fresh_database_creates_the_cache_table_and_a_second_run_keeps_it(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    for _ in range(2):
        result = manage("migrate", "--noinput", **PRODUCTION, DATABASE_URL=f"sqlite:///{database}")
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "preference_center_cache" in tables


def test_collectstatic_writes_where_static_root_points(tmp_path):
    target = tmp_path / "collected"
    result = manage("collectstatic", "--noinput", "-v0", **PRODUCTION, STATIC_ROOT=str(target))
    assert result.returncode == 0, result.stderr
    assert (target / "staticfiles.json").is_file()  # whitenoise's manifest: what DEBUG off serves from
