"""Suspected automated requests (scanners press buttons too): judged from the request as it arrives."""

import time

import pytest
from django.test import RequestFactory

from preference_center.pages import automation

factory = RequestFactory()
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def post(*, user_agent: str | None, stamp: str | None = None):
    data = {} if stamp is None else {"served": stamp}
    headers = {} if user_agent is None else {"HTTP_USER_AGENT": user_agent}
    return factory.post("/unsubscribe/?contactid=1&checksum=x", data, **headers)


def test_a_browser_that_took_its_time_is_not_suspected(monkeypatch):
    stamp = automation.served_stamp()
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 30)
    assert automation.assess(post(user_agent=IPHONE, stamp=stamp), via_page=True) == (False, "")


def test_a_post_right_after_the_page_was_served_is_flagged():
    suspected, evidence = automation.assess(post(user_agent="Mozilla/5.0 Firefox/140.0",
                                                 stamp=automation.served_stamp()), via_page=True)
    assert suspected and "after the page was served" in evidence


@pytest.mark.parametrize("agent", ["Mozilla/5.0 (compatible; Barracuda Sentinel)", "python-requests/2.32"])
def test_scanner_user_agents_are_flagged(agent):
    suspected, evidence = automation.assess(post(user_agent=agent), via_page=False)
    assert suspected and evidence


def test_a_forged_or_missing_stamp_is_evidence():
    assert "invalid" in automation.assess(post(user_agent="Mozilla/5.0", stamp="served:1:forged"), via_page=True)[1]
    assert "without" in automation.assess(post(user_agent="Mozilla/5.0"), via_page=True)[1]


def test_one_click_requests_are_not_judged_by_the_form_stamp():
    assert automation.assess(post(user_agent="Mozilla/5.0 (Macintosh)"), via_page=False) == (False, "")


def test_a_page_post_without_user_agent_is_flagged_a_one_click_post_is_not():
    assert automation.assess(post(user_agent=None, stamp=automation.served_stamp()), via_page=True)[0]
    assert not automation.assess(post(user_agent=None), via_page=False)[0]
