"""Errors appear without moving what the recipient was reading, in German and English, on a phone and a desktop:
no layout shift while the page with errors loads, and the heading and intro stay where they were."""

import pytest

from .conftest import LANGUAGES, WIDTHS
from .states import STATES, profile_form, unsubscribe_form

# The sum of the layout-shift entries of this document so far (the observer replays them: buffered).
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => { for (const entry of list.getEntries()) total += entry.value; })
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""

# Where the header, heading and intro sit on the page (document coordinates: going back restores the scroll).
ABOVE_THE_ERRORS = """() => Array.from(document.querySelectorAll('header, h1, .pc-intro')).map(el => {
  const r = el.getBoundingClientRect();
  return [el.tagName, r.top + window.scrollY, r.left, r.width, r.height];
})"""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("form, state", [(profile_form, "profile-errors"), (unsubscribe_form, "unsubscribe-errors")],
                         ids=["profile", "unsubscribe"])
def test_errors_do_not_shift_the_layout(open_page, site, language, width, form, state):
    page = open_page(width=width)
    STATES[state][0](page, site, language)  # the page with errors, after a submit
    with_errors = page.evaluate(ABOVE_THE_ERRORS)
    assert page.evaluate(LAYOUT_SHIFT) == 0

    page.go_back()  # the same page before the submit
    assert form(page).count() == 1 and page.locator(".pc-error-summary").count() == 0
    before = page.evaluate(ABOVE_THE_ERRORS)
    assert with_errors == before
