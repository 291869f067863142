"""Every page state (tests/browser/states.py), in German and English, checked as a recipient's browser gets it:
the right status and language, within the weight budget, no horizontal scrolling at 320 px, no console errors
(a blocked resource or CSP violation shows there), and 0 axe-core violations of WCAG 2.2 A/AA at 320 and 1280 px.

Each state is reached once and then looked at in both widths: the DOM is the same, the layout is not.
"""

import pytest

from . import axe
from .conftest import DESKTOP, LANGUAGES, PHONE
from .states import STATES


def scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", list(STATES))
def test_page_state(open_page, site, state, language):
    drive, status = STATES[state]
    page = open_page(width=PHONE)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(
        (message.text, message.location["url"])))
    drive(page, site, language)

    assert page.network.requests[0].response().status == status
    assert page.locator("html").get_attribute("lang") == language
    page.network.assert_within_budget()
    assert scroll_width(page) <= PHONE, f"{state} scrolls sideways at {PHONE} px"
    document = page.network.requests[0].url
    # An error page's own status is reported as a failed load; anything else is a real error.
    assert [error for error in console_errors if error[1] != document] == []
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        violations = axe.audit(page)
        assert violations == [], f"{state} {language} {width} px:\n{axe.describe(violations)}"
