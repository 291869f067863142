"""RFC 8058 one-click unsubscribe: a mailbox provider's server POSTs `List-Unsubscribe=One-Click` to the URL in
the List-Unsubscribe header. No cookies, no CSRF token, no Origin, no redirect; it records and delivers exactly
like the page; anything else changes nothing."""

import pytest
from django.test import Client
from django.test.client import encode_multipart

from preference_center.models import PageConfig, Status, UnsubscribeRequest, Via

from tests.support import ERIKA, JOHN, LENA, SENT_MAILING, form_data

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
ONE_CLICK = "List-Unsubscribe=One-Click"
PATHS = ["/unsubscribe/one-click/", "/p/default/unsubscribe/one-click/"]


def provider() -> Client:
    """A mail provider's server: no cookies, no browser headers; Django's CSRF check would be enforced."""
    return Client(enforce_csrf_checks=True)


def assert_bare_answer(response) -> None:
    """RFC 8058 wants a plain success: no redirect, no cookie of any kind (session, CSRF, language)."""
    assert response.status_code == 200
    assert "Location" not in response
    assert not response.cookies
    assert not [name for name, _value in response.items() if name.lower() == "set-cookie"]
    assert response["Content-Type"].startswith("text/plain")
    assert len(response.content) < 100


@pytest.mark.parametrize("path", PATHS)
def test_form_encoded_one_click_records_the_unsubscribe(default_page, maileon_sandbox, link, path):
    response = provider().post(f"{path}?{link(LENA, mailingid=SENT_MAILING)}", ONE_CLICK, content_type=FORM)
    assert_bare_answer(response)
    request = UnsubscribeRequest.objects.get()
    assert (request.contact_id, request.mailing_id, request.via) == (LENA, SENT_MAILING, Via.ONE_CLICK)
    assert request.page == default_page


def test_multipart_one_click_is_accepted_too(default_page, maileon_sandbox, link):
    # RFC 8058 §3.1 allows multipart/form-data as well.
    body = encode_multipart("BoUnDaRy", {"List-Unsubscribe": "One-Click"})
    response = provider().post(f"/unsubscribe/one-click/?{link(LENA)}", body,
                               content_type="multipart/form-data; boundary=BoUnDaRy")
    assert_bare_answer(response)
    assert UnsubscribeRequest.objects.get().via == Via.ONE_CLICK


def test_one_click_needs_no_origin_and_sets_no_cookie_even_for_a_browser_with_a_session(default_page,
                                                                                        maileon_sandbox, link):
    client = provider()
    client.cookies["sessionid"] = "whatever"
    response = client.post(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM)
    assert_bare_answer(response)


def calls_without_ids(store, contact_id: int) -> list[tuple]:
    """The changing calls with this contact's id and checksum taken out, so two contacts' calls compare."""
    secret = {str(contact_id): "<id>", store.checksum_for(contact_id): "<checksum>"}
    return [(call.method, call.path.replace(str(contact_id), "<id>"),
             tuple((name, secret.get(value, value)) for name, value in call.query))
            for call in store.changing_calls()]


@pytest.mark.django_db(transaction=True)
def test_one_click_delivers_exactly_like_the_page(client, maileon_sandbox, link):
    PageConfig.get_default()
    action, data = form_data(client.get(f"/unsubscribe/?{link(JOHN, mailingid=SENT_MAILING)}"), "/unsubscribe/?")
    client.post(action, data)
    by_page = calls_without_ids(maileon_sandbox, JOHN)
    maileon_sandbox.calls.clear()

    provider().post(f"/unsubscribe/one-click/?{link(LENA, mailingid=SENT_MAILING)}", ONE_CLICK, content_type=FORM)
    by_one_click = calls_without_ids(maileon_sandbox, LENA)

    assert by_page and by_one_click == by_page
    rows = {row.contact_id: row for row in UnsubscribeRequest.objects.all()}
    assert rows[LENA].status == rows[JOHN].status == Status.DELIVERED
    assert (rows[LENA].via, rows[JOHN].via) == (Via.ONE_CLICK, Via.PAGE)


@pytest.mark.django_db(transaction=True)
def test_repeated_one_click_makes_one_maileon_call(maileon_sandbox, link):
    PageConfig.get_default()
    for _ in range(3):
        assert_bare_answer(provider().post(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM))
    assert len(maileon_sandbox.changing_calls()) == 1
    assert UnsubscribeRequest.objects.count() == 1


@pytest.mark.parametrize("body, content_type", [
    ("", FORM),
    ("List-Unsubscribe=Yes", FORM),
    ("List-Unsubscribe=one-click", FORM),
    ("One-Click", FORM),
    ("list-unsubscribe=One-Click", FORM),
    (ONE_CLICK, "text/plain"),
    ('{"List-Unsubscribe": "One-Click"}', "application/json"),
])
def test_any_other_body_changes_nothing(default_page, maileon_sandbox, link, body, content_type):
    response = provider().post(f"/unsubscribe/one-click/?{link(LENA)}", body, content_type=content_type)
    assert response.status_code == 400
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_are_refused_and_change_nothing(default_page, maileon_sandbox, link, method):
    response = getattr(provider(), method)(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM)
    assert response.status_code == 405
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []


@pytest.mark.parametrize("path", PATHS)
def test_get_and_head_show_the_normal_unsubscribe_page(client, default_page, maileon_sandbox, link, path):
    page = client.get(f"{path}?{link(LENA, lang='en')}")
    assert page.status_code == 200
    assert "<form" in page.content.decode() and "Unsubscribe" in page.content.decode()
    head = client.head(f"{path}?{link(LENA, lang='en')}")
    assert head.status_code == 200 and head.content == b""
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []


@pytest.mark.parametrize("path", PATHS)
def test_the_page_a_browser_opens_at_the_one_click_url_unsubscribes_through_the_page(client, default_page,
                                                                                      maileon_sandbox, link, path):
    """Its form posts to the unsubscribe page, not back to the one-click URL (which takes only the RFC 8058 body)."""
    page = client.get(f"{path}?{link(LENA, lang='en')}")
    action, data = form_data(page, "/unsubscribe/?")  # the default page's own address
    done = client.post(action, data)
    assert done.status_code == 200 and "Your unsubscribe is being processed" in done.content.decode()
    assert UnsubscribeRequest.objects.get(contact_id=LENA).via == Via.PAGE


@pytest.mark.usefixtures("checksum_reads")
@pytest.mark.parametrize("query, status", [
    (f"contactid={LENA}&checksum=tampered", 404),
    ("contactid=999999&checksum=abc", 404),
    (f"contactid={LENA}", 400),
    ("checksum=abc", 400),
    ("contactid=%5BCONTACT%7CID%5D&checksum=%5BCONTACT%7CCHECKSUM%5D", 400),
    (f"contactid={LENA}&contactid={ERIKA}&checksum=abc", 400),
])
def test_a_bad_link_records_nothing(default_page, maileon_sandbox, query, status):
    response = provider().post(f"/unsubscribe/one-click/?{query}", ONE_CLICK, content_type=FORM)
    assert response.status_code == status
    assert not UnsubscribeRequest.objects.exists() and maileon_sandbox.changing_calls() == []
