"""Keep secrets out of log output: checksums, email addresses and the Maileon API key.

`RedactSecrets` sits on the root log handler (settings.LOGGING), so it sees Django's request and server
logs, urllib3's debug log (full URLs, query strings included) and ours. `redact()` is the same rewrite for
code that keeps a text elsewhere, e.g. an exception message stored on a row.

Redaction errs on the side of too much: a word that merely looks like an address or a checksum parameter
is masked too, since a log line with a hole is cheaper than a leaked secret.
"""

import base64
import logging
import re
from urllib.parse import quote

from django.conf import settings

REDACTED = "[redacted]"

# A percent sign, itself percent-encoded any number of times: a URL inside a query value is encoded again.
_PERCENT = r"%(?:25)*"

# `checksum=…` in a query string (`=` and `&` possibly encoded: `checksum%3D…%26`) or in a mapping's repr
# (`'checksum': 'abc'`, `<QueryDict: {'checksum': ['abc']}>`); the parameter name in any case.
_CHECKSUM = re.compile(
    rf"(?P<key>checksum['\"]?\s*(?:=|:|{_PERCENT}3d)\s*[\[(]?\s*['\"]?)"
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


def redact(text: str) -> str:
    """`text` without checksum values, email addresses, Authorization credentials or the API key."""
    for secret in _api_key_forms():
        text = text.replace(secret, REDACTED)
    text = _AUTHORIZATION.sub(rf"\g<key>{REDACTED}", text)
    text = _CHECKSUM.sub(rf"\g<key>{REDACTED}", text)
    return _EMAIL.sub(REDACTED, text)


def _api_key_forms() -> list[str]:
    """The configured key as it may appear: raw, URL-quoted, and base64 as in Maileon's Basic header
    (with a trailing colon too, the `HTTPBasicAuth(key, "")` form)."""
    if not settings.configured or getattr(settings, "MAILEON_SANDBOX", False):
        return []  # no key, or the sandbox's public key "sandbox": nothing to hide, and a common word
    key = getattr(settings, "MAILEON_API_KEY", "")
    if not key:
        return []
    encoded = [base64.b64encode(raw.encode()).decode("ascii") for raw in (key, key + ":")]
    # Longest first, so a form containing another is replaced whole.
    return sorted({key, quote(key, safe=""), *encoded}, key=len, reverse=True)


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
