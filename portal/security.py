"""Passwords, session tokens, client addresses, rate limits and security headers."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal import clock
from portal.core.tables import RateLimitEvent
from portal.settings import Settings, get_settings

# OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
_hash_threads = 2
_hash_slots: anyio.CapacityLimiter | None = None
_DUMMY_HASH = _hasher.hash("a password nobody has")

MIN_PASSWORD_LENGTH = 10


def configure_password_hashing(threads: int) -> None:
    """At most `threads` hashes run at once, so a login burst cannot starve the server."""
    global _hash_threads, _hash_slots
    _hash_threads, _hash_slots = threads, None


def _slots() -> anyio.CapacityLimiter:
    # Made on first use, inside the running event loop it will serve.
    global _hash_slots
    if _hash_slots is None:
        _hash_slots = anyio.CapacityLimiter(_hash_threads)
    return _hash_slots


async def hash_password(password: str) -> str:
    """argon2id hash, computed in a worker thread."""
    return await anyio.to_thread.run_sync(_hasher.hash, password, limiter=_slots())


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches. Unknown users are checked against a dummy hash
    so that a wrong e-mail address takes as long as a wrong password."""

    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check, limiter=_slots())


def new_token() -> str:
    """128 bits of randomness (and more), URL-safe."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(secret_key: str, value: str) -> str:
    """HMAC-SHA256 of a secret (receipt codes): useless without the server's key."""
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


class _ClockSigner(TimestampSigner):
    # Timestamps from the portal's clock, which tests and `portal alerts --now` move.
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def cookie_serializer(salt: str) -> URLSafeTimedSerializer:
    """Signs and reads a cookie's value (with its age) under the secret key. Each cookie
    has its own salt, so that no cookie's value is accepted as another's."""
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt, signer=_ClockSigner)


def client_address(scope: Scope, settings: Settings) -> str:
    """The caller's address. X-Forwarded-For counts only when the direct peer is a
    configured trusted proxy; then the right-most address not of a proxy is the client."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not settings.trusted_proxies or not _is_trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = ""
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _is_trusted(hop, settings.trusted_proxies):
            return hop
    return peer


def _is_trusted(address: str, networks: Iterable[ipaddress._BaseNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


class RateLimit:
    """At most `limit` counted events per `window` for one key, counted in the database
    so that every worker process sees the same numbers."""

    def __init__(self, name: str, limit: int, window: timedelta) -> None:
        self.name = name
        self.limit = limit
        self.window = window

    def _key(self, subject: str) -> str:
        # Subjects (e-mail addresses, IPs) are hashed: no personal data in this table.
        return f"{self.name}:{hashlib.sha256(subject.lower().encode()).hexdigest()[:40]}"

    async def is_exceeded(self, subject: str, now: datetime) -> bool:
        count = await RateLimitEvent.count().where(
            (RateLimitEvent.key == self._key(subject)) & (RateLimitEvent.at > now - self.window)
        )
        return count >= self.limit

    async def hit(self, subject: str, now: datetime) -> None:
        await RateLimitEvent.insert(RateLimitEvent(key=self._key(subject), at=now))

    async def clear(self, subject: str) -> None:
        await RateLimitEvent.delete().where(RateLimitEvent.key == self._key(subject))


async def purge_rate_limit_events(now: datetime, older_than: timedelta = timedelta(days=1)) -> None:
    """Forget counted attempts older than any rate-limit window."""
    await RateLimitEvent.delete().where(RateLimitEvent.at < now - older_than)


LOGIN_PER_ACCOUNT = RateLimit("login-account", limit=5, window=timedelta(minutes=15))
LOGIN_PER_ADDRESS = RateLimit("login-address", limit=30, window=timedelta(minutes=15))


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, and no-store to signed-in pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if scope.get("state", {}).get("secure_cookies"):
                    headers["Strict-Transport-Security"] = "max-age=31536000"
                # A page that asked for no-store (a receipt code, a complainant's case) keeps it.
                if not scope["path"].startswith("/static/") and "no-store" not in (
                    headers.get("Cache-Control") or ""
                ):
                    signed_in = scope.get("user") is not None
                    headers["Cache-Control"] = "no-store" if signed_in else "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


_FORM_TYPES = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


class CsrfTokenCheck:
    """Before Litestar's CSRF check: a token (cookie, header or form field) that is not
    ASCII is refused as any wrong token is, with a 403; the check itself would fail with
    a 500 (hmac.compare_digest takes only ASCII text)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request: Request = Request(scope, receive)
            config = request.app.csrf_config
            if config is not None and request.method not in config.safe_methods:
                tokens = [
                    request.cookies.get(config.cookie_name),
                    request.headers.get(config.header_name),
                ]
                if request.content_type[0] in _FORM_TYPES:
                    tokens.append((await request.form()).get("_csrf_token"))
                if any(isinstance(token, str) and not token.isascii() for token in tokens):
                    raise PermissionDeniedException("CSRF token verification failed")
        await self.app(scope, receive, send)
