"""Signing in and out, sessions, and the admin's management of users."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData

from portal import clock, db
from portal.access import or_404
from portal.accounts import editing
from portal.accounts.editing import normalise_email
from portal.accounts.tables import (
    LoginSession,
    Organisation,
    User,
)
from portal.agencies.tables import Agency
from portal.audit import services as audit
from portal.core.roles import Role
from portal.errors import DomainError, FormErrors, Throttled
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labour import PROVINCES
from portal.security import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ADDRESS_AND_ACCOUNT,
    LOGIN_PER_DEVICE,
    MIN_PASSWORD_LENGTH,
    TooSoon,
    address_key,
    attempt,
    cookie_serializer,
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
    wait_text,
)
from portal.settings import Settings

# Refresh last_seen_at at most this often: a write on every request would be wasteful.
TOUCH_INTERVAL = timedelta(seconds=60)
LOGIN_FAILED = N_("The e-mail address or password is not right, or the account is not active.")
LOGIN_THROTTLED = N_("Too many failed sign-in attempts.")
# A browser that has signed in before carries this signed cookie (sent to /login only):
# the right password from it is never held up by other people's failures.
DEVICE_COOKIE = "portal_device"
DEVICE_LIFETIME = timedelta(days=365)
_DEVICE_ACCOUNTS = 10  # a shared office computer remembers this many accounts


@dataclass(frozen=True)
class CurrentUser:
    """Who is behind a request: what pages and guards need, read with the session in one
    query. Services that need more (the password hash) load the User row themselves."""

    id: int
    email: str
    full_name: str
    role: str
    agency_id: int | None
    organisation_id: int | None
    constituency: str | None
    language: str
    must_change_password: bool
    session_id: int
    unread_alerts: int = 0  # the number in the page header, read with the session
    provinces: tuple[str, ...] = ()  # a provincial officer's (portal.complaints.access)
    is_supervisor: bool = False  # an officer who reads sensitive cases to assign them


# One query per request: the session, its (active) user and the user's unread alerts.
_SESSION_QUERY = """
SELECT s.id AS session_id, s.created_at, s.last_seen_at,
       u.id, u.email, u.full_name, u.role, u.agency, u.organisation, u.constituency,
       u.language, u.must_change_password, u.provinces, u.is_supervisor,
       (SELECT count(*) FROM alert a WHERE a.recipient = u.id AND a.is_read = {}) AS unread
FROM login_session s JOIN portal_user u ON u.id = s."user"
WHERE s.token_hash = {} AND u.is_active = {}
"""


def _password_too_short() -> str:
    return _("Use at least %(count)s characters.") % {"count": MIN_PASSWORD_LENGTH}


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FormErrors({field: _password_too_short()})


def generate_password() -> str:
    """A temporary password an admin can read out over the phone."""
    alphabet = string.ascii_lowercase + string.digits
    groups = ["".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


# --- signing in and out ---------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """A browser known from an earlier sign-in: its own id, and the accounts signed in
    from it, newest first."""

    id: str
    accounts: tuple[int, ...]

    @staticmethod
    def read(cookie: str | None) -> Device | None:
        """The device its cookie names, or None (missing, forged, older than a year)."""
        try:
            device_id, accounts = cookie_serializer(DEVICE_COOKIE).loads(
                cookie or "", max_age=int(DEVICE_LIFETIME.total_seconds())
            )
        except (BadData, TypeError, ValueError):
            return None
        return Device(str(device_id), tuple(int(a) for a in accounts))

    def cookie_after(self, user_id: int) -> str:
        """The cookie's new value once `user_id` has signed in from this browser."""
        accounts = [user_id, *(a for a in self.accounts if a != user_id)][:_DEVICE_ACCOUNTS]
        return cookie_serializer(DEVICE_COOKIE).dumps([self.id, accounts])


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # the new session's
    device_cookie: str  # the browser's device cookie, now naming this account


