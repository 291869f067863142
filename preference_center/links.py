"""The recipient's link, both ways: read from a request (contact id, checksum, and optionally mailing id and
language), and built for a mailing (with Maileon's placeholders), a demo contact, or a language switcher.

Reading checks the shape only: whether Maileon knows the id and accepts the checksum is decided by a read.
Anything that cannot be a Maileon id or checksum is refused here, so it is never forwarded (maileon-api.md §5.1).
Paths follow the outside contract: the default page answers /profile/ and /unsubscribe/, every other page puts
/p/<slug>/ first. Query names are Maileon's own (`contactid`, `checksum`, `mailingid`); in a mailing the values
are Maileon's placeholders, substituted at send time, unencoded and in single brackets as in Maileon's article on
custom unsubscribe links. Wire spellings (`contactid`, `mailingId`) live here and in `maileon/` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.http import HttpRequest

from . import languages


# Ids fit a signed 64-bit column with room to spare; 18 digits also stops int() work on absurd input.
_ID = re.compile(r"[0-9]{1,18}")
# Maileon's checksum is opaque ("letters, digits and -", maileon-api.md §4); we also allow the characters of
# URL-safe and standard base64 and '.', '~'. Anything else (spaces, quotes, brackets of an unsubstituted
# placeholder like [CONTACT|CHECKSUM]) cannot be a checksum.
_CHECKSUM = re.compile(r"[A-Za-z0-9_\-.~=+/]{1,200}")


class MalformedLinkError(Exception):
    """The link cannot be a Maileon link (missing, non-numeric or overlong id; missing or odd checksum).

    `reason` says what was wrong for logs; it never contains the checksum.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ContactLink:
    contact_id: int
    checksum: str
    mailing_id: int | None = None
    language: str | None = None

    def __repr__(self) -> str:  # the checksum must never reach a log or a traceback
        return f"ContactLink(contact_id={self.contact_id}, checksum='***', mailing_id={self.mailing_id})"

    @cached_property
    def query(self) -> str:
        """contactid, checksum and mailingid, encoded once per request: a page links to itself in every language
        and to its other pages (query_string adds the language)."""
        params: list[tuple[str, str | int]] = [("contactid", self.contact_id), ("checksum", self.checksum)]
        if self.mailing_id is not None:
            params.append(("mailingid", self.mailing_id))
        return urlencode(params)


def _single(request: HttpRequest, *names: str) -> str | None:
    """The one value given under any of `names`; two different values are ambiguous, so malformed."""
    values = {value for name in names for value in request.GET.getlist(name)}
    if len(values) > 1:
        raise MalformedLinkError(f"conflicting values for {'/'.join(names)}")
    return values.pop() if values else None


def _positive_id(text: str | None) -> int | None:
    if text is None or not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number > 0 else None


def parse(request: HttpRequest) -> ContactLink:
    """The link in the query string (also on POST: forms post back to the URL they came from)."""
    raw_id = _single(request, "contactid", "id")
    if raw_id is None:
        raise MalformedLinkError("contact id missing")
    contact_id = _positive_id(raw_id)
    if contact_id is None:
        raise MalformedLinkError("contact id not a positive number of at most 18 digits")

    checksum = _single(request, "checksum")
    if not checksum:
        raise MalformedLinkError("checksum missing or empty")
    if not _CHECKSUM.fullmatch(checksum):
        raise MalformedLinkError("checksum overlong or with characters a checksum never has")

    # A malformed mailing id (an unsubstituted [MAILING|ID] in a test send, say) is dropped, never an
    # error: the recipient's action still happens, only without crediting a mailing.
    try:
        mailing_id = _positive_id(_single(request, "mailingid", "mailingId"))
    except MalformedLinkError:
        mailing_id = None

    return ContactLink(contact_id=contact_id, checksum=checksum, mailing_id=mailing_id,
                       language=requested_language(request))


def requested_language(request: HttpRequest) -> str | None:
    """`lang` from the query when it names an enabled language; works on malformed links too."""
    return languages.offered(request.GET.get("lang"))


def query_string(link: ContactLink, lang: str | None = None) -> str:
    """The link's query in Maileon's spelling, e.g. for the language switcher or a form's action."""
    language = languages.offered(lang or link.language)
    # A language code is letters and a hyphen at most (languages.CODES): nothing to encode.
    return f"{link.query}&lang={language}" if language else link.query


# --- links for mailings and demo contacts

CONTACT_ID_PLACEHOLDER = "[CONTACT|ID]"
CHECKSUM_PLACEHOLDER = "[CONTACT|CHECKSUM]"
MAILING_ID_PLACEHOLDER = "[MAILING|ID]"

ONE_CLICK_POST_HEADER = "List-Unsubscribe-Post: List-Unsubscribe=One-Click"


def page_prefix(*, slug: str, is_default: bool) -> str:
    """'' for the default page, '/p/<slug>' for any other."""
    return "" if is_default else f"/p/{slug}"


def _link(base_url: str, path: str, query: str) -> str:
    return f"{base_url.rstrip('/')}{path}?{query}"


def _placeholder_query() -> str:
    # Built by hand, not urlencode(): Maileon must find its placeholders verbatim in the link.
    return f"contactid={CONTACT_ID_PLACEHOLDER}&checksum={CHECKSUM_PLACEHOLDER}&mailingid={MAILING_ID_PLACEHOLDER}"


@dataclass(frozen=True)
class MailingLinks:
    """Everything a marketer pastes for one page configuration: two links and the two RFC 8058 headers."""

    profile: str
    unsubscribe: str
    one_click: str

    @property
    def list_unsubscribe_header(self) -> str:
        return f"List-Unsubscribe: <{self.one_click}>"

    @property
    def list_unsubscribe_post_header(self) -> str:
        return ONE_CLICK_POST_HEADER


def _links(base_url: str, prefix: str, query: str) -> MailingLinks:
    return MailingLinks(
        profile=_link(base_url, f"{prefix}/profile/", query),
        unsubscribe=_link(base_url, f"{prefix}/unsubscribe/", query),
        one_click=_link(base_url, f"{prefix}/unsubscribe/one-click/", query),
    )


def link_templates(base_url: str, *, slug: str, is_default: bool) -> MailingLinks:
    """The links with Maileon's placeholders, for a mailing."""
    return _links(base_url, page_prefix(slug=slug, is_default=is_default), _placeholder_query())


def contact_links(
    base_url: str, *, slug: str, is_default: bool, contact_id: int, checksum: str, mailing_id: int | None = None
) -> MailingLinks:
    """The links as one contact receives them (demo and tests)."""
    query = query_string(ContactLink(contact_id=contact_id, checksum=checksum, mailing_id=mailing_id))
    return _links(base_url, page_prefix(slug=slug, is_default=is_default), query)
