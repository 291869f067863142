"""Every recipient page, the error pages included, carries the brand: the page's logo on top and, in the footer,
the imprint and privacy links (required in Germany) once they are configured; none of it before."""

from __future__ import annotations

import re

import pytest

from preference_center.models import PageConfig, UnsubscribeReason

from tests.support import ERIKA, LENA

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PRIVACY, IMPRINT = "https://www.example.com/datenschutz", "https://www.example.com/impressum"


def _states(client, link):
    """(name, response) of the states a recipient meets, each in German."""
    yield "profile", client.get(f"/profile/?{link(ERIKA, lang='de')}")
    yield "unsubscribe", client.get(f"/unsubscribe/?{link(LENA, lang='de')}")
    reason = UnsubscribeReason.objects.filter(active=True, asks_free_text=False).first()
    done = client.post(f"/unsubscribe/?{link(LENA, lang='de')}", {"reason": reason.pk})
    assert done.redirect_chain, "the unsubscribe went through to its confirmation"
    yield "unsubscribed", done
    yield "broken link", client.get(f"/profile/?{link(ERIKA, checksum='tampered', lang='de')}")
    yield "malformed link", client.get("/unsubscribe/?contactid=%5BCONTACT%7CID%5D&lang=de")


def _frame(html: str) -> tuple[bool, list[tuple[str, str]]]:
    """(the logo is on top, the footer's links as (href, text))."""
    header = html[html.index('<header class="pc-header">'):html.index("</header>")]
    footer = re.search(r'<footer class="pc-footer">(.*?)</footer>', html, re.S)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', footer.group(1)) if footer else []
    return '<img class="pc-logo" src="/p/default/logo?v=' in header, links


def test_logo_imprint_and_privacy_on_every_page_once_configured(client, default_page, maileon_sandbox, link):
    PageConfig.objects.filter(pk=default_page.pk).update(logo=PNG, logo_content_type="image/png", logo_alt="Shop",
                                                         privacy_url=PRIVACY, imprint_url=IMPRINT)
    seen = []
    for name, response in _states(client, link):
        assert response.status_code in (200, 400, 404), name
        logo, links = _frame(response.content.decode())
        assert logo, name
        assert links == [(PRIVACY, "Datenschutz"), (IMPRINT, "Impressum")], name
        seen.append(name)
    assert len(seen) == 5


@pytest.mark.parametrize("configured", [{"privacy_url": PRIVACY}, {"imprint_url": IMPRINT}, {}])
def test_only_what_is_configured_is_shown(client, default_page, maileon_sandbox, link, configured):
    PageConfig.objects.filter(pk=default_page.pk).update(**configured)
    html = client.get(f"/profile/?{link(ERIKA, lang='de')}").content.decode()
    logo, links = _frame(html)
    assert not logo  # no logo uploaded: no image, not a broken one
    assert [href for href, _text in links] == list(configured.values())
    if not configured:
        assert "<footer" not in html
