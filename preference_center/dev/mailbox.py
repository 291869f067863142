"""The mails the sandbox pretends to have sent, for a person trying the pages: `make run`, then "send me a new
link" on a broken link, then this page shows the mail with its personal link, ready to click.

Mounted under /sandbox/mails/ in sandbox mode only (urls.py). Reads the embedded sandbox's store (the Django
door's, the one `make run` talks to); newest first. No address is shown: the sandbox keeps none with its mails.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .sandbox import store as sandbox_store

SHOWN = 20


@never_cache
@require_safe
def mailbox(request: HttpRequest) -> HttpResponse:
    store = sandbox_store.default_store  # looked up now: tests swap it
    with store.lock:
        mails = list(reversed(store.transaction_mails[-SHOWN:]))
    return render(request, "sandbox_mails.html", {
        "mails": [{"mail": mail, "url": request.build_absolute_uri(mail.link) if mail.link else ""}
                  for mail in mails],
    })


urlpatterns = [path("", mailbox, name="sandbox_mails")]
