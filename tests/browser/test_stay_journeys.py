"""Staying instead of leaving, as a recipient does it in the browser without JavaScript, in German and English on a
phone (320 px) and a desktop (1280 px): stop single topics, pause for a while (and end the pause), or still
unsubscribe from everything with one click from the top of the page. What the pages say is checked, and what
Maileon (the sandbox) recorded."""

import pytest
from django.utils import dateformat, translation

from preference_center.models import UnsubscribeRequest
from preference_center.services import pause as pause_service

from .conftest import DESKTOP, ERIKA, LENA, PHONE
from .no_script import language, page  # noqa: F401  (fixtures)
from .states import heading, pause_form, press, submit, topics_form, unsubscribe_form
from .texts import TEXT

pytestmark = pytest.mark.parametrize("width", [PHONE, DESKTOP], ids=["320", "1280"])

VIEWPORT_HEIGHT = 800  # open_page's


def in_viewport(locator) -> bool:
    return locator.evaluate("el => { const r = el.getBoundingClientRect();"
                            " return r.top >= 0 && r.bottom <= window.innerHeight; }")


def long_date(day, language: str) -> str:
    with translation.override(language):
        return dateformat.format(day, TEXT[language]["date_format"])


TECHNOLOGY = {"de": "Technik und Gadgets", "en": "Technology and gadgets"}  # the demo page's labels


def test_stop_single_topics_and_read_what_changed_in_both_languages(page, site, language):
    page.goto(site.unsubscribe(ERIKA, lang=language))
    form = topics_form(page)
    assert form.locator("input[value=Technik]").is_checked()  # as Maileon has it
    assert not form.locator("input[value=Reisen]").is_checked()
    form.locator("input[value=Technik]").uncheck()
    submit(form)

    assert heading(page) == TEXT[language]["topics_saved"]
    assert page.locator(".pc-summary li").all_inner_texts() == [TECHNOLOGY[language]]
    [update] = site.store.updates
    assert [(p.category, p.name, p.value) for p in update.changes.preferences] == [("Themen", "Technik", False)]
    preferences = site.store.contact(ERIKA).preferences
    assert preferences[("Themen", "Rezepte")].value is True and preferences[("Frequenz", "Wöchentlich")].value
    assert not site.store.contact(ERIKA).unsubscribed

    page.get_by_role("link", name=TEXT[language]["other_language"]).click()  # the confirmation, translated
    page.wait_for_load_state()
    other = "en" if language == "de" else "de"
    assert heading(page) == TEXT[other]["topics_saved"]
    assert page.locator(".pc-summary li").all_inner_texts() == [TECHNOLOGY[other]]
    assert len(site.store.updates) == 1


def test_unsubscribe_from_everything_is_one_click_from_the_top(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    jump = page.get_by_role("link", name=TEXT[language]["to_unsubscribe"])
    button = unsubscribe_form(page).locator("button[type=submit]")
    assert in_viewport(jump) and not in_viewport(button)  # below the topics and the pause
    jump.click()
    assert page.url.endswith("#unsubscribe-all") and in_viewport(button)
    submit(unsubscribe_form(page))

    assert heading(page) == TEXT[language]["unsubscribed"]
    assert UnsubscribeRequest.objects.filter(contact_id=LENA).exists()
    assert site.store.updates == []  # no topic or pause written on the way


def test_pause_for_three_months_then_end_the_pause(page, site, language):
    page.goto(site.unsubscribe(ERIKA, lang=language))
    press(pause_form(page), "3")

    until = pause_service.add_months(pause_service.today(), 3)
    assert heading(page) == TEXT[language]["paused_until"].format(date=long_date(until, language))
    assert site.store.contact(ERIKA).custom_fields["PAUSE_UNTIL"] == until.isoformat()

    page.get_by_role("link", name=TEXT[language]["unsubscribe_after_all"]).click()
    page.wait_for_load_state()
    assert page.url.endswith("#unsubscribe-all") and in_viewport(unsubscribe_form(page).locator("button"))
    assert long_date(until, language) in page.locator(".pc-pause").inner_text()  # "paused until …"
    press(pause_form(page), "end")

    assert heading(page) == TEXT[language]["pause_ended"]
    assert "PAUSE_UNTIL" not in site.store.contact(ERIKA).custom_fields
    assert [dict(update.changes.custom_fields) for update in site.store.updates] == [
        {"PAUSE_UNTIL": until.isoformat()}, {"PAUSE_UNTIL": None}]
    assert not UnsubscribeRequest.objects.exists()
