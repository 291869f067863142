"""The change page shows the exact links to paste into a Maileon mailing, and previews for staff only."""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from preference_center.models import PageConfig

QUERY = "contactid=[CONTACT|ID]&checksum=[CONTACT|CHECKSUM]&mailingid=[MAILING|ID]"


def _change_page(client, page, **extra):
    return client.get(reverse("admin:preference_center_pageconfig_change", args=[page.pk]), **extra)


def test_default_page_links_are_exact(staff_client, maileon_down, default_page):
    content = _change_page(staff_client, default_page, secure=True).content.decode()
    for snippet in [
        f"https://testserver/profile/?{QUERY}",
        f"https://testserver/unsubscribe/?{QUERY}",
        f"List-Unsubscribe: <https://testserver/unsubscribe/one-click/?{QUERY}>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
    ]:
        assert f">{escape(snippet, quote=False)}</code>" in content, snippet
    assert "only\n      https:// for one-click" not in content


def test_other_pages_put_their_slug_first(staff_client, maileon_down):
    page = PageConfig.objects.create(slug="herbst-aktion", name="Herbst")
    content = _change_page(staff_client, page, secure=True).content.decode()
    assert escape(f"https://testserver/p/herbst-aktion/profile/?{QUERY}", quote=False) in content
    assert escape(f"https://testserver/p/herbst-aktion/unsubscribe/?{QUERY}", quote=False) in content
    header = f"List-Unsubscribe: <https://testserver/p/herbst-aktion/unsubscribe/one-click/?{QUERY}>"
    assert escape(header, quote=False) in content


def test_plain_http_admin_warns_that_one_click_needs_https(staff_client, maileon_down, default_page):
    content = _change_page(staff_client, default_page).content.decode()
    assert escape(f"http://testserver/profile/?{QUERY}", quote=False) in content
    assert "Mail providers accept only" in content


def test_without_javascript_the_add_page_shows_no_links_yet(staff_client, maileon_down):
    # link_builder.js shows them as the slug is typed (tests/browser/test_link_builder.py)
    content = staff_client.get(reverse("admin:preference_center_pageconfig_add")).content.decode()
    assert re.search(r'<fieldset [^>]*id="mailing-links"[^>]* hidden>', content)


def _preview_urls(page):
    return [reverse("admin:preference_center_pageconfig_preview", args=[page.pk, kind, language])
            for kind in ("profile", "unsubscribe") for language in ("de", "en")]


def test_change_page_links_the_four_previews(staff_client, maileon_down, default_page):
    content = _change_page(staff_client, default_page).content.decode()
    for url in _preview_urls(default_page):
        assert f'href="{url}"' in content


def test_previews_are_staff_only(client, default_page):
    for url in _preview_urls(default_page):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_previews_render_without_calling_maileon(staff_client, maileon_sandbox, default_page):
    pytest.importorskip("preference_center.pages.previews")
    default_page.profile_intro_de = "Vorschau-Intro"
    default_page.save()
    for url in _preview_urls(default_page):
        assert staff_client.get(url).status_code == 200, url
    assert staff_client.get(_preview_urls(default_page)[0]).content.decode().count("Vorschau-Intro") == 1
    assert maileon_sandbox.calls == []


def test_unknown_preview_kinds_are_refused(staff_client, default_page):
    url = reverse("admin:preference_center_pageconfig_preview", args=[default_page.pk, "admin", "de"])
    assert staff_client.get(url).status_code == 403


@pytest.mark.parametrize("slug", ["default", "herbst-aktion"])
def test_the_pasted_links_open_the_pages_once_maileon_fills_them_in(staff_client, client, maileon_sandbox, slug):
    page = PageConfig.objects.get_or_create(slug=slug, defaults={"name": slug})[0]
    content = _change_page(staff_client, page).content.decode()
    templates = [unescape(code) for code in re.findall(r'<code class="pc-link" id="link-\w+"[^>]*>([^<]+)</code>', content)]
    assert len(templates) == 2
    for template in templates:
        link = (template.replace("[CONTACT|ID]", "1001")
                .replace("[CONTACT|CHECKSUM]", maileon_sandbox.checksum_for(1001))
                .replace("[MAILING|ID]", "88120"))
        url = urlsplit(link)
        assert client.get(f"{url.path}?{url.query}").status_code == 200, link
