"""The journeys with the keyboard only (Tab, Shift+Tab, Space, Enter, arrow keys), in German on a phone and in
English on a desktop, with JavaScript off: every stop visibly focused, the tab order the reading order."""

import pytest

from preference_center.models import UnsubscribeRequest

from .conftest import DESKTOP, ERIKA, LENA, PHONE
from .keyboard import assert_reading_order, press, tab_sequence, tab_to, tabbable_dom_indexes
from .states import STATES, heading, reason_value
from .texts import TEXT

# Each language and each width once: the tab order is the DOM's, the same at every width and in every
# language; what differs is the layout each stop is drawn in, which both widths cover.
pytestmark = pytest.mark.parametrize(("language", "width"), [("de", PHONE), ("en", DESKTOP)],
                                     ids=["de-320", "en-1280"])


@pytest.fixture
def page(open_page, width):
    return open_page(width=width, javascript=False)


def press_and_load(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def type_over(page, text: str) -> None:
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def choose_with_arrows(page, value: str) -> None:
    """Arrow down through the focused <select> until it shows `value` (no mouse, no popup)."""
    for _ in range(20):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} not reached with the arrow keys")


@pytest.mark.parametrize("state", ["profile", "profile-several-chosen", "unsubscribe", "tell-us-more",
                                   "link-invalid", "new-link"])
def test_tab_order_is_the_reading_order_both_ways(page, site, language, state):
    STATES[state][0](page, site, language)
    forward = tab_sequence(page)
    assert [stop["domIndex"] for stop in forward] == tabbable_dom_indexes(page)
    assert_reading_order(forward)
    page.evaluate("document.activeElement.blur()")  # focus has left the page; Shift+Tab comes in from the end
    backward = tab_sequence(page, "Shift+Tab")
    assert [stop["domIndex"] for stop in backward] == [stop["domIndex"] for stop in reversed(forward)]


def test_skip_link_leads_into_the_content(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    stop = press(page, "Tab")
    assert stop["describe"] == "a" and stop["inViewport"]  # the skip link shows when it has focus
    page.keyboard.press("Enter")
    press(page, "Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_profile_by_keyboard(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    tab_to(page, "input[name=FIRSTNAME]")
    type_over(page, "Erika Maria")
    tab_to(page, "input[type=checkbox][value=Reisen]")
    page.keyboard.press("Space")
    tab_to(page, "input[type=checkbox][value=Technik]")
    page.keyboard.press("Space")
    tab_to(page, "form button[type=submit]")
    press_and_load(page, "Enter")

    assert heading(page) == TEXT[language]["saved"]
    contact = site.store.contact(ERIKA)
    assert contact.standard_fields["FIRSTNAME"] == "Erika Maria"
    assert contact.preferences[("Themen", "Reisen")].value is True
    assert contact.preferences[("Themen", "Technik")].value is False


def test_single_choice_by_keyboard(page, site, language):
    """A radio group is one tab stop, on its checked button; the arrow keys choose within it."""
    page.goto(site.profile(ERIKA, lang=language))
    tab_to(page, "input[type=radio]")
    assert page.evaluate("[document.activeElement.value, document.activeElement.checked]") == ["Wöchentlich", True]
    press(page, "ArrowDown")
    assert page.evaluate("[document.activeElement.value, document.activeElement.checked]") == [
        "Monatlicher Digest", True]
    press(page, "Tab")  # out of the group at once, on to the next stop: the form's button
    assert page.evaluate("document.activeElement.matches('form button[type=submit]')")
    press_and_load(page, "Enter")

    assert heading(page) == TEXT[language]["saved"]
    contact = site.store.contact(ERIKA)
    assert contact.preferences[("Frequenz", "Monatlicher Digest")].value is True
    assert contact.preferences[("Frequenz", "Wöchentlich")].value is False


def test_profile_errors_by_keyboard(page, site, language):
    site.page.email_editable = True
    site.page.save()
    page.goto(site.profile(ERIKA, lang=language))
    tab_to(page, "input[name=email]")
    type_over(page, "erika.mustermann@")
    tab_to(page, "form button[type=submit]")
    press_and_load(page, "Enter")

    # The summary takes focus, so it is read out first; its link leads to the field.
    # Browsers apply autofocus when they next render the loaded page, not at once: wait for it (at most 5 s).
    page.wait_for_function("document.activeElement && document.activeElement.matches('.pc-error-summary')",
                           timeout=5000)  # read out first
    tab_to(page, ".pc-error-summary a")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "email"
    type_over(page, "erika.maria@example.org")
    tab_to(page, "form button[type=submit]")
    press_and_load(page, "Enter")
    assert heading(page) == TEXT[language]["saved"]


def test_unsubscribe_with_free_text_by_keyboard(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    tab_to(page, "select[name=reason]")
    choose_with_arrows(page, reason_value("other"))
    tab_to(page, "textarea[name=message]")
    page.keyboard.type("Zu viele E-Mails zu Themen, die mich nicht betreffen.")
    tab_to(page, "form[action^='/unsubscribe/?'] button[type=submit]")
    press_and_load(page, "Space")

    assert heading(page) == TEXT[language]["unsubscribed"]
    assert UnsubscribeRequest.objects.get(contact_id=LENA).reason_type == "other"


def test_tell_us_more_by_keyboard(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    # From the bottom up: the unsubscribe button is the last stop of the page.
    tab_to(page, "form[action^='/unsubscribe/?'] button[type=submit]", key="Shift+Tab")
    press_and_load(page, "Enter")
    assert heading(page) == TEXT[language]["unsubscribed"]

    tab_to(page, "select[name=reason]")
    choose_with_arrows(page, reason_value("no_demand"))
    tab_to(page, "form button[type=submit]")
    press_and_load(page, "Enter")
    assert heading(page) == TEXT[language]["thanks_for_answer"]
    assert UnsubscribeRequest.objects.get(contact_id=LENA).reason_type == "no_demand"


def test_switch_language_by_keyboard(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    tab_to(page, "nav a[hreflang]")
    press_and_load(page, "Enter")
    assert page.locator("html").get_attribute("lang") == ("en" if language == "de" else "de")
