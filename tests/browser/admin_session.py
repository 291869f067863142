"""A marketer signed in to the admin, for browser tests and admin screenshots: a superuser's session cookie put
into the browser's context (force_login passes a request, as django-axes requires)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

USERNAME = "marketer"


def sign_in(page, base_url: str) -> None:
    """Sign `page`'s browser context in as the marketer (created on first use)."""
    user = get_user_model().objects.filter(username=USERNAME).first() or get_user_model().objects.create_superuser(
        USERNAME, "marketer@example.com", "unused-password")
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
