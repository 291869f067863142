"""Every state a recipient can see, and how a browser gets there. Shared by the accessibility, weight and
screenshot runs, so all three look at the same pages.

A driver takes (page, site, language) and ends on the state, its last step a main-frame navigation (so the
page's network log holds that page only). Drivers use names and values, never visible text, so they work in
both languages.
"""

from __future__ import annotations

from preference_center.pages import throttle
from preference_center.services import pause as pause_service
from preference_center.models import UnsubscribeReason

from .conftest import ERIKA, JOHN, LENA

FOREIGN_ORIGIN = "http://other-site.test"


def reason_value(reason_type: str) -> str:
    return str(UnsubscribeReason.objects.get(reason_type=reason_type, pages__isnull=True).pk)


def profile_form(page):
    return page.locator("form[action^='/profile/']")


def unsubscribe_form(page):
    return page.locator("form[action^='/unsubscribe/?']")


def reason_form(page):
    return page.locator("form[action^='/unsubscribe/reason/']")


def heading(page) -> str:
    return page.locator("h1").inner_text()


def submit(form) -> None:
    form.locator("button[type=submit]").click()
    form.page.wait_for_load_state()


# --- profile


def profile(page, site, language):
    page.goto(site.profile(ERIKA, lang=language))


def profile_errors(page, site, language):
    # An editable address typed wrong: the browser's own check is off (novalidate), the server answers.
    site.page.email_editable = True
    site.page.save()
    profile(page, site, language)
    profile_form(page).locator("input[name=email]").fill("erika.mustermann@")
    submit(profile_form(page))


def profile_several_chosen(page, site, language):
    """A single-choice group (Frequenz) with both preferences on in Maileon (set elsewhere): the first is
    selected and a note names both."""
    site.store.contact(JOHN).preferences[("Frequenz", "Wöchentlich")].value = True
    page.goto(site.profile(JOHN, lang=language))


def profile_choice_invalid(page, site, language):
    """A single choice posted with a value that is not one of the group's (a forged or stale form)."""
    profile(page, site, language)
    radio = profile_form(page).locator("input[type=radio][value='Monatlicher Digest']").element_handle()
    radio.check()
    radio.evaluate("radio => { radio.value = 'Täglich'; }")
    submit(profile_form(page))


def profile_saved(page, site, language):
    profile(page, site, language)
    form = profile_form(page)
    form.locator("input[name=FIRSTNAME]").fill("Erika Maria")
    form.locator("input[type=checkbox][value=Reisen]").check()
    form.locator("input[type=checkbox][value=Technik]").uncheck()
    submit(form)


# --- unsubscribe


def unsubscribe(page, site, language):
    page.goto(site.unsubscribe(LENA, lang=language))


def unsubscribe_errors(page, site, language):
    # An answer is optional and so is its text: what is refused is text Maileon cannot take, such as a control
    # character pasted with it.
    unsubscribe(page, site, language)
    unsubscribe_form(page).locator("select[name=reason]").select_option(reason_value("other"))
    unsubscribe_form(page).locator("textarea[name=message]").fill("Zu viele Mails\u0007")
    submit(unsubscribe_form(page))


def unsubscribe_done(page, site, language):
    unsubscribe(page, site, language)
    unsubscribe_form(page).locator("select[name=reason]").select_option(reason_value("too_many_messages"))
    submit(unsubscribe_form(page))


def tell_us_more(page, site, language):
    unsubscribe(page, site, language)
    submit(unsubscribe_form(page))  # no reason given: the confirmation asks for one


def tell_us_more_errors(page, site, language):
    tell_us_more(page, site, language)
    submit(reason_form(page))  # sent without choosing an answer


def reason_added(page, site, language):
    tell_us_more(page, site, language)
    form = reason_form(page)
    form.locator("select[name=reason]").select_option(reason_value("other"))
    form.locator("textarea[name=message]").fill("Zu viele Themen, die mich nicht betreffen.")
    submit(form)


