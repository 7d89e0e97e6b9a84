"""Passwords, session tokens, client addresses, rate limits and security headers."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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

from portal import clock, db, i18n
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


def needs_rehash(stored_hash: str) -> bool:
    """True when a hash was made with other parameters than today's (rehash at sign-in)."""
    return _hasher.check_needs_rehash(stored_hash)


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


class TooSoon(Exception):
    """An attempt refused by a Backoff: `wait` is how long until the next may be checked."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"wait {wait}")
        self.wait = wait


@dataclass(frozen=True)
class Backoff:
    """Failed attempts counted per key in the database, so that every worker process sees
    the same numbers: the first `free` within `window` go through at once; after that an
    attempt waits `first_delay` after the latest one, twice as long with each further
    failure, at most `longest`. Delays slow a guesser down without locking anyone out."""

    name: str
    free: int
    first_delay: timedelta = timedelta(seconds=1)
    longest: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(days=1)  # purge_rate_limit_events keeps a day

    def key(self, subject: str) -> str:
        # Subjects (e-mail addresses, IPs) are hashed: no personal data in this table.
        return f"{self.name}:{hashlib.sha256(subject.lower().encode()).hexdigest()[:40]}"

    def wait(self, earlier: list[datetime], now: datetime) -> timedelta:
        """How long an attempt must still wait after these earlier ones (in the window)."""
        if len(earlier) < self.free:
            return timedelta(0)
        doublings = min(len(earlier) - self.free, 20)  # 2**20 s is far past `longest`
        delay = min(self.first_delay * 2**doublings, self.longest)
        return max(max(earlier) + delay - now, timedelta(0))


@dataclass(frozen=True)
class Attempt:
    """An attempt recorded under each of its limits' keys: a failure unless forgotten."""

    ids: list[int]
    keys: list[str]

    async def forget(self, *keys: str) -> None:
        """Not a failure after all (the right password): this attempt does not count, and
        neither do the earlier ones under `keys`."""
        await RateLimitEvent.delete().where(RateLimitEvent.id.is_in(self.ids))
        if keys:
            await RateLimitEvent.delete().where(RateLimitEvent.key.is_in(list(keys)))


async def attempt(limits: Sequence[tuple[Backoff, str]], now: datetime) -> Attempt:
    """Count what came before under each (limit, subject), then record this attempt, one
    attempt per key at a time, so that parallel attempts see each other: of 40 sent at
    once, at most `free` go through. Raises TooSoon, recording nothing, if any limit says
    wait. Inside a transaction (filing a complaint), the attempt counts only if it commits."""
    keys = [limit.key(subject) for limit, subject in limits]
    async with db.transaction():
        for key in sorted(keys):  # always in one order: two attempts never wait on each other
            await db.lock(key)
        earlier: dict[str, list[datetime]] = {key: [] for key in keys}
        for row in await RateLimitEvent.select(RateLimitEvent.key, RateLimitEvent.at).where(
            RateLimitEvent.key.is_in(keys)
            & (RateLimitEvent.at > now - max(limit.window for limit, _ in limits))
        ):
            earlier[row["key"]].append(row["at"])
        wait = max(
            limit.wait([at for at in earlier[key] if at > now - limit.window], now)
            for (limit, _), key in zip(limits, keys, strict=True)
        )
        if wait > timedelta(0):
            raise TooSoon(wait)
        rows = await db.insert(
            "rate_limit_event", ("key", "at"), [(key, now) for key in keys], " RETURNING id"
        )
    return Attempt(ids=[row["id"] for row in rows], keys=keys)


def wait_text(wait: timedelta) -> str:
    """The sentence that says how long to wait, in whole minutes rounded up, in the
    reader's language."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    text = i18n.ngettext(
        "Wait %(num)d minute and try again.", "Wait %(num)d minutes and try again.", minutes
    )
    return text % {"num": minutes}


def address_key(address: str) -> str:
    """The part of a client address that names one client: an IPv6 host may use any
    address of its /64, so the /64 counts as one."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


async def purge_rate_limit_events(now: datetime, older_than: timedelta = timedelta(days=1)) -> None:
    """Forget counted attempts older than any rate-limit window."""
    await RateLimitEvent.delete().where(RateLimitEvent.at < now - older_than)


# Sign-in from a browser the account has not signed in from: a guesser at one address
# is slowed after 5 failures, guessers at many addresses after 10 on the account.
LOGIN_PER_ACCOUNT = Backoff("login-account", free=10)
LOGIN_PER_ADDRESS_AND_ACCOUNT = Backoff("login-address-account", free=5)
# From a browser it has signed in from (its device cookie): only that browser's failures.
LOGIN_PER_DEVICE = Backoff("login-device", free=5)
# Complaints filed through the public form from one address in an hour: a whole MRC
# office behind one address stays under it; a script flooding the queue does not.
FILING_PER_ADDRESS = Backoff(
    "filing-address", free=30, first_delay=timedelta(minutes=1), window=timedelta(hours=1)
)
# Public statistics PDFs asked for from one address in an hour (the reloads of a "being
# prepared" page are not asked again): more than people download, few for a script.
STATISTICS_PDF_PER_ADDRESS = Backoff(
    "statistics-pdf-address", free=20, first_delay=timedelta(minutes=1), window=timedelta(hours=1)
)


# What makes a spreadsheet read a cell as a formula (OWASP's list; defusedcsv leaves out
# tab and carriage return, hence these two lines).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as the text it is and never runs as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


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
