"""`manage.py demo`: idempotent, an admin login only while DEBUG is on, and printed links that work."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from preference_center.models import PageConfig, ProfileField, UnsubscribeReason

LINK = re.compile(r"(https?://\S+)$")


def _demo(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _links(output: str) -> list[str]:
    return [match.group(1) for line in output.splitlines() if (match := LINK.search(line))]


def _counts() -> tuple[int, ...]:
    return (PageConfig.objects.count(), ProfileField.objects.count(), UnsubscribeReason.objects.count(),
            get_user_model().objects.count())


def test_running_twice_changes_nothing_but_the_password(db, settings):
    settings.DEBUG = True
    first, _ = _demo()
    counts = _counts()
    second, _ = _demo()
    assert _counts() == counts
    assert _links(first) == _links(second)


def test_it_restores_a_deleted_seed(db, settings):
    PageConfig.objects.all().delete()
    UnsubscribeReason.objects.all().delete()
    _demo()
    assert PageConfig.objects.filter(is_default=True).count() == 1
    assert UnsubscribeReason.objects.count() == 6


def test_the_printed_admin_login_works(client, db, settings):
    settings.DEBUG = True
    output, _ = _demo()
    username, password = re.search(r"Admin user: (\S+)\s+password: (\S+)", output).groups()
    assert username == "demo"
    assert _sign_in(client, username, password).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    _demo()  # a new run, a new password: the old one stops working
    refused = _sign_in(client, username, password)
    assert refused.status_code == 200 and "Please enter the correct username and password" in refused.content.decode()


def test_a_new_run_unlocks_the_demo_admin(client, db, settings):
    # A developer who mistyped the password five times gets a working login from the next `make run`.
    settings.DEBUG = True
    _demo()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "demo", "mistyped")
    assert _sign_in(client, "demo", "mistyped").status_code == 429
    output, _ = _demo()
    password = re.search(r"password: (\S+)", output).group(1)
    assert _sign_in(client, "demo", password).status_code == 302


def _sign_in(client, username: str, password: str):
    """The admin's sign-in form, as a browser submits it (axes counts sign-ins that carry a request)."""
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def test_without_debug_there_is_no_admin_user(db, settings):
    settings.DEBUG = False
    output, errors = _demo()
    assert not get_user_model().objects.filter(username="demo").exists()
    assert "password" not in output
    assert "DEBUG is off" in errors


def test_sandbox_mode_prints_contact_links_with_the_sandbox_checksums(db, settings, sandbox_store):
    settings.MAILEON_SANDBOX = True
    output, _ = _demo("--base-url", "http://127.0.0.1:9000/")
    links = _links(output)
    for contact_id in (1001, 1002):
        query = f"contactid={contact_id}&checksum={sandbox_store.checksum_for(contact_id)}&mailingid=88120"
        assert f"http://127.0.0.1:9000/profile/?{query}" in links
        assert f"http://127.0.0.1:9000/unsubscribe/?{query}" in links
    assert "http://127.0.0.1:9000/admin/" in links
    assert "http://127.0.0.1:9000/sandbox/mails/" in links
    assert len(links) == 6


def test_with_a_real_key_it_prints_the_link_templates(db, settings):
    settings.MAILEON_SANDBOX = False
    output, _ = _demo("--base-url", "https://prefs.example.com")
    query = "contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]&mailingid=[MAILING|ID]"
    assert f"https://prefs.example.com/profile/?{query}" in output
    assert f"List-Unsubscribe: <https://prefs.example.com/unsubscribe/one-click/?{query}>" in output
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in output
    assert "1001" not in output


def test_every_printed_link_opens(client, db, settings, maileon_sandbox):
    settings.DEBUG = True
    settings.MAILEON_SANDBOX = True
    try:
        resolve("/profile/")
    except Resolver404:
        pytest.skip("the recipient pages are not wired into urls.py yet")
    output, _ = _demo("--base-url", "http://testserver")
    client.force_login(get_user_model().objects.get(username="demo"))  # signing in is tested above
    for link in _links(output):
        url = urlsplit(link)
        response = client.get(f"{url.path}?{url.query}" if url.query else url.path)
        assert response.status_code == 200, link
    assert maileon_sandbox.changing_calls() == []  # opening links changes nothing


def _configured(page: PageConfig) -> tuple:
    categories = sorted(page.preference_groups.values_list("category", flat=True))
    return (page.doi_mailing_key, page.downsell_category, categories,
            sorted(page.fields.filter(source="custom").values_list("name", flat=True)))


def test_in_sandbox_mode_the_default_page_gets_the_demo_accounts_configuration(db, settings):
    settings.MAILEON_SANDBOX = True
    output, _ = _demo()
    assert "Default page configured for the sandbox's demo account." in output
    page = PageConfig.objects.get(is_default=True)
    assert _configured(page) == ("doi-standard", "Frequenz", ["Frequenz", "Themen"], ["Lieblingsfarbe"])
    assert "configured" not in _demo()[0]  # idempotent


def test_against_a_real_account_no_demo_name_is_added(db, settings):
    settings.MAILEON_SANDBOX, settings.MAILEON_API_KEY = False, "6a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"
    _demo()
    assert _configured(PageConfig.objects.get(is_default=True)) == ("", "", [], [])


def test_a_page_a_developer_configured_is_left_alone(db, settings):
    settings.MAILEON_SANDBOX = True
    page = PageConfig.objects.get(is_default=True)
    page.preference_groups.create(category="Eigene", position=1)
    _demo()
    assert _configured(PageConfig.objects.get(pk=page.pk)) == ("", "", ["Eigene"], [])
