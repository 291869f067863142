"""Django's session, sign-in and message middleware, at work on the admin's paths only.

Recipient pages keep no session, know no user and show no admin message, yet Django runs every entry of
settings.MIDDLEWARE for every request: each of these made a session store, a lazy user and a message store per
page view and looked at them again on the way out. Subclasses (Django's admin checks look for them, admin.E408
to E410) that pass every other path straight on. Measured with bench/cost.py: about 0.3 ms of app CPU less per
recipient page view.
"""

from __future__ import annotations

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

ADMIN_PATH = "/admin/"  # where urls.py mounts the admin (a test checks they agree)


def is_admin_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(ADMIN_PATH)


class _AdminPathsOnly:
    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_admin_path(request):
            return super().__call__(request)  # type: ignore[misc] - the Django middleware mixed in
        return self.get_response(request)  # type: ignore[attr-defined]


class AdminSessionMiddleware(_AdminPathsOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(_AdminPathsOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_AdminPathsOnly, MessageMiddleware):
    pass
