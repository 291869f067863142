"""Post/redirect/get: a successful POST answers 303 to a GET page that confirms what happened, carried in a signed
token in its URL (no cookie). Reload and Back repeat only the GET: nothing is sent twice."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from preference_center.models import UnsubscribeRequest

from tests.support import ERIKA, JOHN, LENA, form_data

pytestmark = pytest.mark.django_db


def _post_form(client, response, prefix: str, **changes):
    action, data = form_data(response, prefix)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return client.post(action, data, follow=False)


def test_a_profile_save_redirects_to_its_confirmation_and_reloading_it_sends_nothing(default_page,
                                                                                    maileon_sandbox, link):
    client = Client()
    answer = _post_form(client, client.get(f"/profile/?{link(ERIKA, lang='en')}"), "/profile/",
                        FIRSTNAME="Erika Maria")

    assert answer.status_code == 303
    location = answer["Location"]
    assert location.startswith("/profile/saved/?") and "lang=en" in location and "done=" in location
    calls = len(maileon_sandbox.calls)
    for _reload in range(2):
        page = client.get(location)
        html = page.content.decode()
        assert page.status_code == 200 and "Thank you, your changes are saved." in html and "First name" in html
    assert len(maileon_sandbox.calls) == calls  # a confirmation asks Maileon nothing
    assert maileon_sandbox.contact(ERIKA).standard_fields["FIRSTNAME"] == "Erika Maria"


@pytest.mark.django_db(transaction=True)  # the inline delivery runs once the row is committed
def test_an_unsubscribe_redirects_and_tell_us_more_follows_the_same_way(default_page, maileon_sandbox, link,
                                                                       make_reason):
    reason = make_reason(label_en="Too many")
    client = Client()
    answer = _post_form(client, client.get(f"/unsubscribe/?{link(LENA, lang='en')}"), "/unsubscribe/?")
    assert answer.status_code == 303 and answer["Location"].startswith("/unsubscribe/done/?")

    done = client.get(answer["Location"])
    client.get(answer["Location"])  # reload
    assert UnsubscribeRequest.objects.count() == 1
    assert len([c for c in maileon_sandbox.changing_calls() if c.method == "DELETE"]) == 1
    assert "Would you tell us why?" in done.content.decode()

    told = _post_form(client, done, "/unsubscribe/reason/", reason=str(reason.pk))
    assert told.status_code == 303
    assert "Thank you for your answer" in client.get(told["Location"]).content.decode()


def test_the_down_sell_redirects_to_its_confirmation(default_page, maileon_sandbox, link):
    client = Client()
    page = client.get(f"/unsubscribe/?{link(ERIKA, lang='en')}")
    answer = client.post(form_data(page, "/unsubscribe/downsell/")[0], follow=False)
    assert answer.status_code == 303 and answer["Location"].startswith("/unsubscribe/downsell/done/?")
    assert "Done: fewer emails from now on" in client.get(answer["Location"]).content.decode()


@pytest.fixture
def confirmation(default_page, maileon_sandbox, link):
    client = Client()
    answer = _post_form(client, client.get(f"/profile/?{link(ERIKA, lang='de')}"), "/profile/",
                        FIRSTNAME="Erika Maria")
    return answer["Location"]


def _with_done(location: str, done: str) -> str:
    parts = urlsplit(location)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query["done"] = done
    return f"{parts.path}?" + "&".join(f"{name}={value}" for name, value in query.items())


@pytest.mark.parametrize("tamper", [
    lambda done: done[:-2] + ("AA" if not done.endswith("AA") else "BB"),  # the signature no longer fits
    lambda done: "",  # none at all
])
def test_a_confirmation_nobody_signed_is_no_longer_available(confirmation, tamper):
    done = parse_qs(urlsplit(confirmation).query)["done"][0]
    response = Client().get(_with_done(confirmation, tamper(done)))
    assert response.status_code == 404
    assert "Diese Seite ist nicht mehr verfügbar" in response.content.decode()


def test_a_confirmation_belongs_to_its_contact(confirmation, link):
    moved = confirmation.replace(f"contactid={ERIKA}", f"contactid={JOHN}").replace(
        parse_qs(urlsplit(confirmation).query)["checksum"][0], parse_qs(link(JOHN))["checksum"][0])
    assert Client().get(moved).status_code == 404


def test_an_old_confirmation_expires(confirmation, monkeypatch):
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 2 * 24 * 3600)
    assert Client().get(confirmation).status_code == 404


def test_the_language_switcher_on_a_confirmation_keeps_it(confirmation):
    html = Client().get(confirmation).content.decode()
    done = parse_qs(urlsplit(confirmation).query)["done"][0]
    switch = next(part for part in html.split('<a href="')[1:] if 'hreflang="en"' in part).split('"', 1)[0]
    switch = switch.replace("&amp;", "&")
    assert switch.startswith("/profile/saved/?") and "lang=en" in switch
    english = Client().get(switch)
    assert english.status_code == 200 and "Thank you, your changes are saved." in english.content.decode()
    assert parse_qs(urlsplit(switch).query)["done"] == [done]


def test_an_error_page_after_a_post_offers_the_other_language_of_the_form(default_page, maileon_sandbox, link):
    client = Client()
    page = client.get(f"/unsubscribe/?{link(LENA, lang='de')}")
    maileon_sandbox.faults.inject(status=503, times=None, method="GET")
    action, data = form_data(page, "/unsubscribe/?")
    answer = client.post(action, data)  # Maileon down: recorded anyway, so the confirmation follows
    assert answer.status_code == 303
    maileon_sandbox.faults.clear()
    maileon_sandbox.faults.inject(status=503, times=None)
    refused = client.post(f"/unsubscribe/downsell/?{link(ERIKA, lang='de')}")
    html = refused.content.decode()
    assert refused.status_code == 503
    assert f'href="/unsubscribe/?contactid={ERIKA}' in html and 'hreflang="en"' in html
