"""Link failures are limited per contact id and per client address (preference_center/pages/throttle.py), counted in
the shared cache: HTTP in through Django's test client, what the sandbox was asked out."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from preference_center.delivery import worker
from preference_center.pages import page_cache, throttle
from preference_center.models import UnsubscribeRequest
from preference_center.services import definitions, unsubscribe

from tests.support import ERIKA, JOHN, LENA

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
ONE_CLICK = "List-Unsubscribe=One-Click"


def contact_reads(store) -> list[int]:
    """The contact ids Maileon was asked to read, in order."""
    return [int(call.values("id")[0]) for call in store.calls
            if (call.method, call.path) == ("GET", "/contacts/contact")]


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= throttle.WINDOW_SECONDS


def fail_from(client: Client, address: str, count: int, *, first_id: int = 5000, **headers) -> None:
    """`count` failures from one address, each for another (unknown) contact id: below every contact's ceiling."""
    for attempt in range(count):
        response = client.get(f"/profile/?contactid={first_id + attempt}&checksum=guess", REMOTE_ADDR=address,
                              **headers)
        assert response.status_code == 404


# --- per contact id


def test_one_contact_is_blocked_after_its_ceiling_from_any_address_and_forwarded_header(
        client, default_page, maileon_sandbox, link):
    # A guesser rotating socket addresses and X-Forwarded-For values, and spelling the id three ways.
    spellings = [f"contactid={ERIKA}", f"contactid=0{ERIKA}", f"id={ERIKA}"]
    statuses = []
    for attempt in range(throttle.CONTACT_MAX_FAILURES + 10):
        response = client.get(f"/profile/?{spellings[attempt % 3]}&checksum=guess{attempt}",
                              REMOTE_ADDR=f"198.51.100.{attempt}", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert_throttled(response)
    assert statuses == [404] * throttle.CONTACT_MAX_FAILURES + [429] * 10
    assert contact_reads(maileon_sandbox) == [ERIKA] * throttle.CONTACT_MAX_FAILURES

    # The price: the contact's own valid link waits too, from anywhere. Other contacts are unaffected.
    assert_throttled(client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="192.0.2.44"))
    assert client.get(f"/profile/?{link(JOHN)}", REMOTE_ADDR="198.51.100.1").status_code == 200


def test_malformed_links_count_against_their_contact_id(client, default_page, maileon_sandbox, link):
    for attempt in range(throttle.CONTACT_MAX_FAILURES):
        response = client.get(f"/unsubscribe/?contactid={LENA}&checksum=%5BCONTACT%7CCHECKSUM%5D",
                              REMOTE_ADDR=f"198.51.100.{attempt}")
        assert response.status_code == 400
    assert_throttled(client.get(f"/unsubscribe/?{link(LENA)}", REMOTE_ADDR="192.0.2.44"))
    assert maileon_sandbox.calls == []


def test_a_link_naming_several_contacts_charges_none_of_them(client, default_page, maileon_sandbox, link):
    # Conflicting ids make the link malformed (never sent to Maileon); charging each would let one request
    # lock many contacts.
    for attempt in range(throttle.CONTACT_MAX_FAILURES):
        response = client.get(f"/profile/?contactid={ERIKA}&id={JOHN}&id={LENA}&checksum=guess",
                              REMOTE_ADDR=f"198.51.100.{attempt}")
        assert response.status_code == 400
    for contact in (ERIKA, JOHN, LENA):
        assert client.get(f"/profile/?{link(contact)}", REMOTE_ADDR="192.0.2.44").status_code == 200


# --- per client address


def test_one_address_is_blocked_after_its_ceiling_across_contact_ids(client, default_page, maileon_sandbox, link):
    # Rotating X-Forwarded-For changes nothing: without trusted proxies the header is ignored.
    for attempt in range(throttle.ADDRESS_MAX_FAILURES):
        response = client.get(f"/profile/?contactid={5000 + attempt}&checksum=guess", REMOTE_ADDR="198.51.100.7",
                              HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
        assert response.status_code == 404
    maileon_sandbox.calls.clear()

    for method in ("get", "post"):
        assert_throttled(getattr(client, method)(f"/unsubscribe/?{link(LENA)}", REMOTE_ADDR="198.51.100.7"))
    assert_throttled(client.get("/profile/?contactid=6000&checksum=guess", REMOTE_ADDR="198.51.100.7"))
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()
    assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_an_ipv6_client_counts_per_64_network(client, default_page, maileon_sandbox, link):
    for attempt in range(throttle.ADDRESS_MAX_FAILURES):
        client.get(f"/profile/?contactid={5000 + attempt}&checksum=guess", REMOTE_ADDR=f"2001:db8:1:2::{attempt:x}")
    assert_throttled(client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="2001:db8:1:2:ffff::1"))
    assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_failures_count_not_requests(client, default_page, maileon_sandbox, link):
    for _ in range(throttle.ADDRESS_MAX_FAILURES + 5):
        assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="198.51.100.7").status_code == 200
    assert len(contact_reads(maileon_sandbox)) == throttle.ADDRESS_MAX_FAILURES + 5


# --- behind proxies: TRUSTED_PROXY_HOPS


@pytest.mark.parametrize("hops, forwarded, remote, expected", [
    (0, "", "198.51.100.7", "198.51.100.7"),
    (0, "203.0.113.9", "198.51.100.7", "198.51.100.7"),  # without trusted proxies the header is anyone's
    (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # the client wrote 6.6.6.6 itself
    (1, "", "10.0.0.2", "10.0.0.2"),  # no header: a request that bypassed the proxy
    (2, "6.6.6.6, 7.7.7.7, 203.0.113.9, 10.0.0.1", "10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9, 10.0.0.1", "10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "10.0.0.2", "203.0.113.9"),  # shorter than the hops: its leftmost entry
    (1, "203.0.113.9:4711", "10.0.0.2", "203.0.113.9"),  # a proxy that adds the port
    (1, "[2001:db8::1]:443", "10.0.0.2", "2001:db8::1"),
    (1, "2001:DB8:0::1", "10.0.0.2", "2001:db8::1"),
    (1, "unknown", "10.0.0.2", "unknown"),
])
def test_client_address_is_what_the_outermost_trusted_proxy_saw(settings, hops, forwarded, remote, expected):
    settings.TRUSTED_PROXY_HOPS = hops
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/profile/", REMOTE_ADDR=remote, **headers)
    assert throttle.client_address(request) == expected


@pytest.mark.parametrize("hops", [1, 2])
def test_behind_trusted_proxies_spoofed_left_entries_do_not_escape_the_address_ceiling(
        client, default_page, maileon_sandbox, link, settings, hops):
    settings.TRUSTED_PROXY_HOPS = hops
    proxies = ", 10.0.0.1" * (hops - 1)  # what the inner proxies appended

    def forwarded(spoofed: str, client_address: str) -> str:
        return f"{spoofed}, {client_address}{proxies}"

    for attempt in range(throttle.ADDRESS_MAX_FAILURES):
        response = client.get(f"/profile/?contactid={5000 + attempt}&checksum=guess", REMOTE_ADDR="10.0.0.2",
                              HTTP_X_FORWARDED_FOR=forwarded(f"192.0.2.{attempt}", "203.0.113.9"))
        assert response.status_code == 404
    assert_throttled(client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="10.0.0.2",
                                HTTP_X_FORWARDED_FOR=forwarded("192.0.2.200", "203.0.113.9")))
    # Another client behind the same proxies is another address.
    assert client.get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="10.0.0.2",
                      HTTP_X_FORWARDED_FOR=forwarded("192.0.2.1", "203.0.113.10")).status_code == 200


# --- one-click (RFC 8058): mail providers' servers share addresses


def test_a_valid_one_click_is_served_although_its_address_is_over_the_ceiling(
        client, default_page, maileon_sandbox, link):
    provider = "198.51.100.25"
    fail_from(client, provider, throttle.ADDRESS_MAX_FAILURES)
    assert_throttled(client.get(f"/unsubscribe/one-click/?{link(LENA)}", REMOTE_ADDR=provider))  # a browser view

    response = client.post(f"/unsubscribe/one-click/?{link(LENA)}", ONE_CLICK, content_type=FORM,
                           REMOTE_ADDR=provider)
    assert response.status_code == 200
    assert UnsubscribeRequest.objects.filter(contact_id=LENA).exists()


