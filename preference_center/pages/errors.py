"""The one mapping from a typed error to the page a recipient sees (architecture.md, "Errors").

Every recipient view wears `recipient_errors`. Recipients never see Maileon's text; logs carry the operation,
status, contact and mailing id, never an address, checksum or key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation

from . import language as languages
from . import page_cache, throttle
from ..links import MalformedLinkError
from ..maileon import InvalidLinkError, MaileonError, ProtocolError, RejectedError, UnavailableError
from ..models import PageConfig
from .confirmations import ConfirmationExpiredError
from .page_cache import UnknownPageError
from .forms import NewLinkForm
from .rendering import page_url, render_page
from .security import ForbiddenOriginError
from ..services import new_link
from ..services.unsubscribe import RecordingFailedError

logger = logging.getLogger(__name__)

# How soon to try again after the database did not take an unsubscribe: a crowd has passed by then.
RECORDING_RETRY_AFTER_SECONDS = 30
ONE_CLICK_URL_NAMES = frozenset({"unsubscribe_one_click", "page_unsubscribe_one_click"})


class ThrottledError(Exception):
    """This contact id or client address failed too many links lately (throttle.py), or (`new_link`) this client
    address asked for too many new links; Maileon is not asked."""

    def __init__(self, retry_after: int, *, new_link: bool = False) -> None:
        super().__init__(f"throttled for {retry_after} s")
        self.retry_after = retry_after
        self.new_link = new_link


def page_for_error(kwargs: dict) -> PageConfig:
    """The page to dress the error in: the slug's when it exists, else the default. From the page cache: the view
    has usually just loaded it, and the database may be what failed."""
    slug = kwargs.get("slug")
    if slug:
        try:
            return page_cache.get(slug)
        except UnknownPageError:
            pass
    return page_cache.get(None)


def _log_context(request: HttpRequest) -> str:
    # Only the numeric ids: never the checksum, never an address.
    ids = []
    for name in ("contactid", "id", "mailingid", "mailingId"):
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit() and len(value) <= 18:
            ids.append(f"{name}={value}")
    return " ".join(ids) or "no ids"


# Maileon's Retry-After may say hours; a recipient is told at most this (seconds) and may simply try again.
MAX_RECIPIENT_WAIT = 300


def recipient_wait(retry_after: float | None) -> int | None:
    """Seconds a recipient is asked to wait: Maileon's Retry-After, at least 1 s, at most MAX_RECIPIENT_WAIT."""
    if not retry_after:
        return None
    return min(MAX_RECIPIENT_WAIT, max(1, round(retry_after)))


def _resubmission(request: HttpRequest) -> list[tuple[str, str]]:
    """What the recipient submitted, so the 503 page can post it again unchanged."""
    if request.method != "POST":
        return []
    return [(name, value) for name, values in request.POST.lists() for value in values]


def _retry_context(request: HttpRequest) -> dict:
    """A "try again" that repeats the request: a POST is posted again with what was submitted, unchanged."""
    return {
        "retry": True,
        "retry_method": "post" if request.method == "POST" else "get",
        "retry_url": request.get_full_path(),
        "resubmission": _resubmission(request),
    }


