"""Recipients' journeys with the mouse, in German and English, on a phone (320 px) and a desktop (1280 px), with
JavaScript on and off (pairwise: every combination of two of these settings). What the page says is checked, and what Maileon (the sandbox) and our database hold."""

import pytest

from preference_center.models import UnsubscribeRequest

from .conftest import DESKTOP, ERIKA, LENA, PHONE
from .states import heading, new_link_form, profile_form, reason_form, reason_value, submit, unsubscribe_form
from .texts import TEXT

# Every pair of the three settings occurs (each language at both widths and with JavaScript on and off, each
# width with it on and off) in four runs of a journey instead of eight: a covering array of strength 2.
PAIRWISE = [("de", PHONE, True), ("de", DESKTOP, False), ("en", PHONE, False), ("en", DESKTOP, True)]
pytestmark = pytest.mark.parametrize(
    ("language", "width", "javascript"), PAIRWISE,
    ids=[f"{language}-{width}-{'js' if javascript else 'no-js'}" for language, width, javascript in PAIRWISE],
)


@pytest.fixture
def page(open_page, width, javascript):
    return open_page(width=width, javascript=javascript)


def test_profile_change_a_field_and_two_topics(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    assert heading(page) == TEXT[language]["profile"]
    form = profile_form(page)
    form.locator("input[name=FIRSTNAME]").fill("Erika Maria")
    form.locator("input[type=checkbox][value=Reisen]").check()
    form.locator("input[type=checkbox][value=Technik]").uncheck()
    submit(form)

    assert heading(page) == TEXT[language]["saved"]
    saved = page.locator(".pc-summary li").all_inner_texts()
    assert len(saved) == 2  # the first name and the topics group
    contact = site.store.contact(ERIKA)
    assert contact.standard_fields["FIRSTNAME"] == "Erika Maria"
    assert contact.preferences[("Themen", "Reisen")].value is True
    assert contact.preferences[("Themen", "Technik")].value is False
    assert contact.preferences[("Themen", "Rezepte")].value is True  # untouched


def test_profile_choose_how_often_from_a_single_choice_group(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    # A group named by its legend, radio buttons named by their labels: what a screen reader announces.
    group = page.get_by_role("group", name=TEXT[language]["frequency"])
    weekly = group.get_by_role("radio", name=TEXT[language]["weekly"])
    monthly = group.get_by_role("radio", name=TEXT[language]["monthly"])
    assert weekly.is_checked() and not monthly.is_checked()
    monthly.check()
    assert not weekly.is_checked()  # one at a time, with or without JavaScript
    submit(profile_form(page))

    assert heading(page) == TEXT[language]["saved"]
    contact = site.store.contact(ERIKA)
    assert (contact.preferences[("Frequenz", "Wöchentlich")].value,
            contact.preferences[("Frequenz", "Monatlicher Digest")].value) == (False, True)
    assert contact.preferences[("Themen", "Rezepte")].value is True  # other groups untouched


def test_profile_errors_are_summarised_linked_and_described(page, site, language):
    site.page.email_editable = True
    site.page.save()
    page.goto(site.profile(ERIKA, lang=language))
    profile_form(page).locator("input[name=email]").fill("erika.mustermann@")
    submit(profile_form(page))

    summary = page.locator(".pc-error-summary")
    # Browsers apply autofocus when they next render the loaded page, not at once: wait for it (at most 5 s).
    page.wait_for_function("document.activeElement && document.activeElement.matches('.pc-error-summary')",
                           timeout=5000)  # read out first
    assert summary.locator("h2").inner_text() == TEXT[language]["check_entries"]
    assert summary.get_attribute("role") == "alert"
    link = summary.locator("a")
    email = page.locator("input[name=email]")
    assert link.get_attribute("href") == f"#{email.get_attribute('id')}"
    error_id = page.locator(".pc-field--error .pc-error").get_attribute("id")
    assert error_id in email.get_attribute("aria-describedby").split()
    assert email.get_attribute("aria-invalid") == "true"
    link.click()
    assert page.evaluate("document.activeElement.name") == "email"
    assert site.store.changing_calls() == []


def test_unsubscribe_with_a_free_text_reason(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    assert heading(page) == TEXT[language]["unsubscribe"]
    form = unsubscribe_form(page)
    form.locator("select[name=reason]").select_option(reason_value("other"))
    form.locator("textarea[name=message]").fill("Die Themen passen nicht mehr zu mir.")
    submit(form)

    assert heading(page) == TEXT[language]["unsubscribed"]
    assert not reason_form(page).count()  # a reason was given: no "tell us more"
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.reason_type, request.reason_message, request.language) == (
        "other", "Die Themen passen nicht mehr zu mir.", language)
    site.store.process_pending()
    assert site.store.contact(LENA).unsubscribed
    assert [(r.contact_id, r.reason.message) for r in site.store.reasons] == [
        (LENA, "Die Themen passen nicht mehr zu mir.")]


def test_unsubscribe_with_another_reason_and_its_optional_text_left_empty(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    form = unsubscribe_form(page)
    form.locator("select[name=reason]").select_option(reason_value("other"))
    submit(form)  # the text box says "(optional)", and it is

    assert heading(page) == TEXT[language]["unsubscribed"]
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.reason_type, request.reason_message) == ("other", "")


def test_unsubscribe_without_reason_then_tell_us_more(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))
    submit(unsubscribe_form(page))
    assert heading(page) == TEXT[language]["unsubscribed"]
    assert page.locator("#tell-us-title").inner_text() == TEXT[language]["tell_us"]

    form = reason_form(page)
    form.locator("select[name=reason]").select_option(reason_value("too_many_messages"))
    submit(form)
    assert heading(page) == TEXT[language]["thanks_for_answer"]
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.reason_type, request.reason_added_later) == ("too_many_messages", True)


