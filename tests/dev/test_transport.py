"""Auth, media types and unknown operations: refused the way Maileon refuses them."""

import pytest

from .conftest import XML, error_message


def test_answers_with_maileons_media_type_exactly_without_charset(sandbox):
    response = sandbox.read(1001)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic c2FuZGJveDo=",  # base64("sandbox:"), the user:password form
        "Basic U0FOREJPWA==",  # base64("SANDBOX"): keys are case-sensitive
        "Bearer sandbox",
        "basic c2FuZGJveA==",
    ],
)
def test_refuses_anything_but_the_sandbox_key_as_basic_auth(sandbox, authorization):
    response = sandbox.call("GET", "/contacts/preference_categories", headers={"Authorization": authorization})
    assert (response.status_code, error_message(response)) == (401, "unauthorized")


@pytest.mark.parametrize("accept", ["application/json", "application/xml", "text/html", "text/*"])
def test_refuses_an_accept_header_without_maileons_media_type(sandbox, accept):
    response = sandbox.call("GET", "/contacts/preference_categories", headers={"Accept": accept})
    # No body by design: the client accepts nothing the sandbox could send.
    assert (response.status_code, response.content) == (406, b"")


@pytest.mark.parametrize("accept", [
    None, XML, f"{XML}; charset=UTF-8", f"text/html, {XML};q=0.9", "*/*", "application/*",
    # the JDK's default, all that XQueue's Java client sends on its PUT; Maileon answers it
    "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2",
])
def test_accepts_maileons_media_type_with_any_parameters_or_no_accept_header(sandbox, accept):
    response = sandbox.call("GET", "/contacts/preference_categories", headers={"Accept": accept})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", [None, "application/xml", "text/xml; charset=utf-8"])
def test_refuses_a_put_body_of_another_media_type(sandbox, content_type):
    body = b"<contact><standard_fields><field><name>CITY</name><value>Bonn</value></field></standard_fields></contact>"
    response = sandbox.call(
        "PUT",
        "/contacts/contact",
        [("id", "1001"), ("checksum", sandbox.store.checksum_for(1001))],
        body=body,
        headers={"Content-Type": content_type},
    )
    assert (response.status_code, error_message(response)) == (415, "unsupported media type")
    assert sandbox.read_contact(1001, ("standard_field", "CITY")).standard_fields["CITY"] == "München"


@pytest.mark.parametrize(("method", "path", "params"), [
    ("PUT", "/contacts/contact/unsubscribe/reasons", [("id", "1004"), ("reason", "other")]),
    ("POST", "/contacts/email/new%40example.org", [("doi", "true")]),
])
def test_refuses_a_put_or_post_without_content_type_even_without_a_body(sandbox, method, path, params):
    response = sandbox.call(method, path, params, headers={"Content-Type": None})
    assert (response.status_code, error_message(response)) == (415, "unsupported media type")
    assert sandbox.store.changing_calls()[-1].method == method and not sandbox.store.doi_mails


def test_accepts_a_content_type_header_on_calls_without_body(sandbox):
    # XQueue's PHP client sends one on every call: different, not wrong.
    response = sandbox.call("GET", "/contacts/fields/custom", headers={"Content-Type": f"{XML}; charset=utf-8"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/contacts"),
        ("POST", "/contacts/contact"),
        ("DELETE", "/contacts/contact"),
        ("GET", "/contacts/contact/unsubscribe"),
        ("GET", "/mailings/88120"),
        ("PUT", "/contacts/fields/custom"),
    ],
)
def test_answers_501_to_operations_the_sandbox_does_not_implement(sandbox, method, path):
    response = sandbox.call(method, path)
    assert (response.status_code, error_message(response)) == (501, f"not implemented in the sandbox: {method} {path}")
    assert sandbox.store.contact(1001).email is not None
