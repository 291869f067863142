"""The accessibility check can fail: axe-core, as the page-state tests run it, finds known violations."""

from . import axe

BROKEN_PAGE = """<!doctype html><html><head><title>x</title></head><body>
<img src="data:,"><form><input type="text"></form>
<p style="color:#aaa;background:#fff">faint text</p></body></html>"""


def test_axe_reports_missing_language_alt_text_label_and_contrast(open_page):
    page = open_page()
    page.set_content(BROKEN_PAGE)
    found = {violation["id"] for violation in axe.audit(page)}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= found
