"""Keep secrets out of what we log or keep: checksums, email addresses, credentials and the Maileon API key.

The one set of patterns for the whole app: Django's and gunicorn's log handlers wear `RedactSecrets`
(settings.LOGGING, gunicorn.conf.py), the Maileon client puts it on urllib3's logger (which prints full URLs at
DEBUG) and masks Maileon's error texts with `redact()`, and services mask addresses recipients type into free
text with `mask_email_addresses()`. No Django here, since the client uses it; the app tells it where the API key
is (`add_secret_source`, from apps.py), so a changed setting is honoured at once.

Redaction errs on the side of too much: a word that merely looks like an address or a checksum parameter is
masked too, since a log line with a hole is cheaper than a leaked secret.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable

REDACTED = "[redacted]"

# A percent sign, itself percent-encoded any number of times: a URL inside a query value is encoded again.
_PERCENT = r"%(?:25)*"


def _any_spelling(word: str) -> str:
    """`word` in any case with any of its letters percent-encoded (`check%73um`, `%43HECKSUM`), as a browser, a
    proxy or an attacker may write a parameter name that the server still decodes to the same name."""
    return "".join(rf"(?:{re.escape(ch)}|{_PERCENT}(?:{ord(ch.lower()):02x}|{ord(ch.upper()):02x}))" for ch in word)


# `checksum=…` in a query string (`=` and `&` possibly encoded: `checksum%3D…%26`) or in a mapping's repr
# (`'checksum': 'abc'`, `<QueryDict: {'checksum': ['abc']}>`).
_CHECKSUM = re.compile(
    rf"(?P<key>{_any_spelling('checksum')}['\"]?\s*(?:=|:|{_PERCENT}3d)\s*[\[(]?\s*['\"]?)"
    rf"(?P<value>(?:(?!{_PERCENT}26)[^\s&#'\"<>\[\](),;])+)",
    re.IGNORECASE,
)

# An address with `@` plain or percent-encoded (`%40`, `%2540`): email path segments are `quote(email)`.
# The local part leaves out `/ = & ? '` so URL paths, queries and quotes around an address stay readable.
_EMAIL = re.compile(rf"[\w.!#$%*+^`{{|}}~-]+(?:@|{_PERCENT}40)[\w-]+(?:\.[\w-]+)+")

# The credential of an Authorization header, as a header line, a mapping's repr or a WSGI environ key.
_AUTHORIZATION = re.compile(
    r"(?P<key>authorization['\"]?\s*[:=]\s*['\"]?\s*(?:(?:basic|bearer|token)\s+)?)(?P<value>[^\s'\",;}]+)",
    re.IGNORECASE,
)

_secret_sources: list[Callable[[], Iterable[str]]] = []
_sources_lock = threading.Lock()


def add_secret_source(source: Callable[[], Iterable[str]]) -> None:
    """Register a callable that names secrets to mask (each form they may take), asked on every redaction."""
    with _sources_lock:
        if source not in _secret_sources:
            _secret_sources.append(source)


def _known_secrets(extra: Iterable[str]) -> list[str]:
    secrets = {secret for source in list(_secret_sources) for secret in source() if secret}
    secrets.update(secret for secret in extra if secret)
    return sorted(secrets, key=len, reverse=True)  # longest first: a form containing another is masked whole


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without checksum values, email addresses, Authorization credentials, the registered secrets (the
    API key) or `secrets` (e.g. the checksum just sent, which Maileon may echo), each as a whole token."""
    for secret in _known_secrets(secrets):
        # Whole tokens only, so a short secret cannot mangle ordinary words around it.
        text = re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", REDACTED, text)
    text = _AUTHORIZATION.sub(rf"\g<key>{REDACTED}", text)
    text = _CHECKSUM.sub(rf"\g<key>{REDACTED}", text)
    return _EMAIL.sub(REDACTED, text)


def mask_email_addresses(text: str) -> str:
    """Text a recipient typed (a free-text reason), with any address in it masked: we keep and forward none."""
    return _EMAIL.sub("***", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record in place: its message is formatted once and redacted, and a traceback is
    formatted and redacted into `exc_text`. Every handler after this one sees only the redacted record."""

    _traceback_formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # Arguments that don't fit the format: logging would print both raw in its error report.
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(str(message)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._traceback_formatter.formatException(record.exc_info)
        # Formatters use exc_text when exc_info is gone, so none can re-render the unredacted traceback.
        record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_installed_lock = threading.Lock()


def install_on(logger_name: str) -> None:
    """Put the filter on a library's own logger (once), for records that never reach our handlers' filters."""
    with _installed_lock:
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
