"""Floors for the bench: what Django itself costs on this server, without the app's work or Maileon's wait; and
`minimal`, issue 15's reference: the pages' Maileon read with none of the app around it."""

import base64
import threading
import time

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from lxml import etree

MAX_SLEEP_MS = 1000


@never_cache
def plain_template(request: HttpRequest) -> HttpResponse:
    """A small page rendered from a template: the floor for the pages' throughput (L = 0)."""
    return render(request, "bench/plain.html", {"items": ["Rezepte", "Reisen", "Technik", "Angebote"]})


@never_cache
def sleep(request: HttpRequest) -> HttpResponse:
    """Waits `ms` milliseconds like a Maileon call of latency L would, then answers: the floor at latency L."""
    milliseconds = min(float(request.GET.get("ms", "0")), MAX_SLEEP_MS)
    if milliseconds > 0:
        time.sleep(milliseconds / 1000)
    return HttpResponse("slept\n", content_type="text/plain")


_threads = threading.local()
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_READ_FIELDS = [("standard_field", name) for name in ("FIRSTNAME", "LASTNAME", "SALUTATION", "CHECKSUM")]


@never_cache
def minimal_read(request: HttpRequest) -> HttpResponse:
    """What issue 15 compared the pages with: a minimal Django view doing the same read (one requests Session
    per thread, lxml, one Django template), none of the app's checks. A reference for the pages' throughput,
    not a floor any real page could reach."""
    session = getattr(_threads, "session", None)
    if session is None:
        session = _threads.session = requests.Session()
        session.headers["User-Agent"] = "bench-minimal/1"  # the sandbox counts the app's connections apart
    params = [("id", request.GET["contactid"]), ("checksum", request.GET["checksum"]), *_READ_FIELDS]
    answer = session.get(settings.MAILEON_API_URL + "/contacts/contact", params=params, timeout=(3, 5),
                         headers={"Authorization": "Basic " + base64.b64encode(settings.MAILEON_API_KEY.encode()).decode()})
    root = etree.fromstring(answer.content, _PARSER)
    fields = {field.findtext("name"): field.findtext("value") or "" for field in root.iterfind("standard_fields/field")}
    if fields.pop("CHECKSUM", None) != request.GET["checksum"]:
        return HttpResponse("link invalid\n", status=404, content_type="text/plain")
    return render(request, "bench/minimal.html", {"fields": fields})
