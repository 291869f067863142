"""Raw HTTP against the sandbox (through the `responses` door), so tests can send what our client never would."""

from __future__ import annotations

import pytest
import requests

from preference_center.maileon import codec

XML = "application/vnd.maileon.api+xml"
# base64("sandbox"), written out so the tests don't compute it the way the sandbox does.
SANDBOX_AUTHORIZATION = "Basic c2FuZGJveA=="


class SandboxHttp:
    """`call(method, path, params, ...)` with Maileon's headers unless a test overrides or removes one (None)."""

    def __init__(self, base_url: str, store) -> None:
        self.base_url = base_url
        self.store = store

    def call(self, method, path, params=(), *, body: bytes | None = None, headers=None, timeout=5.0):
        sent_headers = {"Authorization": SANDBOX_AUTHORIZATION, "Accept": f"{XML}; charset=utf-8"}
        if body is not None or method in ("PUT", "POST"):  # as our client (and both official ones) send it
            sent_headers["Content-Type"] = f"{XML}; charset=utf-8"
        sent_headers.update(headers or {})
        session = requests.Session()
        request = requests.Request(method, self.base_url + path, params=list(params), data=body)
        prepared = session.prepare_request(request)
        for name, value in sent_headers.items():  # set on the prepared request: no default of requests slips in
            if value is None:
                prepared.headers.pop(name, None)
            else:
                prepared.headers[name] = value
        return session.send(prepared, timeout=timeout)

    def read(self, contact_id, *extra, checksum=None):
        checksum = self.store.checksum_for(contact_id) if checksum is None else checksum
        return self.call("GET", "/contacts/contact", [("id", str(contact_id)), ("checksum", checksum), *extra])

    def read_contact(self, contact_id, *extra):
        response = self.read(contact_id, *extra)
        assert response.status_code == 200, response.content
        return codec.decode_contact(response.content)

    def update(self, contact_id, body: bytes, *extra, checksum=None):
        checksum = self.store.checksum_for(contact_id) if checksum is None else checksum
        params = [("id", str(contact_id)), ("checksum", checksum), *extra]
        return self.call("PUT", "/contacts/contact", params, body=body)


def error_message(response) -> str:
    return codec.decode_error_message(response.content)


@pytest.fixture
def sandbox(maileon_sandbox, settings) -> SandboxHttp:
    return SandboxHttp(settings.MAILEON_API_URL, maileon_sandbox)
