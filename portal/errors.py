"""Domain errors raised by services; one exception handler turns them into pages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the portal refused the request. `message` is shown to the user as it is,
    so services raise it already translated (the request's language is known to gettext)."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The record does not exist, or this user may not see it: the same answer for both."""

    status_code = 404


class Throttled(DomainError):
    status_code = 429


class FormErrors(DomainError):
    """Several field errors at once, so the form can show each beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = errors
