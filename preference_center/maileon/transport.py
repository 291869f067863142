"""HTTP to Maileon: one pooled Session per thread, auth and media-type headers, timeouts, GET-only retries,
and status -> typed error for what every operation shares (auth, outage). Per-operation 4xx meaning is the
client's call, so other 4xx answers are returned to it as a Response.

Secrets: the key travels only in the Authorization header; the checksum (a query value) and the email (a path
segment) never appear in our messages or log lines. requests' exceptions name the URL, so their text is never
copied into ours (they are chained with `from`, which keeps the traceback honest).
"""

from __future__ import annotations

import base64
import email.utils
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlencode

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.cookies import RequestsCookieJar, merge_cookies
from requests.structures import CaseInsensitiveDict

from .. import redaction
from . import backoff, codec
from .errors import ProtocolError, RejectedError, UnavailableError
from .types import MEDIA_TYPE, MaileonConfig

logger = logging.getLogger(__name__)

CONTENT_TYPE = f"{MEDIA_TYPE}; charset=utf-8"
# XQueue's PHP client parses answers of these two media types only; we do the same.
XML_MEDIA_TYPES = frozenset({MEDIA_TYPE, "application/xml"})

RETRY_STATUSES = frozenset({429, 502, 503, 504})
AUTH_FAILURE_STATUSES = frozenset({401, 403})
# Read-timeouts surface as ConnectionError while a streamed body is read, so both are "no (whole) answer".
NO_ANSWER_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)

BACKOFF_BASE = 0.2  # seconds; first retry waits up to this, doubling per attempt
BACKOFF_CAP = 2.0
MAX_MESSAGE_CHARS = 300  # Maileon's own error text, as much as a log line needs


@dataclass(frozen=True)
class Response:
    """An answer we got: status, headers (case-insensitive), body (at most 1 MiB + 1 byte), and for a
    4xx/5xx Maileon's error message with our secrets masked."""

    status: int
    headers: Mapping[str, str] = field(default_factory=CaseInsensitiveDict)
    body: bytes = b""
    maileon_message: str = ""

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def is_xml(self) -> bool:
        return self.media_type in XML_MEDIA_TYPES


class _MaileonKeyAuth(AuthBase):
    """`Basic` + base64 of the raw key: Maileon's form, no `user:password` pair, no colon. An AuthBase (not a
    plain header) so requests never swaps in ~/.netrc credentials."""

    def __init__(self, api_key: str) -> None:
        self._header = "Basic " + base64.b64encode(api_key.encode("utf-8")).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "_MaileonKeyAuth('***')"


