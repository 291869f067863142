"""A mocked Maileon (the `responses` library) and intent-named assertions about what the client sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from preference_center.maileon import MaileonClient, MaileonConfig
from preference_center.maileon import backoff
from preference_center.maileon.transport import Transport

BASE_URL = "https://api.maileon.test/1.0"
API_KEY = "secret-key"
# base64("secret-key"), written out so the test does not recompute it the way the code does.
EXPECTED_AUTHORIZATION = "Basic c2VjcmV0LWtleQ=="
ACCEPT = "application/vnd.maileon.api+xml; charset=utf-8"
XML = "application/vnd.maileon.api+xml"  # exactly what Maileon answers: no charset
CHECKSUM = "Qm7-tR2xLp"


def contact_xml(contact_id: int, *, checksum: str = CHECKSUM, permission_status: str = "available",
                extra: str = "") -> bytes:
    """A contact answer as Maileon gives it to our reads, which always ask for CHECKSUM and PERMISSION_STATUS."""
    return (
        f"<contact><id>{contact_id}</id>{extra}<standard_fields>"
        f"<field><name>CHECKSUM</name><value>{checksum}</value></field>"
        f"<field><name>PERMISSION_STATUS</name><value>{permission_status}</value></field>"
        f"</standard_fields></contact>"
    ).encode()


@dataclass
class SentCall:
    method: str
    path: str  # raw, as sent (percent-encoding kept)
    query: str  # raw query string
    params: list[tuple[str, str]]  # decoded, repeated names in order
    headers: dict
    body: bytes | None
    timeout: object


class MockMaileon:
    """Registers answers and reads back what the client sent."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock

    def answer(self, method: str, path: str, *, status: int = 200, body: bytes | str = b"", headers=None,
               content_type: str | None = XML, exception: Exception | None = None) -> None:
        url = re.compile(re.escape(BASE_URL + path) + r"(\?.*)?$")
        if exception is not None:
            self.mock.add(method, url, body=exception)
            return
        self.mock.add(method, url, status=status, body=body, headers=headers or {}, content_type=content_type)

    @property
    def calls(self) -> list[SentCall]:
        sent = []
        for call in self.mock.calls:
            request = call.request
            parts = urlsplit(request.url)
            body = request.body
            sent.append(
                SentCall(
                    method=request.method,
                    path=parts.path,
                    query=parts.query,
                    params=parse_qsl(parts.query, keep_blank_values=True),
                    headers=dict(request.headers),
                    body=body.encode() if isinstance(body, str) else body,
                    timeout=getattr(request, "req_kwargs", {}).get("timeout"),
                )
            )
        return sent

    def assert_called(self, method: str, path: str, params: list[tuple[str, str]] | None = None) -> SentCall:
        """Exactly one call was made, with this method, raw path and (if given) exactly these params in order."""
        assert len(self.calls) == 1, f"expected one call, got {[(c.method, c.path) for c in self.calls]}"
        call = self.calls[0]
        assert (call.method, call.path) == (method, urlsplit(BASE_URL).path + path)
        if params is not None:
            assert call.params == params
        assert_standard_headers(call)
        return call

    def assert_not_called(self) -> None:
        assert self.calls == []


def assert_standard_headers(call: SentCall) -> None:
    assert call.headers["Authorization"] == EXPECTED_AUTHORIZATION
    assert call.headers["Accept"] == ACCEPT
    assert call.headers["User-Agent"].startswith("maileon-preference-center/")
    if call.body or call.method in ("PUT", "POST"):
        assert call.headers["Content-Type"] == ACCEPT  # on every PUT and POST, with or without a body
    else:
        assert "Content-Type" not in call.headers
    assert "ignore_checksum" not in call.query


@pytest.fixture
def maileon():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield MockMaileon(mock)


@pytest.fixture
def config() -> MaileonConfig:
    return MaileonConfig(base_url=BASE_URL, api_key=API_KEY, read_retries=2, max_retry_after=5.0)


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every pause the transport takes, recorded instead of slept; jitter pinned to its ceiling."""
    recorded: list[float] = []
    monkeypatch.setattr(Transport, "_sleep", lambda self, seconds: recorded.append(seconds))
    monkeypatch.setattr(backoff, "jitter", lambda ceiling: ceiling)
    return recorded


@pytest.fixture
def client(config, sleeps) -> MaileonClient:
    return MaileonClient(config)
