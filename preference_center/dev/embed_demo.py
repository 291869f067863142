"""A customer's site embedding the recipient pages, for development: docs/embedding.md's snippet, live.

Mounted under /sandbox/embed-demo/ in sandbox mode only (urls.py). One server plays both parts on two
origins: a host page asked for on `localhost` embeds the pages from `127.0.0.1` on the same port, and the other
way round. To a browser those are different sites, so the iframe is cross-site and third-party cookie rules
bite exactly as on a corporate site. The host's origin must be in FRAME_ANCESTORS for the frame to show.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from .. import links
from .demo_configuration import DEMO_CONTACTS, DEMO_MAILING_ID
from .sandbox import store as sandbox_store

# The two hosts one machine answers to that a browser treats as different sites.
_OTHER_HOST = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}
EMBEDDABLE_PAGES = ("profile", "unsubscribe")


def pages_origin(request: HttpRequest) -> str:
    """The recipient pages' origin as seen from this host page: the same server under its other name."""
    hostname, _, port = request.get_host().partition(":")
    other = _OTHER_HOST.get(hostname)
    if other is None:
        raise Http404("The embedding demo runs on localhost or 127.0.0.1.")
    return f"{request.scheme}://{other}{':' + port if port else ''}"


def _own_base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{reverse('embed_demo')}".rstrip("/")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Host pages for the sandbox's demo contacts, with the links as a mailing would carry them."""
    contacts = []
    for contact_id, who, language in DEMO_CONTACTS:
        mailing = links.contact_links(
            _own_base(request), slug="", is_default=True, contact_id=contact_id,
            checksum=sandbox_store.checksum_for(contact_id), mailing_id=DEMO_MAILING_ID,
        )
        contacts.append({"who": who, "language": language, "links": mailing})
    return render(request, "embed_demo_index.html", {
        "contacts": contacts, "pages_origin": pages_origin(request),
    })


@require_safe
def host_page(request: HttpRequest, page: str) -> HttpResponse:
    """The customer's page around one recipient page; its mailing links point here."""
    if page not in EMBEDDABLE_PAGES:
        raise Http404(page)
    origin = pages_origin(request)
    response = render(request, "embed_demo.html", {
        "page_url": f"{origin}{reverse(page)}",
        "script_url": f"{origin}{static('embed.js')}",
        "page": page,
    })
    # The host's own CSP, as strict as ours: it names the pages' origin for the script and the frame.
    response._csp_update = {"script-src": [origin], "frame-src": [origin]}
    return response


urlpatterns = [
    path("", index, name="embed_demo"),
    path("<str:page>/", host_page, name="embed_demo_page"),
]
