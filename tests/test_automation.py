import time

import pytest

from preference_center.pages import automation


def test_a_browser_that_took_its_time_is_not_suspected(monkeypatch):
    stamp = automation.served_stamp()
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 30)
    result = automation.assess(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1",
        stamp=stamp, via_page=True,
    )
    assert result == automation.Assessment(False, "")


def test_a_post_right_after_the_page_was_served_is_flagged():
    result = automation.assess(user_agent="Mozilla/5.0 Firefox/140.0", stamp=automation.served_stamp(), via_page=True)
    assert result.suspected
    assert "after the page was served" in result.evidence


@pytest.mark.parametrize("agent", ["Mozilla/5.0 (compatible; Barracuda Sentinel)", "python-requests/2.32"])
def test_scanner_user_agents_are_flagged(agent):
    result = automation.assess(user_agent=agent, stamp=None, via_page=False)
    assert result.suspected
    assert result.evidence


def test_a_forged_or_missing_stamp_is_evidence():
    assert "invalid" in automation.assess(user_agent="Mozilla/5.0", stamp="served:1:forged", via_page=True).evidence
    assert "without" in automation.assess(user_agent="Mozilla/5.0", stamp=None, via_page=True).evidence


def test_one_click_requests_are_not_judged_by_the_form_stamp():
    assert not automation.assess(user_agent="Mozilla/5.0 (Macintosh)", stamp=None, via_page=False).suspected


def test_a_page_post_without_user_agent_is_flagged_a_one_click_post_is_not():
    assert automation.assess(user_agent="", stamp=automation.served_stamp(), via_page=True).suspected
    assert not automation.assess(user_agent="", stamp=None, via_page=False).suspected