def test_switch_language_keeps_the_link(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    page.get_by_role("link", name=TEXT[language]["other_language"]).click()
    page.wait_for_load_state()
    other = "en" if language == "de" else "de"
    assert page.locator("html").get_attribute("lang") == other
    assert heading(page) == TEXT[other]["profile"]
    assert profile_form(page).locator("input[name=FIRSTNAME]").input_value() == "Erika"


def test_a_broken_link(page, site, language):
    # The checksum lost its end when the link was copied.
    response = page.goto(site.profile(ERIKA, checksum=site.store.checksum_for(ERIKA)[:-6], lang=language))
    assert response.status == 404
    assert heading(page) == TEXT[language]["link_invalid"]


def test_a_broken_link_gets_a_new_one_by_mail(page, site, language):
    page.goto(site.profile(ERIKA, checksum=site.store.checksum_for(ERIKA)[:-6], lang=language))
    assert heading(page) == TEXT[language]["link_invalid"]
    new_link_form(page).locator("input[name=email]").fill("erika.beispiel@")
    submit(new_link_form(page))  # the browser's own check is off (novalidate): the server says what is wrong
    assert heading(page) == TEXT[language]["new_link_form"]
    assert page.locator(".pc-error-summary").is_visible()
    address = new_link_form(page).locator("input[name=email]")
    assert address.input_value() == "erika.beispiel@"

    address.fill("erika.beispiel@example.org")
    submit(new_link_form(page))
    assert heading(page) == TEXT[language]["check_inbox"]
    assert "erika" not in page.url
    [mail] = site.store.transaction_mails  # what Maileon's trigger mailing would have sent
    assert mail.contact_id == ERIKA
    page.goto(f"{site.base_url}{mail.link}&lang={language}")  # the recipient clicks the link in the mail
    assert heading(page) == TEXT[language]["profile"]


def test_maileon_down_keeps_the_entries_and_the_retry_saves_them(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))
    form = profile_form(page)
    form.locator("input[name=FIRSTNAME]").fill("Erika Maria")
    site.store.faults.inject(status=503, times=None)
    submit(form)
    assert heading(page) == TEXT[language]["maileon_down"]
    assert site.store.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika"

    site.store.faults.clear()  # Maileon is back
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200
    assert heading(page) == TEXT[language]["saved"]
    assert site.store.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika Maria"