def _is_one_click(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in ONE_CLICK_URL_NAMES


def render_recording_failed(request: HttpRequest, error: RecordingFailedError, kwargs: dict) -> HttpResponse:
    """Nothing was recorded: the recipient (or the mail provider, RFC 8058) must try again, so 503 with
    Retry-After. A mail provider reads a status and a line of text, a person a page that posts the same form."""
    logger.error("unsubscribe not recorded (%s): %s", _log_context(request), error)
    if _is_one_click(request):
        response = HttpResponse("not recorded, please retry later\n", status=503, content_type="text/plain")
    else:
        page = page_for_error(kwargs)
        language = getattr(request, "recipient_language", None) or languages.choose(
            request, default=page.default_language
        )
        response = render_page(request, "recording_failed.html", _retry_context(request), page=page,
                               language=language, status=503)
    response["Retry-After"] = str(RECORDING_RETRY_AFTER_SECONDS)
    return response


def log_unavailable(request: HttpRequest, error: UnavailableError) -> None:
    logger.warning("Maileon unavailable in %s, status %s (%s)", error.operation, error.status, _log_context(request))


def render_error(request: HttpRequest, error: Exception, kwargs: dict) -> HttpResponse:
    if isinstance(error, RecordingFailedError):
        return render_recording_failed(request, error, kwargs)
    page = page_for_error(kwargs)
    language = getattr(request, "recipient_language", None) or languages.choose(
        request, default=page.default_language
    )

    def render(template: str, status: int, context: dict | None = None) -> HttpResponse:
        return render_page(request, template, context or {}, page=page, language=language, status=status)

    if isinstance(error, (MalformedLinkError, InvalidLinkError)):
        throttle.record_failure(request)  # so ids and checksums cannot be enumerated
    if isinstance(error, ThrottledError):
        response = render("too_many_attempts.html", 429, {
            "new_link": error.new_link, "retry_minutes": -(-error.retry_after // 60),
        })
        response["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, MalformedLinkError):
        logger.info("malformed recipient link (%s): %s", _log_context(request), error.reason)
        return render("link_invalid.html", 400, new_link_context(page, language))
    if isinstance(error, InvalidLinkError):
        logger.info("Maileon refused the link (%s) in %s", _log_context(request), error.operation)
        return render("link_invalid.html", 404, new_link_context(page, language))
    if isinstance(error, UnknownPageError):
        return render("not_found.html", 404)
    if isinstance(error, ConfirmationExpiredError):
        logger.info("confirmation expired or altered (%s)", _log_context(request))
        return render("confirmation_expired.html", 404)
    if isinstance(error, ForbiddenOriginError):
        logger.warning("recipient POST refused (%s): %s", _log_context(request), error)
        return render("forbidden.html", 403)
    if isinstance(error, UnavailableError):
        log_unavailable(request, error)
        wait = recipient_wait(error.retry_after)
        response = render("maileon_error.html", 503, {
            **_retry_context(request), "retry_minutes": -(-wait // 60) if wait else None,
        })
        if wait:
            response["Retry-After"] = str(wait)
        return response
    # RejectedError, ProtocolError: our request, key or Maileon's answer is wrong; a person must look.
    logger.error("Maileon %s in %s, status %s (%s)", type(error).__name__, error.operation, error.status,
                 _log_context(request))
    return render("maileon_error.html", 502, {"retry": False})


def new_link_context(page: PageConfig, language: str, form: NewLinkForm | None = None) -> dict:
    """"Send me a new link" where the page offers it (a transaction type is set): the form and where it posts. The
    broken link's query stays behind: the form needs none of it, and its checksum should travel no further."""
    if not new_link.offered(page):
        return {}
    if form is None:
        with translation.override(language):
            form = NewLinkForm()
    return {"new_link_form": form, "new_link_action": f"{page_url('new_link', page)}?{urlencode({'lang': language})}"}


HANDLED = (MalformedLinkError, InvalidLinkError, UnavailableError, RejectedError, ProtocolError, MaileonError,
           UnknownPageError, ForbiddenOriginError, ThrottledError, RecordingFailedError, ConfirmationExpiredError)


OVERSIZED = (RequestDataTooBig, TooManyFieldsSent)


def render_oversized(request: HttpRequest, error: Exception, kwargs: dict) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (413) or more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (400).

    Django would answer its bare, English 400 page. The query or body that could not be read is dropped first,
    since every later access would raise again; the page then speaks the browser's language.
    """
    request.GET = QueryDict()
    request.POST = QueryDict()
    logger.info("recipient request refused: %s", type(error).__name__)
    page = page_for_error(kwargs)
    language = languages.choose(request, default=page.default_language)
    status = 413 if isinstance(error, RequestDataTooBig) else 400
    return render_page(request, "request_too_large.html", {}, page=page, language=language, status=status)


def _refuse_oversized_body(request: HttpRequest) -> None:
    """Recipient forms take no files, so DATA_UPLOAD_MAX_MEMORY_SIZE bounds the whole body: Django's own limit
    leaves out file parts, which a multipart body could use to push megabytes into a temporary file."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return  # Django reads such a body as empty
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        raise RequestDataTooBig("request body larger than DATA_UPLOAD_MAX_MEMORY_SIZE")


def recipient_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def handled(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            # Query and body are parsed (and their size limits applied) before anything is asked of Maileon.
            request.GET  # noqa: B018
            _refuse_oversized_body(request)
            if request.method == "POST":
                request.POST  # noqa: B018
            return view(request, *args, **kwargs)
        except OVERSIZED as error:
            return render_oversized(request, error, kwargs)
        except HANDLED as error:
            return render_error(request, error, kwargs)

    return handled
