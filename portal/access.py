"""Who may reach what: role guards for routes and a 404 helper for records."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter

from portal.core.roles import Role
from portal.errors import NotFound
from portal.i18n import gettext as _

T = TypeVar("T")

# The largest id a record can have (PostgreSQL's integer). A larger number in a path, a
# query string or a form names no record; let through, it would fail the query (a 500).
MAX_ID = 2**31 - 1
# A record's id in a route's path: anything else is a bad request (400), not a query.
RecordId = Annotated[int, Parameter(ge=1, le=MAX_ID)]
# An optional id in the query string (the "before=" of a list's next page).
OptionalRecordId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]


def record_id(text: str) -> int | None:
    """The id in a form field or query value, or None when it is not one. (str.isdigit()
    lets "²" through, which int() refuses, and any length, which the database refuses.)"""
    text = text.strip()
    if not text.isdecimal() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class LoginRequired(Exception):
    """Raised by a guard for an anonymous visitor; answered with a redirect to sign in."""


class PasswordChangeRequired(Exception):
    """Raised for a user on a temporary password; answered with a redirect to change it."""


# A user on a temporary password may reach only these until they choose their own.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {"/account/password", "/logout"}


# Guards are coroutines: Litestar runs a plain function guard in a worker thread, a thread
# hop on every request for a check that only reads the scope.


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: any active, signed-in user (who has chosen their own password)."""
    user = connection.scope.get("user")
    if user is None:
        raise LoginRequired
    if (
        user.must_change_password
        and connection.scope["path"] not in _ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        raise PasswordChangeRequired


def role_required(*roles: Role) -> Any:
    """Guard: a signed-in user with one of these roles. Others get the plain 404,
    so the existence of staff pages tells an outsider nothing."""
    allowed = {r.value for r in roles}

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        await signed_in(connection, handler)
        if connection.scope["user"].role not in allowed:
            raise NotFound(_("Page not found."))

    return guard


def or_404(record: T | None) -> T:
    """The record, or the same 404 whether it does not exist or is not this user's to see.
    Queries that fetch a record by id filter by what the user may see, then call this."""
    if record is None:
        raise NotFound(_("Page not found."))
    return record
