"""Spotting requests that look automated (mail security scanners follow links and even press buttons).

Such requests are still honoured: an unsubscribe is never refused. They are flagged with the evidence so that
marketers can review them. Page forms carry a signed "served at" stamp in a hidden field: without cookies (the
pages must work in third-party iframes) that is the only way to know how long the recipient looked at the page.
"""

from __future__ import annotations

import re
import time

from django.core import signing
from django.http import HttpRequest

FAST_SUBMIT_SECONDS = 2.0
_SALT = "preference_center.automation.served"  # unchanged since the pages moved: stamps stay valid

# Substrings of user agents sent by link scanners and security gateways (case-insensitive).
SCANNER_USER_AGENTS = (
    "barracuda", "proofpoint", "mimecast", "safelinks", "microsoft office protection", "symantec", "messagelabs",
    "forcepoint", "trend micro", "fireeye", "sophos", "cisco ironport", "zscaler", "checkpoint", "paloalto",
    "python-requests", "curl/", "wget/", "go-http-client", "headlesschrome", "phantomjs", "bot", "spider",
    "crawler", "scanner", "preview",
)
_SCANNER_PATTERN = re.compile("|".join(re.escape(part) for part in SCANNER_USER_AGENTS), re.IGNORECASE)


def served_stamp() -> str:
    """A value for the form's hidden field, signed so a client cannot fake an earlier time."""
    return signing.TimestampSigner(salt=_SALT).sign("served")


def seconds_since_served(stamp: str) -> float | None:
    """Whole seconds since `served_stamp()` made the stamp (Django's signer keeps seconds); None if forged."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        if signer.unsign(stamp, max_age=None) != "served":
            return None
        timestamp = signing.b62_decode(stamp.split(signer.sep)[-2])  # value:timestamp:signature
    except (signing.BadSignature, IndexError, ValueError):
        return None
    return max(0.0, time.time() - timestamp)


def assess(request: HttpRequest, *, via_page: bool) -> tuple[bool, str]:
    """(suspected, evidence) for an unsubscribe POST. `via_page`: the unsubscribe form, whose served-at stamp and
    user agent tell; a mail provider's one-click POST (RFC 8058) is judged by its user agent alone."""
    user_agent = request.headers.get("User-Agent", "")
    reasons = []
    match = _SCANNER_PATTERN.search(user_agent)
    if not user_agent:
        # Browsers always send one; a mail provider's one-click POST (RFC 8058) may well not.
        if via_page:
            reasons.append("no user agent")
    elif match:
        reasons.append(f"user agent matches scanner pattern {match.group(0).lower()!r}")
    if via_page:
        stamp = request.POST.get("served")
        elapsed = seconds_since_served(stamp) if stamp else None
        if stamp is None:
            reasons.append("form posted without its served-at stamp")
        elif elapsed is None:
            reasons.append("form stamp invalid")
        elif elapsed < FAST_SUBMIT_SECONDS:
            reasons.append(f"form posted {elapsed:.1f} s after the page was served")
    return bool(reasons), "; ".join(reasons)[:300]
