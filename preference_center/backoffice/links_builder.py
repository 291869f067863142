"""The links and one-click headers a marketer pastes into Maileon mailings, ready before the page is first saved.

The server renders each link twice more as templates (for the default page, and for any other page with a slug
marker) in data attributes; static/preference_center/link_builder.js fills in the slug as it is typed and adds
the copy buttons. Without JavaScript the saved page's links show as rendered here, and a page not saved yet
shows none, as before: the link shapes stay in one place (links.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy as _

from .. import links
from ..models import PageConfig

SLUG_MARK = "{slug}"  # never part of a slug (letters, digits, hyphens, underscores) nor of a host name


@dataclass(frozen=True)
class LinkLine:
    """One line to copy: its element id, what it is called, its text now, and its two templates."""

    id: str
    label: str
    text: str
    default_page: str
    other_page: str

    @property
    def copy_label(self) -> str:
        """The button's name for a screen reader: the visible "Copy" first (WCAG 2.5.3), then what it copies."""
        return gettext("Copy: %(what)s") % {"what": self.label}

    @property
    def copied(self) -> str:
        return gettext("%(what)s copied to the clipboard.") % {"what": self.label}

    @property
    def selected(self) -> str:
        """Said when the browser would not let the script copy: the text is selected for the keyboard instead."""
        return gettext("%(what)s selected: press Ctrl+C (on a Mac Cmd+C) to copy it.") % {"what": self.label}


@dataclass(frozen=True)
class LinkBuilder:
    groups: list[tuple[str, list[LinkLine]]]  # (heading of the row, its lines)
    saved: bool  # the page exists: its links show without JavaScript
    https: bool


def _lines(*parts: tuple[str, str, str, links.MailingLinks, links.MailingLinks, links.MailingLinks | None]):
    return [LinkLine(id, str(label), getattr(now, name) if now else "", getattr(default, name), getattr(other, name))
            for id, label, name, default, other, now in parts]


def link_builder(request: HttpRequest, page: PageConfig | None) -> LinkBuilder:
    base_url = request.build_absolute_uri("/")
    saved = page is not None and page.pk is not None
    now = links.link_templates(base_url, slug=page.slug, is_default=page.is_default) if saved else None
    default = links.link_templates(base_url, slug="", is_default=True)
    other = links.link_templates(base_url, slug=SLUG_MARK, is_default=False)
    shapes = (default, other, now)
    groups = [
        (_("Profile link"), _lines(("link-profile", _("Profile link"), "profile", *shapes))),
        (_("Unsubscribe link"), _lines(("link-unsubscribe", _("Unsubscribe link"), "unsubscribe", *shapes))),
        (_("Mail headers (one-click unsubscribe, RFC 8058)"), _lines(
            ("header-list-unsubscribe", _("List-Unsubscribe header"), "list_unsubscribe_header", *shapes),
            ("header-list-unsubscribe-post", _("List-Unsubscribe-Post header"), "list_unsubscribe_post_header",
             *shapes),
        )),
    ]
    return LinkBuilder(groups=groups, saved=saved, https=base_url.startswith("https://"))
