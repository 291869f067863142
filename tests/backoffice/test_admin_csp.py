"""The admin's Content-Security-Policy lets our own scripts run (the link builder's copy buttons) and nothing else:
no inline script, no eval, no other origin; and the page configuration form needs nothing more."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url", [
    reverse("admin:preference_center_pageconfig_add"),
    reverse("admin:preference_center_pageconfig_changelist"),
    reverse("admin:index"),
])
def test_admin_scripts_may_come_from_our_origin_only(staff_client, maileon_sandbox, url):
    directives = policy(staff_client.get(url))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    every_value = [value for values in directives.values() for value in values]
    assert not [value for value in every_value if value.startswith("'unsafe") or "*" in value or "://" in value]


def test_the_page_form_loads_its_scripts_as_files_of_our_origin(staff_client, maileon_sandbox, default_page):
    response = staff_client.get(reverse("admin:preference_center_pageconfig_change", args=[default_page.pk]))
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:  # data, which a browser never runs
            continue
        source = re.search(r'src="([^"]+)"', attributes)
        assert source and source.group(1).startswith("/") and not source.group(1).startswith("//"), attributes
        assert body.strip() == ""
    assert re.search(r'<script defer src="/static/preference_center/link_builder\.js"></script>', html)
    assert " style=" not in html and "<style" not in html  # style-src 'self' too: no inline style either
