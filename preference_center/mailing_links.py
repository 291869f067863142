"""The links marketers paste into a Maileon mailing, and the demo links built the same way.

Paths follow the outside contract (/work/shared/contract.md): the default page answers /profile/ and
/unsubscribe/, every other page puts /p/<slug>/ first. Query names are Maileon's own (`contactid`, `checksum`,
`mailingid`). In a mailing the values are Maileon's placeholders, substituted at send time; Maileon's article
on custom unsubscribe links uses them unencoded and in single brackets, so they stay literal here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

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


def _contact_query(contact_id: int, checksum: str, mailing_id: int | None) -> str:
    pairs = [("contactid", str(contact_id)), ("checksum", checksum)]
    if mailing_id is not None:
        pairs.append(("mailingid", str(mailing_id)))
    return urlencode(pairs)


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
    return _links(
        base_url, page_prefix(slug=slug, is_default=is_default), _contact_query(contact_id, checksum, mailing_id)
    )
