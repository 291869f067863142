"""What a recipient's POST did, carried to the page that confirms it (post/redirect/get) without cookies.

A successful POST answers 303 to a GET page whose URL holds the link and a short token: signed, so nobody can
make the page claim what did not happen; bound to the contact, so it cannot be moved to another link; and
expiring, so an old browser tab shows "no longer available" instead of a stale claim. Reload and Back then
repeat a GET: nothing is sent twice, and browsers ask no "send the form again?".

Facts the URL must not show, such as the address "unsubscribed by mistake" needs, are `sealed()`: encrypted,
and valid for minutes.
"""

from __future__ import annotations

import json
from base64 import urlsafe_b64encode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes

from ..links import ContactLink

SALT = "preference_center.pages.confirmation"
MAX_AGE_SECONDS = 24 * 3600  # long enough to come back to a tab, short enough not to outlive the news
SEALED_SALT = "preference_center.pages.confirmation.sealed"


class ConfirmationExpiredError(Exception):
    """The confirmation's token is forged, altered, for another contact, or too old (errors.py: 404 page)."""


def token(kind: str, link: ContactLink, **facts) -> str:
    return signing.dumps({"kind": kind, "contact": link.contact_id, **facts}, salt=SALT, compress=True)


def read(value: str | None, kind: str, link: ContactLink, *, required: bool = True) -> dict:
    """The facts of a confirmation `token()` made for this kind of page and this contact. `required` False: none
    (or a bad one) is no error, just no facts (a form posted from a confirmation carries it only as a courtesy)."""
    if not required:
        try:
            return read(value, kind, link)
        except ConfirmationExpiredError:
            return {}
    try:
        facts = signing.loads(value or "", salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as error:  # SignatureExpired included
        raise ConfirmationExpiredError(kind) from error
    if not isinstance(facts, dict) or facts.get("kind") != kind or facts.get("contact") != link.contact_id:
        raise ConfirmationExpiredError(kind)
    return facts


# --- sealed: facts the URL must not show (an email address), encrypted, for minutes rather than a day


def sealed(kind: str, link: ContactLink, **facts) -> str:
    """Like token(), but encrypted (Fernet: AES-CBC + HMAC-SHA256 with a timestamp): the URL, the browser's
    history and any access log hold ciphertext only. Nothing is stored on our side."""
    payload = json.dumps({"kind": kind, "contact": link.contact_id, **facts}, separators=(",", ":"))
    return _fernet().encrypt(payload.encode()).decode()


def unsealed(value: str | None, kind: str, link: ContactLink, *, max_age: int) -> dict:
    """The facts of a sealed() value for this kind and contact, at most `max_age` seconds old; else
    ConfirmationExpiredError."""
    try:
        facts = json.loads(_fernet().decrypt((value or "").encode(), ttl=max_age))
    except (InvalidToken, ValueError) as error:
        raise ConfirmationExpiredError(kind) from error
    if not isinstance(facts, dict) or facts.get("kind") != kind or facts.get("contact") != link.contact_id:
        raise ConfirmationExpiredError(kind)
    return facts


def _fernet() -> MultiFernet:
    # One key per SECRET_KEY (and each of SECRET_KEY_FALLBACKS, so a key rotation does not void a button shown a
    # minute ago), derived for this purpose only: the raw SECRET_KEY is never a cipher key.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([
        Fernet(urlsafe_b64encode(salted_hmac(SEALED_SALT, "fernet", secret=force_bytes(secret),
                                             algorithm="sha256").digest()))
        for secret in secrets
    ])
