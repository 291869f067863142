"""The `responses` door: route every request under a base URL to `api.handle`, in-process.

`responses` is a test dependency, so it is imported only when `activate` runs. Mocked requests never reach
urllib3, so there is no real timeout and no urllib3 retry here: a delay longer than the request's read
timeout raises `requests.ReadTimeout` at once, a drop raises `requests.ConnectionError`. For the real thing
use the Django view behind `live_server` (tests/conftest.py: `live_maileon`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

from . import api
from . import store as store_module
from .store import SandboxStore

if TYPE_CHECKING:
    import responses

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def activate(rsps: responses.RequestsMock, base_url: str, store: SandboxStore | None = None) -> None:
    """Register callbacks on `rsps` answering every method under `base_url` from the sandbox `store`
    (None: `store.default_store` at call time)."""
    base_url = base_url.rstrip("/")
    base_path = urlsplit(base_url).path
    url_pattern = re.compile(re.escape(base_url) + r"(?:[/?].*)?\Z")

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.url or "")
        # Decode exactly once, like a server; the query as a form. GUESS (strict): a bare `+` in the path reads
        # as a space, as Java's URLDecoder would read it, so an address sent without `%2B` misses its contact.
        # (The Django door cannot tell: wsgiref hands Django PATH_INFO already decoded.)
        path = unquote(url.path[len(base_path) :].replace("+", " ")) or "/"
        query = parse_qsl(url.query, keep_blank_values=True)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        current_store = store if store is not None else store_module.default_store
        answer = api.handle(request.method or "GET", path, query, dict(request.headers), body, store=current_store)
        if answer.delay:
            read_timeout = _read_timeout(request)
            if read_timeout is not None and answer.delay >= read_timeout:
                raise requests.ReadTimeout(f"sandbox delayed the answer by {answer.delay} s")
            current_store.faults.pause(answer.delay)
        if answer.drop:
            raise requests.ConnectionError("sandbox dropped the connection")
        return answer.status, answer.headers, answer.body

    for method in _METHODS:
        rsps.add_callback(method, url_pattern, callback=callback, content_type=None)


def _read_timeout(request: requests.PreparedRequest) -> float | None:
    timeout = getattr(request, "req_kwargs", {}).get("timeout")
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return None if timeout is None else float(timeout)
