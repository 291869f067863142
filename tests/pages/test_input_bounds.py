"""Bounded input everywhere: overlong query values, huge bodies, too many fields and overlong form values get a
clear page (400/413 or the form with its error), never a 500, and nothing reaches Maileon."""

import pytest
from django.test.client import encode_multipart

from preference_center.models import UnsubscribeRequest

from tests.support import ERIKA, LENA, form_data

pytestmark = pytest.mark.django_db

RECIPIENT_POSTS = ["/profile/", "/unsubscribe/", "/unsubscribe/reason/", "/unsubscribe/downsell/",
                   "/unsubscribe/one-click/", "/p/default/unsubscribe/"]
TOO_LARGE_TEXT = {"de": "Zu viele Daten", "en": "Too much data"}


def assert_nothing_changed(store) -> None:
    assert store.changing_calls() == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("name", ["contactid", "id", "checksum"])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/"])
def test_an_overlong_link_value_is_a_bad_link(client, default_page, maileon_sandbox, link, path, name):
    query = f"{link(ERIKA)}&{name}={'9' * 20_000}"
    for method in ("get", "head", "post"):
        assert getattr(client, method)(f"{path}?{query}").status_code == 400, method
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("name", ["mailingid", "mailingId", "lang", "other"])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/"])
def test_an_overlong_extra_value_is_ignored(client, default_page, maileon_sandbox, link, path, name):
    query = f"{link(ERIKA)}&{name}={'9' * 20_000}"
    for method in ("get", "head"):
        assert getattr(client, method)(f"{path}?{query}").status_code == 200, method
    assert_nothing_changed(maileon_sandbox)


@pytest.mark.parametrize("path", RECIPIENT_POSTS)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_huge_form_body_gets_413_in_the_recipients_language_before_maileon_is_asked(
        client, default_page, maileon_sandbox, link, settings, path, lang):
    body = f"List-Unsubscribe=One-Click&message={'x' * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}"
    response = client.post(f"{path}?{link(LENA)}", body, content_type="application/x-www-form-urlencoded",
                           HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 413
    assert TOO_LARGE_TEXT[lang] in response.content.decode()
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()


@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/"])
def test_a_huge_multipart_file_is_refused_too(client, default_page, maileon_sandbox, link, settings, path):
    # Django's own limit leaves out file parts; a recipient form never sends a file.
    body = encode_multipart("BoUnDaRy", {"List-Unsubscribe": "One-Click",
                                         "upload": _File("a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 4))})
    response = client.post(f"{path}?{link(LENA)}", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    assert response.status_code == 413
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()


class _File:
    """Enough of a file for the test client's multipart encoder."""

    def __init__(self, content: str) -> None:
        self.name, self._content = "big.txt", content.encode()

    def read(self) -> bytes:
        return self._content


@pytest.mark.parametrize("where", ["query", "body"])
@pytest.mark.parametrize("path", ["/profile/", "/unsubscribe/", "/unsubscribe/one-click/"])
def test_too_many_fields_get_a_clear_400(client, default_page, maileon_sandbox, link, settings, path, where):
    many = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    if where == "query":
        response = client.get(f"{path}?{link(LENA)}&{many}", HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = client.post(f"{path}?{link(LENA)}", many, content_type="application/x-www-form-urlencoded",
                               HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert TOO_LARGE_TEXT["en"] in response.content.decode()
    assert maileon_sandbox.calls == [] and not UnsubscribeRequest.objects.exists()


def test_an_invalid_content_length_is_not_a_server_error(client, default_page, maileon_sandbox, link):
    response = client.post(f"/unsubscribe/?{link(LENA)}", "", content_type="application/x-www-form-urlencoded",
                           CONTENT_LENGTH="lots")
    assert response.status_code < 500


@pytest.mark.parametrize("field", ["FIRSTNAME", "LASTNAME", "email"])
def test_an_overlong_profile_value_is_a_form_error_and_not_sent(client, make_page, maileon_sandbox, link, field,
                                                                put_bodies):
    make_page(slug="long", email_editable=True,
              fields=[{"source": "standard", "name": "FIRSTNAME"}, {"source": "standard", "name": "LASTNAME"}])
    action, data = form_data(client.get(f"/p/long/profile/?{link(ERIKA, lang='en')}"), "/p/long/profile/")
    data[field] = ["a" * 5_000 + ("@example.org" if field == "email" else "")]
    response = client.post(action, data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert put_bodies == [] and maileon_sandbox.changing_calls() == []


def test_an_overlong_unsubscribe_message_is_a_form_error_and_nothing_is_recorded(client, default_page,
                                                                                  maileon_sandbox, link):
    action, data = form_data(client.get(f"/unsubscribe/?{link(LENA, lang='en')}"), "/unsubscribe/?")
    data["message"] = ["x" * 5_000]
    response = client.post(action, data)
    assert response.status_code == 200 and "at most 500" in response.content.decode().lower()
    assert_nothing_changed(maileon_sandbox)
