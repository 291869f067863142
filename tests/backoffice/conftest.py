"""Fixtures for the marketers' admin: a logged-in staff client, Maileon up (`maileon_sandbox`, shared) or down."""

from __future__ import annotations

import pytest
import responses



@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Logging in is not under test here; the production hasher would cost a second per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_client(admin_client):
    return admin_client


@pytest.fixture
def maileon_down():
    """Nothing answers Maileon's URL: every call fails to connect (no sandbox, no network)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps



