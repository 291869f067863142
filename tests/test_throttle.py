import pytest
from django.test import RequestFactory

from preference_center import throttle

pytestmark = pytest.mark.django_db  # the counts live in the database cache


def request_from(address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/profile/", **extra)


def test_blocks_an_address_after_too_many_failures_and_only_that_address():
    attacker, neighbour = request_from("203.0.113.7"), request_from("203.0.113.8")
    for _ in range(throttle.MAX_FAILURES - 1):
        throttle.record_failure(attacker)
    assert not throttle.is_blocked(attacker)
    throttle.record_failure(attacker)
    assert throttle.is_blocked(attacker)
    assert not throttle.is_blocked(neighbour)


def test_behind_the_proxy_the_address_the_proxy_appended_counts():
    request = request_from("10.0.0.2", forwarded="198.51.100.1, 203.0.113.9")
    assert throttle.client_address(request) == "203.0.113.9"