def _block_contact(client, contact_id: int) -> None:
    for attempt in range(throttle.CONTACT_MAX_FAILURES):
        response = client.get(f"/profile/?contactid={contact_id}&checksum=guess{attempt}",
                              REMOTE_ADDR=f"198.51.100.{attempt}")
        assert response.status_code == 404


def test_a_one_click_for_a_blocked_contact_is_kept_without_asking_maileon(client, default_page, maileon_sandbox,
                                                                        link):
    _block_contact(client, JOHN)
    assert_throttled(client.get(f"/unsubscribe/one-click/?{link(JOHN)}", REMOTE_ADDR="192.0.2.44"))  # a view
    maileon_sandbox.calls.clear()

    # Genuine or forged, the answer is the same and Maileon is not asked: nothing tells a guesser which is right,
    # and the genuine one-click of the mail provider is not lost.
    forged = client.post(f"/unsubscribe/one-click/?{link(JOHN, checksum='guess-more')}", ONE_CLICK,
                         content_type=FORM, REMOTE_ADDR="192.0.2.45")
    genuine = client.post(f"/unsubscribe/one-click/?{link(JOHN)}", ONE_CLICK, content_type=FORM,
                          REMOTE_ADDR="192.0.2.44")
    assert (forged.status_code, forged.content) == (genuine.status_code, genuine.content) == (200, b"unsubscribed\n")
    assert maileon_sandbox.calls == []
    assert sorted(UnsubscribeRequest.objects.values_list("verified", "status")) == [(False, "pending")] * 2

    worker.deliver_due(limit=None)  # the worker verifies each before sending: the forgery fails there

    assert sorted(UnsubscribeRequest.objects.values_list("status", flat=True)) == ["delivered", "failed"]
    assert [call.values("id") for call in maileon_sandbox.changing_calls()] == [[str(JOHN)]]


def test_a_guesser_cannot_turn_one_clicks_for_a_blocked_contact_into_maileon_reads(client, default_page,
                                                                                  maileon_sandbox, link):
    _block_contact(client, JOHN)
    answers = [client.post(f"/unsubscribe/one-click/?{link(JOHN, checksum=f'more{attempt}')}", ONE_CLICK,
                           content_type=FORM, REMOTE_ADDR="192.0.2.45").status_code
               for attempt in range(unsubscribe.UNVERIFIED_WHILE_BLOCKED + 5)]
    assert answers == [200] * unsubscribe.UNVERIFIED_WHILE_BLOCKED + [429] * 5
    assert UnsubscribeRequest.objects.count() == unsubscribe.UNVERIFIED_WHILE_BLOCKED


# --- shared, not per process


def test_the_counts_outlive_the_memory_of_the_process_that_counted(client, default_page, maileon_sandbox, link):
    for attempt in range(throttle.CONTACT_MAX_FAILURES):
        client.get(f"/profile/?{link(ERIKA, checksum=f'guess{attempt}')}", REMOTE_ADDR=f"198.51.100.{attempt}")
    # Another process: nothing of this one's memory (page configurations, account definitions), a new client.
    page_cache.clear()
    definitions.forget()
    maileon_sandbox.calls.clear()
    assert_throttled(Client().get(f"/profile/?{link(ERIKA)}", REMOTE_ADDR="192.0.2.44"))
    assert maileon_sandbox.calls == []


def test_a_failure_is_checked_with_one_cache_read_and_counted_with_another(client, default_page, maileon_sandbox):
    # Under a guesser every request is a failure: counting it against the contact id and the address reads both
    # counts' slots at once, not once per count.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/profile/?contactid=5000&checksum=guess", REMOTE_ADDR="198.51.100.7").status_code == 404

    slot_reads = [query["sql"] for query in queries.captured_queries
                  if "preference_center_cache" in query["sql"] and " IN (" in query["sql"]]
    assert len(slot_reads) == 2