def downsell(page, site, language):
    unsubscribe(page, site, language)
    submit(page.locator("form[action^='/unsubscribe/downsell/']"))


# --- unsubscribed by mistake


def undo_form(page):
    return page.locator("form[action^='/unsubscribe/undo/']")


def mistake_withdrawn(page, site, language):
    unsubscribe(page, site, language)
    site.store.faults.inject(status=503, times=None)  # Maileon down: the unsubscribe waits in our outbox
    submit(unsubscribe_form(page))
    submit(undo_form(page))


def mistake_confirm(page, site, language):
    unsubscribe_done(page, site, language)
    site.store.process_pending()  # Maileon has carried the unsubscribe out (and anonymized the contact)
    submit(undo_form(page))


def mistake_busy(page, site, language):
    unsubscribe_done(page, site, language)  # accepted by Maileon, not yet carried out
    submit(undo_form(page))


# --- stop only what annoys me, pause instead of leaving


def topics_form(page):
    return page.locator("form[action^='/unsubscribe/topics/']")


def pause_form(page):
    return page.locator("form[action^='/unsubscribe/pause/']")


def press(form, value: str) -> None:
    """Press the form's button that sends this value (the pause form has one per choice)."""
    form.locator(f"button[value='{value}']").click()
    form.page.wait_for_load_state()


def unsubscribe_topics(page, site, language):
    """Erika's unsubscribe page: her topics ticked as Maileon has them, the pause, the down-sell, then leaving."""
    page.goto(site.unsubscribe(ERIKA, lang=language))


def unsubscribe_paused(page, site, language):
    until = pause_service.add_months(pause_service.today(), 1)
    site.store.contact(ERIKA).custom_fields["PAUSE_UNTIL"] = until.isoformat()
    unsubscribe_topics(page, site, language)


def topics_saved(page, site, language):
    unsubscribe_topics(page, site, language)
    form = topics_form(page)
    form.locator("input[type=checkbox][value=Technik]").uncheck()
    form.locator("input[type=checkbox][value=Reisen]").check()
    submit(form)


def topics_not_saved(page, site, language):
    unsubscribe_topics(page, site, language)
    form = topics_form(page)
    form.locator("input[type=checkbox][value=Technik]").uncheck()
    site.store.faults.inject(status=503, times=None, method="PUT")  # the read passes, the save does not
    submit(form)


def paused(page, site, language):
    unsubscribe_topics(page, site, language)
    press(pause_form(page), "3")


# --- a contact who already left opens an old link


def already_unsubscribed(page, site, language):
    site.store.contact(LENA).anonymize()
    page.goto(site.profile(LENA, lang=language))


def way_back_form(page):
    return page.locator("form[action^='/resubscribe/']")


def way_back_errors(page, site, language):
    already_unsubscribed(page, site, language)
    way_back_form(page).locator("input[name=email]").fill("lena@")
    submit(way_back_form(page))


def way_back_sent(page, site, language):
    already_unsubscribed(page, site, language)
    way_back_form(page).locator("input[name=email]").fill("lena.neu@example.org")
    submit(way_back_form(page))


# --- errors


def link_invalid(page, site, language):
    """A broken link's page; the demo page names a transaction type, so it offers "send me a new link"."""
    page.goto(site.profile(ERIKA, checksum="0" * 32, lang=language))


# --- a broken link: "send me a new link"


def new_link_form(page):
    return page.locator("form[action^='/link/new/']")


def new_link(page, site, language):
    """The form on its own (where the language switcher leads after a POST). The journey from a broken link's
    page is test_journeys' (a driver must not pass another error page: its console error would count)."""
    page.goto(site.url("/link/new/", None, lang=language))


def ask_for_new_link(page, site, language, address):
    new_link(page, site, language)
    new_link_form(page).locator("input[name=email]").fill(address)
    submit(new_link_form(page))


def new_link_errors(page, site, language):
    ask_for_new_link(page, site, language, "erika.beispiel@")


