"""What a recipient's POST did, carried to the page that confirms it (post/redirect/get) without cookies.

A successful POST answers 303 to a GET page whose URL holds the link and a short token: signed, so nobody can
make the page claim what did not happen; bound to the contact, so it cannot be moved to another link; and
expiring, so an old browser tab shows "no longer available" instead of a stale claim. Reload and Back then
repeat a GET: nothing is sent twice, and browsers ask no "send the form again?".
"""

from __future__ import annotations

from django.core import signing

from ..links import ContactLink

SALT = "preference_center.pages.confirmation"
MAX_AGE_SECONDS = 24 * 3600  # long enough to come back to a tab, short enough not to outlive the news


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
