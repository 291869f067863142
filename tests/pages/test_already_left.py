"""A contact who unsubscribed before (Maileon has anonymized them) opens an old profile or unsubscribe link: a page
that says so in their language, the way back where the page has one; never an error page, never a form whose
save fails, nothing recorded or sent again."""

from __future__ import annotations

import pytest

from preference_center.models import UnsubscribeRequest

from tests.support import LENA, form_data

pytestmark = pytest.mark.django_db

LEFT = {"de": "Sie sind abgemeldet", "en": "You are unsubscribed"}


@pytest.fixture
def lena_left(maileon_sandbox):
    maileon_sandbox.contact(LENA).anonymize()
    return maileon_sandbox


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/"])
def test_an_old_link_says_they_are_unsubscribed(client, default_page, lena_left, link, path, language):
    response = client.get(f"{path}?{link(LENA, lang=language)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{LEFT[language]}</h1>" in html and f'<html lang="{language}">' in html
    assert 'name="FIRSTNAME"' not in html and 'name="reason"' not in html  # no form that could only fail
    assert lena_left.changing_calls() == []


def test_the_language_follows_the_browser_once_maileon_forgot_the_locale(client, default_page, lena_left, link):
    response = client.get(f"/profile/?{link(LENA)}", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert f"<h1>{LEFT['en']}</h1>" in response.content.decode()


def test_posting_the_old_forms_records_and_sends_nothing(client, default_page, maileon_sandbox, link):
    unsubscribe_page = client.get(f"/unsubscribe/?{link(LENA, lang='en')}")
    profile_page = client.get(f"/profile/?{link(LENA, lang='en')}")
    maileon_sandbox.contact(LENA).anonymize()  # unsubscribed elsewhere while the pages were open

    for response, prefix in ((unsubscribe_page, "/unsubscribe/?"), (profile_page, "/profile/?")):
        action, data = form_data(response, prefix)
        answer = client.post(action, data)
        assert answer.status_code == 200 and f"<h1>{LEFT['en']}</h1>" in answer.content.decode()
    one_click = client.post(f"/unsubscribe/one-click/?{link(LENA)}", {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert not UnsubscribeRequest.objects.exists()
    assert maileon_sandbox.changing_calls() == []


def test_the_way_back_by_double_opt_in(client, default_page, lena_left, link):
    page = client.get(f"/profile/?{link(LENA, lang='en')}")
    assert "Would you like to hear from us again?" in page.content.decode()
    action, data = form_data(page, "/resubscribe/?")
    data["email"] = ["lena.neu@example.org"]

    sent = client.post(action, data)

    html = sent.content.decode()
    assert sent.status_code == 200 and "Please check your inbox" in html
    assert "lena.neu" not in html and "lena.neu" not in sent.redirect_chain[0][0]  # not even in the URL
    [create] = [call for call in lena_left.changing_calls() if call.method == "POST"]
    assert create.path == "/contacts/email/lena.neu@example.org"
    assert create.query == (("permission", "1"), ("doi", "true"), ("doimailing", "doi-standard"),
                            ("src", "preference-center"))
    [mail] = lena_left.doi_mails
    assert lena_left.contact(mail.contact_id).email == "lena.neu@example.org"
    # Once per link for a while: a forwarded old link cannot send our mails to any address over and over.
    again = client.post(action, {"email": "someone.else@example.org"})
    assert "We have just sent a confirmation email for this link." in again.content.decode()
    assert len(lena_left.doi_mails) == 1


def test_the_way_back_needs_a_valid_address_and_keeps_the_page(client, default_page, lena_left, link):
    page = client.get(f"/unsubscribe/?{link(LENA, lang='de')}")
    action, data = form_data(page, "/resubscribe/?")
    data["email"] = ["kein-at-zeichen"]
    response = client.post(action, data)
    assert response.status_code == 200 and f"<h1>{LEFT['de']}</h1>" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert lena_left.changing_calls() == []


def test_a_page_with_its_own_sign_up_form_links_there_instead(client, default_page, lena_left, link):
    default_page.resubscribe_url = "https://www.example.com/newsletter"
    default_page.save()
    html = client.get(f"/profile/?{link(LENA, lang='en')}").content.decode()
    assert 'href="https://www.example.com/newsletter"' in html and "/resubscribe/" not in html


def test_without_a_doi_mailing_no_way_back_is_offered(client, make_page, lena_left, link):
    make_page(slug="plain", fields=[{"source": "standard", "name": "FIRSTNAME"}])
    html = client.get(f"/p/plain/profile/?{link(LENA, lang='en')}").content.decode()
    assert f"<h1>{LEFT['en']}</h1>" in html and "/resubscribe/" not in html
    posted = client.post(f"/p/plain/resubscribe/?{link(LENA, lang='en')}", {"email": "x@example.org"})
    assert posted.status_code == 200 and lena_left.changing_calls() == []


def test_the_way_back_is_only_for_who_has_left(client, default_page, maileon_sandbox, link):
    posted = client.post(f"/resubscribe/?{link(LENA, lang='en')}", {"email": "x@example.org"})
    assert posted.status_code == 200 and maileon_sandbox.changing_calls() == []


@pytest.mark.usefixtures("checksum_reads")
def test_the_way_back_with_a_forged_link_is_refused(client, default_page, lena_left, link):
    posted = client.post(f"/resubscribe/?{link(LENA, checksum='forged1234')}", {"email": "x@example.org"})
    assert posted.status_code == 404 and lena_left.changing_calls() == []