def new_link_sent(page, site, language):
    ask_for_new_link(page, site, language, "erika.beispiel@example.org")


def new_link_unavailable(page, site, language):
    new_link(page, site, language)
    site.store.faults.inject(status=503, method="POST", path_contains="/transactions", times=None)
    new_link_form(page).locator("input[name=email]").fill("erika.beispiel@example.org")
    submit(new_link_form(page))


def new_link_too_many(page, site, language):
    for number in range(throttle.NEW_LINK_PER_ADDRESS.ceiling):  # one place asking for many addresses
        page.request.post(site.url("/link/new/", None, lang=language), form={"email": f"p{number}@example.org"},
                          max_redirects=0)
    ask_for_new_link(page, site, language, "erika.beispiel@example.org")


def maileon_down(page, site, language):
    site.store.faults.inject(status=503, times=None)
    page.goto(site.profile(ERIKA, lang=language))


def maileon_busy(page, site, language):
    site.store.faults.inject(status=429, retry_after=600, times=None)  # "try again in 5 minutes" (capped)
    page.goto(site.profile(ERIKA, lang=language))


def forbidden(page, site, language):
    """A form on another site posting to ours: the origin guard answers 403."""
    action = site.profile(ERIKA, lang=language)
    page.route(f"{FOREIGN_ORIGIN}/**", lambda route: route.fulfill(
        content_type="text/html",
        body=f'<!doctype html><form method="post" action="{action}"><input name="FIRSTNAME" value="X">'
             f'<button type="submit">Go</button></form>'))
    page.goto(f"{FOREIGN_ORIGIN}/")
    page.click("button")
    page.wait_for_load_state()


def too_many_attempts(page, site, language):
    for _ in range(throttle.CONTACT_MAX_FAILURES):  # guessing this contact's checksum: blocked for a while
        page.request.get(site.profile(ERIKA, checksum="nope"))
    page.goto(site.profile(ERIKA, lang=language))


def not_found(page, site, language):
    page.goto(site.url("/p/no-such-page/profile/", ERIKA, lang=language))


# name -> (driver, expected HTTP status of the final page)
STATES = {
    "profile": (profile, 200),
    "profile-errors": (profile_errors, 200),
    "profile-several-chosen": (profile_several_chosen, 200),
    "profile-choice-invalid": (profile_choice_invalid, 200),
    "profile-saved": (profile_saved, 200),
    "unsubscribe": (unsubscribe, 200),
    "unsubscribe-errors": (unsubscribe_errors, 200),
    "unsubscribe-done": (unsubscribe_done, 200),
    "tell-us-more": (tell_us_more, 200),
    "tell-us-more-errors": (tell_us_more_errors, 200),
    "reason-added": (reason_added, 200),
    "downsell": (downsell, 200),
    "mistake-withdrawn": (mistake_withdrawn, 200),
    "mistake-confirm": (mistake_confirm, 200),
    "mistake-busy": (mistake_busy, 409),
    "unsubscribe-topics": (unsubscribe_topics, 200),
    "unsubscribe-paused": (unsubscribe_paused, 200),
    "topics-saved": (topics_saved, 200),
    "topics-not-saved": (topics_not_saved, 503),
    "paused": (paused, 200),
    "already-unsubscribed": (already_unsubscribed, 200),
    "way-back-errors": (way_back_errors, 200),
    "way-back-sent": (way_back_sent, 200),
    "link-invalid": (link_invalid, 404),
    "new-link": (new_link, 200),
    "new-link-errors": (new_link_errors, 200),
    "new-link-sent": (new_link_sent, 200),
    "new-link-unavailable": (new_link_unavailable, 503),
    "new-link-too-many": (new_link_too_many, 429),
    "maileon-down": (maileon_down, 503),
    "maileon-busy": (maileon_busy, 503),
    "forbidden": (forbidden, 403),
    "too-many-attempts": (too_many_attempts, 429),
    "not-found": (not_found, 404),
}
