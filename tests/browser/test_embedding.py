"""The recipient pages embedded in a customer's site (docs/embedding.md), in Chromium with third-party cookies
blocked: the demo host page on one site, the pages in its iframe from another (tests/browser/embedding_support.py).

Saving the profile and unsubscribing work inside the iframe; the iframe takes its page's height, growing with
errors and shrinking with a shorter page, and believes heights from that frame only; a site not in
FRAME_ANCESTORS gets no page at all.
"""

import pytest

from preference_center.models import Status, UnsubscribeRequest

from .conftest import DESKTOP, ERIKA, LENA, PHONE
from .embedding_support import (  # noqa: F401 (fixtures)
    HEIGHT_TOLERANCE, chromium_profile, cookie_blocking_browser, cookie_blocking_context, embedding, iframe_height,
    recipient_frame, scrolls_inside, submit_in_frame, wait_until_fitted,
)
from .states import profile_form, reason_form, reason_value, unsubscribe_form
from .texts import TEXT

PROBE_COOKIE = "embedding_probe=1; SameSite=None; Secure; Path=/"
FOREIGN_SITE = "https://www.example.com"


def heading(frame) -> str:
    return frame.locator("h1").inner_text()


def cookie_sticks(frame) -> bool:
    return frame.evaluate(f"document.cookie = {PROBE_COOKIE!r}; document.cookie.includes('embedding_probe=1')")


def test_the_profile_blocks_third_party_cookies_in_the_frame(embedding, cookie_blocking_browser,
                                                             chromium_profile):
    """The premise of the other tests: in this profile the framed page cannot keep a cookie; with third-party
    cookies allowed it can, so the setting is what stops it."""
    blocked = cookie_blocking_browser()
    blocked.goto(embedding.host_page("profile", ERIKA))
    assert not cookie_sticks(recipient_frame(blocked))

    allowed = chromium_profile("allow")()
    allowed.goto(embedding.host_page("profile", ERIKA))
    assert cookie_sticks(recipient_frame(allowed))


@pytest.mark.parametrize("language", ["de", "en"])
def test_profile_save_inside_the_frame(embedding, cookie_blocking_browser, language):
    page = cookie_blocking_browser()
    page.goto(embedding.host_page("profile", ERIKA, lang=language))
    frame = recipient_frame(page)
    assert heading(frame) == TEXT[language]["profile"]

    form = profile_form(frame)
    form.locator("input[name=FIRSTNAME]").fill("Erika Maria")
    form.locator("input[type=checkbox][value=Reisen]").check()
    submit_in_frame(frame, form)

    assert heading(frame) == TEXT[language]["saved"]
    assert page.url.startswith(embedding.host_origin)  # the host page stayed; only the frame moved on
    contact = embedding.store.contact(ERIKA)
    assert contact.standard_fields["FIRSTNAME"] == "Erika Maria"
    assert contact.preferences[("Themen", "Reisen")].value is True


@pytest.mark.parametrize("language", ["de", "en"])
def test_unsubscribe_inside_the_frame(embedding, cookie_blocking_browser, language):
    page = cookie_blocking_browser()
    page.goto(embedding.host_page("unsubscribe", LENA, lang=language))
    frame = recipient_frame(page)
    assert heading(frame) == TEXT[language]["unsubscribe"]

    form = unsubscribe_form(frame)
    form.locator("select[name=reason]").select_option(reason_value("too_many_messages"))
    submit_in_frame(frame, form)

    assert heading(frame) == TEXT[language]["unsubscribed"]
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.status, request.reason_type) in {
        (Status.DELIVERED, "too_many_messages"), (Status.PENDING, "too_many_messages")}
    embedding.store.process_pending()
    assert embedding.store.contact(LENA).unsubscribed


def test_a_reason_added_after_unsubscribing_inside_the_frame(embedding, cookie_blocking_browser):
    page = cookie_blocking_browser()
    page.goto(embedding.host_page("unsubscribe", LENA, lang="en"))
    frame = recipient_frame(page)
    submit_in_frame(frame, unsubscribe_form(frame))  # no reason given
    assert heading(frame) == TEXT["en"]["unsubscribed"]

    form = reason_form(frame)
    form.locator("select[name=reason]").select_option(reason_value("too_many_messages"))
    submit_in_frame(frame, form)
    assert heading(frame) == TEXT["en"]["thanks_for_answer"]
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.reason_type, request.reason_added_later) == ("too_many_messages", True)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_iframe_takes_its_pages_height(embedding, cookie_blocking_browser, site, width):
    site.page.email_editable = True
    site.page.save()
    page = cookie_blocking_browser()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(embedding.host_page("profile", ERIKA, lang="en"))
    frame = recipient_frame(page)

    form_height = wait_until_fitted(page, frame)
    assert not scrolls_inside(frame)

    email = profile_form(frame).locator("input[name=email]")
    address = email.input_value()
    email.fill("erika.mustermann@")
    submit_in_frame(frame, profile_form(frame))
    assert frame.locator(".pc-error-summary").is_visible()
    errors_height = wait_until_fitted(page, frame)
    assert errors_height > form_height + HEIGHT_TOLERANCE  # grew with the errors
    assert not scrolls_inside(frame)

    email = profile_form(frame).locator("input[name=email]")
    email.fill(address)
    profile_form(frame).locator("input[name=FIRSTNAME]").fill("Erika Maria")
    submit_in_frame(frame, profile_form(frame))
    assert heading(frame) == TEXT["en"]["saved"]
    saved_height = wait_until_fitted(page, frame)
    assert saved_height < errors_height - HEIGHT_TOLERANCE  # and shrank to the shorter confirmation
    assert not scrolls_inside(frame)


