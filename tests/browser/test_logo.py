"""A logo shows on the pages as uploaded, an SVG included (served as a sandboxed document: it can run nothing)."""

import pytest

from preference_center.models import PageConfig

from .conftest import ERIKA, PHONE

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
       b'<rect width="120" height="40" fill="#1a5fb4"/></svg>')


@pytest.mark.parametrize("content, content_type", [(SVG, "image/svg+xml")])
def test_the_logo_is_shown_not_a_broken_image(open_page, site, content, content_type):
    PageConfig.objects.filter(pk=site.page.pk).update(logo=content, logo_content_type=content_type, logo_alt="Shop")
    page = open_page(width=PHONE)
    page.goto(site.profile(ERIKA, lang="en"))
    logo = page.locator("img.pc-logo")
    assert logo.get_attribute("alt") == "Shop"
    logo.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", logo.element_handle())
    # Opened on its own, the SVG may run nothing.
    response = page.request.get(logo.evaluate("img => img.src"))
    assert response.status == 200 and "sandbox" in response.headers["content-security-policy"]
