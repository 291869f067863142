"""The Django door: `/sandbox/maileon/1.0/<path>` answered by `api.handle` (for `make run` and `live_server`).

Mounted by the project's urls.py only in sandbox mode (DEBUG on, no API key); the view checks again at request
time, so a settings override can never expose it.
"""

from __future__ import annotations

import socket
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import api
from . import store as store_module


class DropNeedsRealServerError(RuntimeError):
    """A `drop` fault was hit where there is no socket to close (e.g. Django's test client)."""


@csrf_exempt
def maileon_api(request: HttpRequest, rest: str) -> HttpResponse:
    if not getattr(settings, "MAILEON_SANDBOX", False):
        raise Http404
    store = store_module.default_store
    answer = api.handle(
        request.method or "GET",
        "/" + rest,
        parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True),
        request.headers,
        request.body,
        store=store,
    )
    if answer.delay:
        store.faults.pause(answer.delay)
    if answer.drop:
        _close_connection(request)
        return HttpResponse(status=204)  # written into a closed socket: never reaches the client
    response = HttpResponse(answer.body, status=answer.status)
    del response["Content-Type"]  # only XML answers carry one, exactly Maileon's (no charset)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _close_connection(request: HttpRequest) -> None:
    """Close the client's connection without a byte of answer.

    WSGI gives an application no handle on its connection, so we dig the socket out of `wsgi.input`: Django's
    dev server (runserver, and LiveServerThread behind pytest-django's `live_server`) wraps the socket's file in
    a LimitedStream that keeps the file's bound `read`. After `shutdown`, writing the answer fails with a broken
    pipe, which wsgiref swallows for exactly this case (a client gone), and the server closes the connection.
    The alternative, a separate ThreadingHTTPServer, would need its own fixture and URL; this keeps one door.
    """
    stream = request.META.get("wsgi.input")
    buffered = getattr(getattr(stream, "_read", None), "__self__", None)
    sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    if not isinstance(sock, socket.socket):
        raise DropNeedsRealServerError("a dropped connection needs a real server (live_server or runserver)")
    sock.shutdown(socket.SHUT_RDWR)