async def sign_in(email: str, password: str, address: str, device_cookie: str | None) -> SignedIn:
    """Check the credentials and start a session.

    The same message answers an unknown address, a wrong password and an inactive account.
    Failures slow down further attempts; from a browser the account has signed in from,
    only that browser's own failures do.
    """
    now = clock.now()
    email = normalise_email(email)
    user = await User.objects().where(User.email == email).first()
    device = Device.read(device_cookie)
    known = device is not None and user is not None and user.id in device.accounts
    if known and device:
        limits = [(LOGIN_PER_DEVICE, device.id)]
    else:
        pair = f"{address_key(address)} {email}"
        limits = [(LOGIN_PER_ADDRESS_AND_ACCOUNT, pair), (LOGIN_PER_ACCOUNT, email)]
    try:
        tried = await attempt(limits, now)
    except TooSoon as error:
        raise Throttled(f"{_(LOGIN_THROTTLED)} {wait_text(error.wait)}") from None
    valid = await verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        # Beside no field: it must not tell which of the address or the password was wrong.
        raise FormErrors({"login": _(LOGIN_FAILED)})
    # The right password is no failure, and clears the failures of this browser (or this
    # address); the account's count, others' failures, wears off with time.
    await tried.forget(tried.keys[0])
    if needs_rehash(user.password_hash):  # the hashing parameters have changed since
        user.password_hash = await hash_password(password)
        await User.update({User.password_hash: user.password_hash}).where(User.id == user.id)
    token = await start_session(user, now)
    await audit.record(user, "user.signed_in", "user", user.id)
    device = device or Device(new_token(), ())
    return SignedIn(user, token, device.cookie_after(user.id))


async def start_session(user: User, now: datetime) -> str:
    """A fresh session (a new id at every sign-in, so a planted cookie is worthless)."""
    token = new_token()
    async with db.transaction():
        await LoginSession.insert(
            LoginSession(
                token_hash=token_hash(token), user=user.id, created_at=now, last_seen_at=now
            )
        )
        await User.update({User.last_login_at: now}).where(User.id == user.id)
    return token


async def session_user(token: str | None, settings: Settings) -> CurrentUser | None:
    """The signed-in user for a session cookie, or None if it is unknown or expired."""
    if not token or len(token) > 100:
        return None
    now = clock.now()
    rows = await db.select(_SESSION_QUERY, False, token_hash(token), True)
    if not rows:
        return None
    row = rows[0]
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    if now - row["last_seen_at"] > idle or now - row["created_at"] > absolute:
        await LoginSession.delete().where(LoginSession.id == row["session_id"])
        return None
    if now - row["last_seen_at"] > TOUCH_INTERVAL:
        await LoginSession.update({LoginSession.last_seen_at: now}).where(
            LoginSession.id == row["session_id"]
        )
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        role=row["role"],
        agency_id=row["agency"],
        organisation_id=row["organisation"],
        constituency=row["constituency"],
        language=row["language"],
        must_change_password=bool(row["must_change_password"]),
        session_id=row["session_id"],
        unread_alerts=row["unread"],
        provinces=provinces_of(row["provinces"]),
        is_supervisor=bool(row["is_supervisor"]),
    )


def provinces_of(stored: str) -> tuple[str, ...]:
    """The provinces of a user's `provinces` column."""
    return tuple(p for p in stored.split(",") if p)


async def sign_out(token: str | None) -> None:
    """End the session on the server, not only in the browser."""
    if token:
        await LoginSession.delete().where(LoginSession.token_hash == token_hash(token))


async def purge_expired_sessions(settings: Settings) -> int:
    """Delete sessions past their idle or absolute limit (a scheduled job)."""
    now = clock.now()
    expired = LoginSession.delete().where(
        (LoginSession.last_seen_at < now - timedelta(minutes=settings.session_idle_minutes))
        | (LoginSession.created_at < now - timedelta(hours=settings.session_absolute_hours))
    )
    rows = await expired.returning(LoginSession.id)
    return len(rows)


async def change_own_password(user: CurrentUser, current: str, new: str) -> None:
    stored = await User.select(User.password_hash).where(User.id == user.id).first()
    if not await verify_password(stored["password_hash"] if stored else None, current):
        raise FormErrors({"current_password": _("The current password is not right.")})
    check_password_rules(new, field="new_password")
    password_hash = await hash_password(new)
    async with db.transaction():
        await _set_password(user.id, password_hash, temporary=False, keep=user.session_id)
        await audit.record(user, "user.password_changed", "user", user.id)