class Transport:
    def __init__(self, config: MaileonConfig) -> None:
        self.config = config
        self._base_url = config.base_url.rstrip("/")
        self._auth = _MaileonKeyAuth(config.api_key)
        self._checked_base = _checked_base_url(self._base_url)
        self._session_headers = dict(requests.utils.default_headers())  # what a Session adds to every call
        self._local = threading.local()
        # Every thread's session, so close_all() can end the pooled keep-alive connections of all of them.
        self._sessions: list[requests.Session] = []
        self._generation = 0
        self._lock = threading.Lock()
        # urllib3 logs every request line at DEBUG, query string (checksum) and email path segments included.
        redaction.install_on("urllib3.connectionpool")

    def __repr__(self) -> str:
        return f"Transport(base_url={self._base_url!r})"

    # --- sessions

    def _session(self) -> requests.Session:
        """requests does not promise a Session is thread-safe: one per thread, created on first use."""
        session = getattr(self._local, "session", None)
        if session is None or getattr(self._local, "generation", None) != self._generation:
            session = requests.Session()
            # No urllib3 retries: retrying is decided here, for GET only.
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            # requests reads the proxy and CA-bundle variables (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE) on
            # every call, walking the whole environment twice: about a tenth of a worker's CPU per delivered row.
            # The base URL is fixed, so read them once for it and keep them on the session.
            found = session.merge_environment_settings(self._base_url, {}, None, None, None)
            session.proxies.update(found["proxies"])
            session.verify = found["verify"]
            session.trust_env = False
            with self._lock:
                self._sessions.append(session)
                self._local.generation = self._generation
            self._local.session = session
        return session

    def close(self) -> None:
        """Close this thread's session (other threads keep theirs)."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None
            with self._lock:
                if session in self._sessions:
                    self._sessions.remove(session)

    def close_all(self) -> None:
        """Close every thread's session (at shutdown; a thread that calls again later gets a fresh one)."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
            self._generation += 1
        for session in sessions:
            session.close()

    # --- one call

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
        operation: str,
        media_type: str = CONTENT_TYPE,
        retry_unsent: bool = False,
    ) -> Response:
        """Send one call (retrying a GET within budget). Returns the Response for 2xx and for 4xx other than
        401/403/429; raises UnavailableError, RejectedError (auth) or ProtocolError (redirect) otherwise.

        `path` starts with "/" and has its variable segments already quoted by the caller. `media_type` is sent
        as Accept and (on PUT and POST) Content-Type: Maileon's XML unless the call speaks JSON. `retry_unsent`:
        a call that is no GET may still be tried again, within the same budget, when it never left this host
        (the connection was refused or not made in time): for a call that must never reach Maileon twice."""
        method = method.upper()
        retries_left = self.config.read_retries if method == "GET" else 0
        unsent_retries_left = self.config.read_retries if retry_unsent else 0
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(method, path, params, body, media_type)
            except NO_ANSWER_ERRORS as exc:
                error = UnavailableError(_describe(exc), operation=operation)
                self._log(operation, method, params, "no answer", attempt)
                delay = backoff.delay(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)
                may_retry = attempt <= retries_left or (attempt <= unsent_retries_left and never_sent(exc))
                if may_retry and self._within_budget(started, delay):
                    self._sleep(delay)
                    continue
                raise error from exc
            except requests.RequestException as exc:  # e.g. an invalid URL: no answer, and retrying won't help
                self._log(operation, method, params, "failed", attempt)
                raise UnavailableError(_describe(exc), operation=operation) from exc

            self._log(operation, method, params, response.status, attempt)
            if 200 <= response.status < 300:
                return response
            response = _with_message(response, params, self.config.api_key)
            if response.status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
                if retry_after is None:
                    delay = backoff.delay(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)
                else:
                    delay = retry_after
                retry_allowed = retry_after is None or retry_after <= self.config.max_retry_after
                if attempt <= retries_left and retry_allowed and self._within_budget(started, delay):
                    self._sleep(delay)
                    continue
                raise UnavailableError(
                    response.maileon_message, operation=operation, status=response.status, retry_after=retry_after
                )
            if response.status >= 500:
                # Only 502/503/504 are retried inline (a gateway in trouble); 500 is Maileon failing on this very
                # request, which callers retry later rather than in front of a waiting recipient.
                raise UnavailableError(response.maileon_message, operation=operation, status=response.status)
            if response.status in AUTH_FAILURE_STATUSES:
                raise RejectedError(response.maileon_message, operation=operation, status=response.status)
            if response.status < 400:
                # 3xx: Maileon does not redirect (and following one could carry the key elsewhere).
                raise ProtocolError("unexpected answer", operation=operation, status=response.status)
            return response

    def _send(
        self, method: str, path: str, params: Sequence[tuple[str, str]], body: bytes | None, media_type: str
    ) -> Response:
        headers = {**self._session_headers, "Accept": media_type, "User-Agent": self.config.user_agent}
        if body is not None or method in ("PUT", "POST"):
            # Both official clients send it on every PUT and POST, with or without a body (the add-reasons PUT
            # has none); a Maileon that reads the body's type from it must never have to guess.
            headers["Content-Type"] = media_type
        session = self._session()
        with session.send(
            self._prepare(session, method, path, params, body, headers),
            timeout=(self.config.connect_timeout, self.config.read_timeout),
            allow_redirects=False,
            stream=True,  # so an oversized body is cut off instead of read into memory
        ) as raw:
            content = _read_bounded(raw, codec.MAX_BODY_BYTES + 1)
            return Response(status=raw.status_code, headers=CaseInsensitiveDict(raw.headers), body=content)

    def _prepare(
        self, session: requests.Session, method: str, path: str, params: Sequence[tuple[str, str]],
        body: bytes | None, headers: dict[str, str],
    ) -> requests.PreparedRequest:
        """The request Session.request would build from these, built for a third of its CPU (bench/cost.py:
        0.43 -> 0.27 ms a call), most of it parsing and re-quoting the whole URL on every call: here the base URL
        was checked once (`_checked_base`) and the query is the same urlencode of the pairs requests makes
        (repeated names stay repeated, in order, None left out). A base URL requests would change or refuses
        takes requests' own way, so it is sent, or fails, as before."""
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        if self._checked_base is None:
            prepared.prepare_url(self._base_url + path, list(params))
        else:
            pairs = [(name, value) for name, value in params if value is not None]  # requests drops None too
            prepared.url = f"{self._checked_base}{path}?{urlencode(pairs)}" if pairs else self._checked_base + path
        prepared.prepare_headers(headers)
        prepared.prepare_cookies(merge_cookies(RequestsCookieJar(), session.cookies))  # a copy, as requests does
        prepared.prepare_body(body, None)
        prepared.prepare_auth(self._auth)
        return prepared

    # --- retry pacing (own methods so tests can pin them, as stripe-python does)

    def _within_budget(self, started: float, delay: float) -> bool:
        """Capped in age as well as attempts: a new attempt starts only while the time spent plus the pause
        stays within one call's worth of timeouts plus the longest Retry-After we accept, so a recipient's page
        never waits for a string of slow failures."""
        budget = self.config.connect_timeout + self.config.read_timeout + self.config.max_retry_after
        return self._clock() - started + delay <= budget

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _clock(self) -> float:
        return time.monotonic()

    def _now(self) -> datetime:
        return datetime.now(timezone.utc)

    # --- logging (operation, status and contact id only)

    @staticmethod
    def _log(operation: str, method: str, params: Sequence[tuple[str, str]], outcome: object, attempt: int) -> None:
        # A read answered at once is DEBUG: every page view makes one, the access log has the view already, and
        # the line cost a tenth of a millisecond per view. Writes, retries and failures stay INFO.
        routine = method == "GET" and attempt == 1 and isinstance(outcome, int) and 200 <= outcome < 300
        level = logging.DEBUG if routine else logging.INFO
        if not logger.isEnabledFor(level):
            return
        contact_id = next((value for name, value in params if name == "id"), "-")
        logger.log(level, "maileon %s %s contact_id=%s -> %s (attempt %d)", operation, method, contact_id, outcome,
                   attempt)