@pytest.mark.parametrize("language", ["de", "en"])
def test_after_a_failed_submit_the_error_summary_comes_into_view(embedding, cookie_blocking_browser, site,
                                                                 language):
    """Browsers refuse the summary's autofocus inside a cross-origin iframe, so the host page would stay
    scrolled down at the button, the summary far above it: the framed page's script focuses it and scrolls it
    into the host page's view."""
    from playwright.sync_api import expect

    site.page.email_editable = True
    site.page.save()
    page = cookie_blocking_browser()
    page.set_viewport_size({"width": PHONE, "height": 600})
    page.goto(embedding.host_page("profile", ERIKA, lang=language))
    frame = recipient_frame(page)
    wait_until_fitted(page, frame)
    profile_form(frame).locator("input[name=email]").fill("erika.mustermann@")
    profile_form(frame).locator("button[type=submit]").scroll_into_view_if_needed()
    scrolled_to_button = page.evaluate("window.scrollY")

    submit_in_frame(frame, profile_form(frame))
    summary = frame.locator(".pc-error-summary")
    expect(summary).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") < scrolled_to_button  # the host page moved up to it
    assert frame.evaluate("document.activeElement.classList.contains('pc-error-summary')")
    assert summary.locator("h2").inner_text() == TEXT[language]["check_entries"]


def test_the_iframe_follows_the_host_pages_width(embedding, cookie_blocking_browser):
    page = cookie_blocking_browser()
    page.goto(embedding.host_page("unsubscribe", LENA, lang="de"))
    frame = recipient_frame(page)
    wide = wait_until_fitted(page, frame)

    page.set_viewport_size({"width": PHONE, "height": 800})  # narrower lines, a taller page, nothing reloaded
    narrow = wait_until_fitted(page, frame)
    assert narrow > wide + HEIGHT_TOLERANCE
    assert not scrolls_inside(frame)


def test_the_host_believes_heights_only_from_its_frame(embedding, cookie_blocking_browser):
    page = cookie_blocking_browser()
    page.goto(embedding.host_page("profile", ERIKA))
    fitted = wait_until_fitted(page, recipient_frame(page))

    # A message of the right shape from the host's own origin (any script or window other than the frame).
    page.evaluate("""() => new Promise(resolve => {
        window.postMessage({type: "preference-center:height", height: 5000}, "*");
        // Messages arrive in order: once this one is here, embed.js has seen the forged one.
        window.addEventListener("message", event => event.data === "flushed" && resolve());
        window.postMessage("flushed", "*");
    })""")
    assert iframe_height(page) == pytest.approx(fitted, abs=HEIGHT_TOLERANCE)


def test_pages_load_the_resize_script_only_when_framed(embedding, cookie_blocking_browser):
    page = cookie_blocking_browser()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(embedding.page("profile", ERIKA))
    assert heading(page.main_frame) == TEXT["de"]["profile"]
    assert not [url for url in requested if url.endswith("/resize.js")]  # a recipient's page costs no script

    page.goto(embedding.host_page("profile", ERIKA))
    recipient_frame(page)
    assert [url for url in requested if url.endswith("/resize.js")] == [
        f"{embedding.pages_origin}/static/resize.js"]


def test_a_site_not_in_frame_ancestors_cannot_embed_the_pages(embedding, cookie_blocking_browser, settings):
    settings.FRAME_ANCESTORS = [FOREIGN_SITE]
    page = cookie_blocking_browser()
    console = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(embedding.host_page("profile", ERIKA))
    page.wait_for_selector("iframe")
    frame = page.locator("iframe").element_handle().content_frame()
    frame.wait_for_load_state()

    # Chromium put its own error page in the frame instead of ours.
    assert frame.url.startswith("chrome-error://")
    assert frame.locator("form, .pc-main").count() == 0
    assert any("frame-ancestors" in text and embedding.pages_origin in text for text in console), console

    response = page.request.get(embedding.page("profile", ERIKA))
    policy = response.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {FOREIGN_SITE}" in policy
    assert embedding.host_origin not in policy
    assert "x-frame-options" not in response.headers  # CSP decides, and it said no


def test_the_demo_starts_from_its_index(embedding, cookie_blocking_browser):
    """What a developer does after `make run` (docs/embedding.md): open the index, follow a contact's link."""
    page = cookie_blocking_browser()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{embedding.host_origin}/sandbox/embed-demo/")
    with page.expect_navigation():
        page.get_by_role("link", name="unsubscribe").first.click()

    frame = recipient_frame(page)
    assert heading(frame) == TEXT["de"]["unsubscribe"]  # Erika's page, in her language
    wait_until_fitted(page, frame)
    assert errors == []  # the host page's own CSP lets the snippet's script and frame through
