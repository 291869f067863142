"""What a page costs on the wire: the requests since the last main-frame navigation and their sizes."""

from __future__ import annotations

from urllib.parse import urlsplit

KB = 1024
MAX_TRANSFERRED = 30 * KB
MAX_REQUESTS = 4


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class NetworkLog:
    """Records every request of a page; a main-frame navigation starts a new page, so the log holds one page."""

    def __init__(self, page) -> None:
        self.requests = []
        page.on("request", self._record)

    def _record(self, request) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.requests = []
        self.requests.append(request)

    @property
    def document_origin(self) -> str:
        return origin(self.requests[0].url)

    def transferred(self) -> int:
        """Response bytes on the wire, headers and (encoded) bodies, as Chromium counted them (DevTools'
        "transferred")."""
        total = 0
        for request in self.requests:
            sizes = request.sizes()
            total += sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
        return total

    def foreign(self) -> list[str]:
        return [request.url for request in self.requests if origin(request.url) != self.document_origin]

    def summary(self) -> str:
        return ", ".join(f"{request.method} {urlsplit(request.url).path}" for request in self.requests)

    def assert_within_budget(self) -> int:
        """The page's budget: <= 30 KB transferred, <= 4 requests, nothing from another origin. Returns bytes."""
        assert self.requests, "no page was loaded"
        assert not self.foreign(), f"requests to other origins: {self.foreign()}"
        assert len(self.requests) <= MAX_REQUESTS, f"{len(self.requests)} requests: {self.summary()}"
        transferred = self.transferred()
        assert transferred <= MAX_TRANSFERRED, f"{transferred} bytes transferred: {self.summary()}"
        return transferred