def never_sent(exc: requests.RequestException) -> bool:
    """Whether the request certainly never reached the server: no connection was made (refused, unreachable, or
    not made within the connect timeout). A connection that broke later may have carried the whole request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, unreachable, DNS) is a ConnectTimeoutError too; both mean "no socket".
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, urllib3.exceptions.ConnectTimeoutError)


def _checked_base_url(base_url: str) -> str | None:
    """The base URL as requests would send it, when it is one requests accepts and its path is plain (no
    query, nothing requests would re-quote); else None (each call then goes through requests' own parsing)."""
    probe = requests.PreparedRequest()
    try:
        probe.prepare_url(base_url, None)
    except requests.RequestException:
        return None
    return base_url if probe.url in (base_url, base_url + "/") and "?" not in base_url and "#" not in base_url else None


def _read_bounded(raw: requests.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in raw.iter_content(chunk_size=64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _describe(exc: requests.RequestException) -> str:
    """Our own words for a failure without an answer: the exception's text names the URL (and checksum)."""
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    return f"request failed ({type(exc).__name__})"


def _with_message(response: Response, params: Sequence[tuple[str, str]], api_key: str) -> Response:
    """Attach Maileon's error message, secrets masked."""
    checksums = [value for name, value in params if name == "checksum"]
    message = redaction.redact(codec.decode_error_message(response.body)[:MAX_MESSAGE_CHARS], [*checksums, api_key])
    return Response(status=response.status, headers=response.headers, body=response.body, maileon_message=message)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date. None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())
