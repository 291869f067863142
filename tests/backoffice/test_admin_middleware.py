"""Sessions, sign-in and messages run on the admin's paths only (backoffice/middleware.py)."""

import pytest
from django.urls import reverse

from preference_center.backoffice.middleware import ADMIN_PATH

from tests.support import ERIKA

pytestmark = pytest.mark.django_db


def test_the_middleware_knows_where_urls_mounts_the_admin():
    assert reverse("admin:index") == ADMIN_PATH


def test_a_recipient_page_gets_no_session_and_no_user(client, default_page, maileon_sandbox, link, admin_user):
    client.force_login(admin_user)  # a marketer's session cookie goes along: the page neither reads nor renews it

    response = client.get(f"/profile/?{link(ERIKA, lang='en')}")

    assert response.status_code == 200
    assert not hasattr(response.wsgi_request, "session") and not hasattr(response.wsgi_request, "user")
    assert "sessionid" not in response.cookies and "Cookie" not in response.get("Vary", "")


def test_the_admin_still_has_them(client, admin_user):
    client.force_login(admin_user)

    response = client.get(ADMIN_PATH)

    assert response.status_code == 200
    assert response.wsgi_request.user == admin_user