async def _set_password(user_id: int, password_hash: str, temporary: bool, keep: int) -> None:
    """The new password; whoever was signed in with the old one is signed out, in every
    session of the user but `keep` (where it was changed)."""
    await User.update(
        {User.password_hash: password_hash, User.must_change_password: temporary}
    ).where(User.id == user_id)
    await LoginSession.delete().where((LoginSession.user == user_id) & (LoginSession.id != keep))


# --- the admin's management of users ------------------------------------------------------


@dataclass
class NewUser(editing.Profile):
    """What the admin (or `portal create-user`) asks for: the account's details, and its
    first password."""

    password: str = ""
    must_change_password: bool = True


async def create_user(actor: CurrentUser | None, new: NewUser) -> User:
    """Create an account after checking every field; nothing is saved if any is wrong."""
    values, errors = await editing.checked(new, None)
    if len(new.password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _password_too_short()
    if errors:
        raise FormErrors(errors)
    password_hash = await hash_password(new.password)
    async with db.transaction():
        user = User(
            **values,
            password_hash=password_hash,
            organisation=await editing.organisation_id(new),
            must_change_password=new.must_change_password,
            created_at=clock.now(),
        )
        await user.save()
        email = values["email"]
        await audit.record(actor, "user.created", "user", user.id, f"{email} ({new.role})")
    return user


async def get_user(user_id: int) -> User:
    return or_404(await User.objects().where(User.id == user_id).first())


async def set_active(actor: CurrentUser, user_id: int, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate an account."""
    user = await get_user(user_id)
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    async with db.transaction():
        await User.update({User.is_active: active}).where(User.id == user.id)
        if not active:
            await LoginSession.delete().where(LoginSession.user == user.id)
        action = "user.activated" if active else "user.deactivated"
        await audit.record(actor, action, "user", user.id, user.email)
    user.is_active = active
    return user


async def reset_password(actor: CurrentUser, user_id: int) -> tuple[User, str]:
    """Give the user a temporary password (shown once to the admin) and end their sessions."""
    user = await get_user(user_id)
    temporary = generate_password()
    password_hash = await hash_password(temporary)
    async with db.transaction():
        # Every session of theirs ends (but the admin's own, resetting their own password).
        await _set_password(user.id, password_hash, temporary=True, keep=actor.session_id)
        await audit.record(actor, "user.password_reset", "user", user.id, user.email)
    return user, temporary


# Built once: following foreign keys (User.agency.name_en) is costly in Piccolo.
_USER_LIST_COLUMNS = (
    User.id,
    User.email,
    User.full_name,
    User.role,
    User.is_active,
    User.last_login_at,
    User.agency.name_en.as_alias("agency_en"),
    User.agency.name_km.as_alias("agency_km"),
    User.organisation.name.as_alias("organisation_name"),
)


async def set_supervisor(actor: CurrentUser, user_id: int, supervisor: bool) -> User:
    """Mark a case officer as supervisor (they hear of escalated, overdue stages) or not."""
    user = await get_user(user_id)
    if user.role != Role.officer:
        raise DomainError(_("Only case officers can be supervisors."))
    async with db.transaction():
        await User.update({User.is_supervisor: supervisor}).where(User.id == user.id)
        await audit.record(
            actor, "user.supervisor_changed", "user", user.id, "on" if supervisor else "off"
        )
    user.is_supervisor = supervisor
    return user


async def list_users(role: str = "", search: str = "") -> list[dict]:
    query = User.select(*_USER_LIST_COLUMNS).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    if search:
        text = search.strip()
        query = query.where(db.icontains(User.email, text) | db.icontains(User.full_name, text))
    return await query


async def remember_language(user: CurrentUser, language: str) -> None:
    """Keep the chosen language on the account, for e-mails sent to this user."""
    await User.update({User.language: language}).where(User.id == user.id)


async def describe(user: User) -> dict:
    """An account as the admin's detail page shows it."""
    agency = await Agency.objects().where(Agency.id == user.agency).first() if user.agency else None
    organisation = (
        await Organisation.objects().where(Organisation.id == user.organisation).first()
        if user.organisation
        else None
    )
    sessions = await LoginSession.count().where(LoginSession.user == user.id)
    return {
        "user": user,
        "agency": agency,
        "organisation": organisation,
        "sessions": sessions,
        "provinces": [PROVINCES.get(p, p) for p in provinces_of(user.provinces)],
    }
