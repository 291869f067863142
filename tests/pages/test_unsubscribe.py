"""The unsubscribe page's web side: GET shows (changes nothing), POST records through the unsubscribe service."""

import pytest

from preference_center.models import Status, UnsubscribeRequest, Via

from tests.support import ERIKA, JOHN, LENA, SENT_MAILING, ZOE, form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, button, other_reason", [
    ("de", "Abmelden", "Anderer Grund"),
    ("en", "Unsubscribe", "Another reason"),
])
def test_get_shows_masked_address_reasons_and_downsell(client, default_page, maileon_sandbox, link, lang, button,
                                                       other_reason):
    response = client.get(f"/unsubscribe/?{link(ERIKA, lang=lang)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "e•••@example.org" in html and "erika.beispiel" not in html
    assert f">{other_reason}</option>" in html  # the seeded answer asks for nothing the box calls optional
    assert f">{button}</button>" in html
    # The down-sell comes before the unsubscribe button.
    assert html.index("/unsubscribe/downsell/") < html.index(f">{button}</button>")
    assert maileon_sandbox.changing_calls() == [] and not UnsubscribeRequest.objects.exists()


def test_the_down_sell_switch_is_not_offered_to_who_has_it_already(client, default_page, maileon_sandbox, link):
    html = client.get(f"/unsubscribe/?{link(JOHN, lang='en')}").content.decode()  # John gets the digest
    assert "/unsubscribe/downsell/" not in html and "Just the monthly digest instead" not in html
    assert "Choose topics and how often you hear from us" in html  # the way to the profile stays


def test_no_down_sell_for_a_contact_without_newsletter_permission(client, default_page, maileon_sandbox, link):
    html = client.get(f"/unsubscribe/?{link(ZOE, lang='en')}").content.decode()
    assert "Fewer emails instead?" not in html and "/unsubscribe/downsell/" not in html
    assert ">Unsubscribe</button>" in html


def test_post_records_the_unsubscribe_with_reason_and_mailing(client, default_page, maileon_sandbox, link):
    page = client.get(f"/unsubscribe/?{link(LENA, mailingid=SENT_MAILING)}")
    action, data = form_data(page, "/unsubscribe/?")
    data["reason"] = [str(default_page.reasons.model.objects.get(reason_type="too_many_messages").pk)]
    response = client.post(action, data, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    html = response.content.decode()
    assert response.status_code == 200
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.mailing_id, request.reason_type, request.via) == (SENT_MAILING, "too_many_messages", Via.PAGE)
    assert request.language == "de"
    # Inside the test's transaction the inline delivery waits for the commit: the page says so honestly.
    assert "Ihre Abmeldung wird bearbeitet" in html
    assert "Verraten Sie uns, warum?" not in html  # a reason was given: no "tell us more"


@pytest.mark.parametrize("lang, optional", [("de", "Möchten Sie noch etwas ergänzen? (freiwillig)"),
                                             ("en", "Would you like to add anything? (optional)")])
def test_a_free_text_reason_may_be_left_without_text(client, default_page, maileon_sandbox, link, lang, optional):
    """The text box says it is optional, and it is, whichever answer was chosen."""
    page = client.get(f"/unsubscribe/?{link(LENA, lang=lang)}")
    assert optional in page.content.decode()
    action, data = form_data(page, "/unsubscribe/?")
    data["reason"] = [str(default_page.reasons.model.objects.get(reason_type="other").pk)]
    response = client.post(action, data)
    assert response.status_code == 200 and "pc-error-summary" not in response.content.decode()
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert (request.reason_type, request.reason_message) == ("other", "")


def test_without_reason_the_confirmation_asks_and_takes_it_later(client, default_page, maileon_sandbox, link):
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA, lang='en')}"), "/unsubscribe/?")
    done = client.post(action, data)
    assert "Would you tell us why?" in done.content.decode()
    reason_action, reason_data = form_data(done, "/unsubscribe/reason/")
    reason_data["reason"] = [str(default_page.reasons.model.objects.get(reason_type="no_demand").pk)]
    thanks = client.post(reason_action, reason_data)
    assert "Thank you for your answer" in thanks.content.decode()
    assert UnsubscribeRequest.objects.get(contact_id=LENA).reason_type == "no_demand"


@pytest.mark.django_db(transaction=True)  # the inline delivery runs on commit: delivered, as in production
def test_resubscribe_link_is_offered_after_the_unsubscribe(client, maileon_sandbox, link):
    from tests.conftest import demo_default_page

    default_page = demo_default_page()
    # Without a DOI mailing the "unsubscribed by mistake" button cannot bring a delivered unsubscribe back: the
    # sign-up form's link instead.
    default_page.resubscribe_url = "https://example.org/anmelden"
    default_page.doi_mailing_key = ""
    default_page.save()
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA)}"), "/unsubscribe/?")
    html = client.post(action, data).content.decode()
    assert "Versehentlich abgemeldet?" in html and 'href="https://example.org/anmelden"' in html


@pytest.mark.django_db(transaction=True)
def test_delivered_inline_says_done(client, maileon_sandbox, link):
    from preference_center.models import PageConfig

    PageConfig.get_default()
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA, lang='en')}"), "/unsubscribe/?")
    html = client.post(action, data).content.decode()
    assert "You are unsubscribed" in html
    assert UnsubscribeRequest.objects.get(contact_id=LENA).status == Status.DELIVERED
    assert [call.method for call in maileon_sandbox.changing_calls()] == ["DELETE"]


@pytest.mark.usefixtures("checksum_reads")
def test_tampered_checksum_on_post_records_nothing(client, default_page, maileon_sandbox, link):
    response = client.post(f"/unsubscribe/?{link(LENA, checksum='wrong-checksum', lang='en')}", {"reason": ""})
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []


def test_downsell_switches_frequency_and_touches_nothing_else(client, default_page, maileon_sandbox, link,
                                                              put_bodies):
    page = client.get(f"/unsubscribe/?{link(ERIKA)}")
    action, data = form_data(page, "/unsubscribe/downsell/")
    response = client.post(action, data)
    assert response.status_code == 200
    assert "Erledigt: ab jetzt weniger E-Mails" in response.content.decode()
    [body] = put_bodies
    assert {(p.name, p.value) for p in body.preferences} == {("Monatlicher Digest", True), ("Wöchentlich", False)}
    assert not body.standard_fields and not body.custom_fields
    [put] = maileon_sandbox.changing_calls()
    assert put.values("page_key") == ["profil"] and put.values("src") == ["preference-center"]
    assert maileon_sandbox.contact(ERIKA).preferences[("Themen", "Rezepte")].value is True
    assert not UnsubscribeRequest.objects.exists()


def test_one_click_post_unsubscribes_without_cookies_or_origin(client, default_page, maileon_sandbox, link):
    response = client.post(f"/unsubscribe/one-click/?{link(LENA, mailingid=SENT_MAILING)}",
                           "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    request = UnsubscribeRequest.objects.get(contact_id=LENA)
    assert request.via == Via.ONE_CLICK and request.mailing_id == SENT_MAILING


def test_one_click_refuses_any_other_body(client, default_page, maileon_sandbox, link):
    response = client.post(f"/unsubscribe/one-click/?{link(LENA)}", "something=else",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not UnsubscribeRequest.objects.exists()
