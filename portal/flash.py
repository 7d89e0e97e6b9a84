"""Flash messages: one-shot notes carried across a redirect in a signed cookie."""

from __future__ import annotations

from itsdangerous import BadData
from litestar import Request
from litestar.datastructures import Cookie

from portal import i18n
from portal.security import cookie_serializer
from portal.settings import get_settings

FLASH_COOKIE = "portal_flash"
MAX_AGE = 60  # seconds: the note is for the page right after the redirect


def flash_cookie(message: str, level: str = "success") -> Cookie:
    """`message` is a gettext msgid: it is translated when shown, in the reader's language."""
    return Cookie(
        key=FLASH_COOKIE,
        value=cookie_serializer("flash").dumps([level, message]),
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        max_age=MAX_AGE,
    )


def read_flash(request: Request) -> list[tuple[str, str]]:
    """The (level, translated message) the cookie carries; none when it is missing,
    tampered with or too old."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        level, message = cookie_serializer("flash").loads(raw, max_age=MAX_AGE)
    except BadData:
        return []
    return [(str(level), i18n.gettext(str(message)))]


def cleared_cookie() -> Cookie:
    """Deletes the flash cookie once its message has been shown."""
    return Cookie(key=FLASH_COOKIE, value="", max_age=0)
