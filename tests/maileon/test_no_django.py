"""The client package stands alone: importing it (and using its pieces) loads no Django."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_maileon_package_loads_no_django():
    script = textwrap.dedent(
        """
        import sys
        import preference_center.maileon
        from preference_center.maileon import client, codec, errors, transport, types
        loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
        assert not loaded, loaded
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
