"""Floors for the bench: what Django itself costs on this server, without the app's work or Maileon's wait."""

import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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
