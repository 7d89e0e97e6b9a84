"""Request plumbing shared by every page: language, signed-in user, error pages."""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie
from typing import Any, cast
from urllib.parse import parse_qs, quote

from litestar import HttpMethod, Request, Response, route
from litestar.datastructures import MutableScopeHeaders, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal import display, i18n
from portal.access import LoginRequired, PasswordChangeRequired
from portal.accounts import services as accounts
from portal.accounts.services import CurrentUser
from portal.errors import DomainError, NotFound
from portal.forms import has_control_character
from portal.i18n import N_
from portal.settings import Settings
from portal.templating import redirect, render

log = logging.getLogger("portal")

SESSION_COOKIE = "portal_session"
LANGUAGE_COOKIE = "portal_lang"
# No session lookup for these: they never depend on who asks.
_ANONYMOUS_PATHS = ("/static/", "/healthz", "/favicon.ico")


class RequestContextMiddleware:
    """Wraps the whole app (404s included): chooses the language, remembers a ?lang=
    choice in a cookie, and puts the signed-in user (or None) in scope["user"]."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[0]
        language = i18n.choose_language(
            query,
            cookies.get(LANGUAGE_COOKIE),
            _header(scope, b"accept-language"),
            self.settings.default_language,
        )
        i18n.current_language.set(language)
        if language == "km":
            await display.refresh()
        scope["user"] = None
        scope.setdefault("state", {})["secure_cookies"] = self.settings.secure_cookies
        if not scope["path"].startswith(_ANONYMOUS_PATHS):
            user = await accounts.session_user(cookies.get(SESSION_COOKIE), self.settings)
            scope["user"] = user
            if user is not None and query in i18n.LANGUAGES and user.language != query:
                await accounts.remember_language(user, query)

        remember = query in i18n.LANGUAGES and cookies.get(LANGUAGE_COOKIE) != query

        async def send_with_language(message: Message) -> None:
            if remember and message["type"] == "http.response.start":
                secure = "; Secure" if self.settings.secure_cookies else ""
                MutableScopeHeaders.from_message(message).add(
                    "set-cookie",
                    f"{LANGUAGE_COOKIE}={language}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_language)


# --- one 404 --------------------------------------------------------------------------

NOT_FOUND_PATH = "/not-found"
_ASKED_PATH = "portal_asked_path"


def one_not_found(app: ASGIApp) -> ASGIApp:
    """A request no route serves (a 404 or 405 from Litestar's router) is answered again
    by the not-found route, through the same CSRF and compression middleware as a page
    whose guard says 404: the two answers are the same kind of page, so that a signed-in
    user cannot tell a staff page from one that does not exist (and "Sign out" works)."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        asked: dict[str, Any] = {**scope, "state": dict(scope.get("state", {}))}  # as it came
        unrouted = False

        async def send_if_routed(message: Message) -> None:
            nonlocal unrouted
            if message["type"] == "http.response.start":
                # The router sets route_handler when it finds one; it answers 404/405 if not.
                unrouted = message["status"] in (404, 405) and "route_handler" not in scope
            if not unrouted:
                await send(message)

        await app(scope, receive, send_if_routed)
        if unrouted and scope["type"] == "http":  # the router read nothing of the body
            state = {**asked["state"], _ASKED_PATH: asked["path"]}
            again = {**asked, "path": NOT_FOUND_PATH, "raw_path": NOT_FOUND_PATH.encode()}
            await app(cast(Scope, {**again, "state": state}), receive, send)

    return answer


@route(NOT_FOUND_PATH, http_method=[m for m in HttpMethod if m != HttpMethod.OPTIONS])
async def not_found(request: Request) -> None:
    """The 404 of a path no route serves (see one_not_found)."""
    # The page shows the address that was asked for (its language links keep it).
    request.scope["path"] = request.scope["state"].get(_ASKED_PATH, NOT_FOUND_PATH)
    raise NotFound(i18n.gettext("Page not found."))


async def _signed_in_user(request: Request) -> CurrentUser:
    user = request.scope["user"]
    if user is None:  # only a handler without a guard that requires one gets here
        raise LoginRequired
    return user


def get(path: str | list[str] | None = None, **kwargs: Any) -> HTTPRouteHandler:
    """Litestar's @get that answers HEAD too (the same headers, no body): every page
    route is declared with it. Litestar's own answers HEAD with a 405."""
    return route(path, http_method=[HttpMethod.GET, HttpMethod.HEAD], **kwargs)


# Every handler behind a guard that requires a user receives it as `user: SignedInUser`.
DEPENDENCIES = {"user": Provide(_signed_in_user)}
SignedInUser = NamedDependency[CurrentUser]


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(_header(scope, b"cookie"))
    except Exception:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


async def uploaded_bytes(request: Request, field: str) -> bytes:
    """The content of a file field of a multipart form (empty when none was sent): for the
    admin's imports, which parse the whole file into rows anyway."""
    upload = (await request.form()).get(field)
    return await upload.read() if isinstance(upload, UploadFile) else b""


URL_CONTROL_CHARACTER = N_(
    "The address of this page contains an invisible control character. Remove it and try again."
)


async def refuse_control_characters(request: Request) -> None:
    """Before every handler: a query value or path part with a control character is a
    400; none means anything here, and PostgreSQL refuses NUL (forms: portal.forms)."""
    parts = [request.scope["path"], *request.query_params.keys()]
    parts += [value for _, value in request.query_params.multi_items()]
    if any(has_control_character(part) for part in parts):
        raise DomainError(i18n.gettext(URL_CONTROL_CHARACTER))


# --- error pages ----------------------------------------------------------------------

_STATUS_MESSAGES = {
    400: N_("The request could not be understood."),
    403: N_("You do not have access to this page."),
    404: N_("Page not found."),
    405: N_("This page cannot be used that way."),
    413: N_("What you sent is too large."),
    429: N_("Too many requests. Wait a little and try again."),
    500: N_("Something went wrong on our side. Please try again later."),
}
CSRF_MESSAGE = N_(
    "This form has expired or was not sent from the portal. Go back, reload the page and try again."
)


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "errors/error.html",
        status_code=status,
        status=status,
        message=i18n.gettext(message),
    )


def on_login_required(request: Request, _: Exception) -> Response:
    target = quote(request.url.path)
    return redirect(f"/login?next={target}")


def on_password_change_required(request: Request, _: Exception) -> Response:
    return redirect("/account/password")  # the page itself says why


def on_domain_error(request: Request, exc: DomainError) -> Response:
    return _error_page(request, exc.status_code, exc.message)


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return _error_page(request, 403, i18n.gettext(CSRF_MESSAGE))
    status = exc.status_code if exc.status_code in _STATUS_MESSAGES else 400
    if exc.status_code >= 500:
        status = 500
    return _error_page(request, status, i18n.gettext(_STATUS_MESSAGES[status]))


def on_undecodable_form(request: Request, _: UnicodeDecodeError) -> Response:
    # Litestar's form parser decodes text fields as UTF-8 and lets the error through.
    return _error_page(request, 400, i18n.gettext(_STATUS_MESSAGES[400]))


def on_unexpected_error(request: Request, exc: Exception) -> Response:
    # The trace goes to the server log only; the visitor sees a plain page.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, 500, i18n.gettext(_STATUS_MESSAGES[500]))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    LoginRequired: on_login_required,
    PasswordChangeRequired: on_password_change_required,
    DomainError: on_domain_error,
    HTTPException: on_http_exception,
    UnicodeDecodeError: on_undecodable_form,
    Exception: on_unexpected_error,
}
