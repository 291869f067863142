"""Typed errors: callers decide by type, never by status number. Nothing else escapes the client."""

from __future__ import annotations


class MaileonError(Exception):
    """Base class. `operation` names the client method; `status` is the HTTP status when there was one;
    `message` is Maileon's own text (for logs and marketers, never shown to recipients)."""

    def __init__(self, message: str = "", *, operation: str = "", status: int | None = None) -> None:
        super().__init__(message or self.__class__.__name__)
        self.message = message
        self.operation = operation
        self.status = status

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        code = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{where}{code}{self.message or self.__class__.__name__}"


class InvalidLinkError(MaileonError):
    """Unknown contact id or a checksum Maileon refused: the link is invalid or expired."""


class RejectedError(MaileonError):
    """Maileon refused the request (a 4xx that is not about the link): our request or key is wrong.

    `field_errors` maps a field name to Maileon's message where the answer was a `<report>` (e.g. duplicate email).
    """

    def __init__(self, message: str = "", *, field_errors: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = dict(field_errors or {})

    @property
    def is_auth_failure(self) -> bool:
        return self.status in (401, 403)


class UnavailableError(MaileonError):
    """Timeouts, refused or dropped connections, 5xx, 429. Worth retrying later, after `retry_after` seconds if set."""

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProtocolError(MaileonError):
    """A 2xx whose body we could not understand (or refused to parse)."""
