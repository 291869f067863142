import pytest

from preference_center.dev.sandbox.serve import spawn


@pytest.fixture
def sandbox():
    """The sandbox as its own process, standing in for Maileon: `.api_url`, `.control` (what it recorded)."""
    process = spawn()
    yield process
    process.stop()
