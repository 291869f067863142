"""Hardening tests reuse the page tests' factories and links (the sandbox's demo contacts)."""

from tests.pages.conftest import (  # noqa: F401  (pytest fixtures, registered by import)
    link,
    make_page,
    make_reason,
    put_bodies,
)
