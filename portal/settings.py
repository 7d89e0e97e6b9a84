"""One frozen settings object, read from ``PORTAL_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A PORTAL_* variable holds a value the portal cannot use."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """Where the SQLite database, uploads and the generated secret key live."""
    database_url: str
    """``sqlite:///path/to/file.db`` or ``postgresql://user:pass@host:port/name``."""
    secret_key: str
    """Key for CSRF tokens and keyed hashes (receipt codes). Keep it secret and stable."""
    smtp_url: str
    """``smtps://user:pass@host:port`` (or ``smtp://...?starttls=1``) for outgoing email;
    empty keeps mail in the outbox."""
    mail_from: str
    """Sender address of outgoing email."""
    base_url: str
    """Public address of the portal, used in emails and to decide Secure cookies."""
    sms_url: str = ""
    """The SMS gateway's address (PORTAL_SMS_URL): each text is an HTTP POST of the number
    and the text; empty keeps SMS in the outbox."""
    sms_user: str = ""
    """With sms_password: HTTP basic authentication at the gateway (PORTAL_SMS_USER)."""
    sms_password: str = field(default="", repr=False)
    """PORTAL_SMS_PASSWORD."""
    sms_token: str = field(default="", repr=False)
    """Or a bearer token for the gateway (PORTAL_SMS_TOKEN)."""
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    """Reverse proxies whose X-Forwarded-For header is believed (CIDR list)."""
    session_idle_minutes: int = 30
    """A session ends after this long without a request."""
    session_absolute_hours: int = 12
    """A session ends this long after login, whatever the activity."""
    run_scheduler: bool = True
    """Run the deadline scheduler inside the web process (one-process setups)."""
    password_hash_threads: int = 2
    """At most this many argon2 hashes run at once, off the event loop."""
    log_queries: bool = False
    """Print every SQL statement (debugging only)."""
    default_language: str = "en"
    """Language for a first visit when the browser asks for neither English nor Khmer."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(_sqlite_path(self.database_url))

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def _sqlite_path(url: str) -> str:
    # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
    rest = url.removeprefix("sqlite://")
    if not rest.startswith("/") or rest == "/":
        raise SettingsError(f"PORTAL_DATABASE_URL: no database file in {url!r}")
    return rest[1:]


def _check_database_url(url: str) -> str:
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        _sqlite_path(url)
        return url
    if scheme in {"postgresql", "postgres"}:
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises on a non-numeric port
        except ValueError as exc:
            raise SettingsError(f"PORTAL_DATABASE_URL: bad port in {_redact(url)!r}") from exc
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(
                "PORTAL_DATABASE_URL: a PostgreSQL URL needs a host and a database name, "
                "like postgresql://user:password@127.0.0.1:5432/portal"
            )
        return url
    raise SettingsError(
        f"PORTAL_DATABASE_URL: {_redact(url)!r} is neither sqlite:///FILE nor postgresql://..."
    )


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***")
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}: expected true or false, got {value!r}")


def _int(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise SettingsError(f"{name}: must be at least {minimum}")
    return number


def _secret_key(data_dir: Path) -> str:
    value = os.environ.get("PORTAL_SECRET_KEY", "")
    if value:
        if len(value) < 32:
            raise SettingsError("PORTAL_SECRET_KEY: use at least 32 characters")
        return value
    # Local use: make one key per data directory and keep it, so restarts keep sessions valid.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def smtp_tls(smtp_url: str) -> str:
    """How PORTAL_SMTP_URL secures the connection: "smtps" (TLS from the first byte),
    "starttls" (smtp://...?starttls=1, or smtp+starttls://) or "" (none)."""
    parts = urlsplit(smtp_url)
    if parts.scheme == "smtps":
        return "smtps"
    asked = parse_qs(parts.query).get("starttls", [""])[0].lower()
    if parts.scheme == "smtp+starttls" or asked in {"1", "true", "yes"}:
        return "starttls"
    return ""


def _check_sms_url(url: str) -> None:
    """An SMS gateway is reached over HTTPS: its credentials and the texts (phone numbers)
    never go in clear, except to a gateway on this machine."""
    if not url:
        return
    parts = urlsplit(url)
    local = parts.hostname in {"127.0.0.1", "::1", "localhost"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise SettingsError("PORTAL_SMS_URL: expected https://host/path (http only to localhost)")


def _proxies(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p.strip()) for p in value.split(",") if p.strip())
    except ValueError as exc:
        raise SettingsError(f"PORTAL_TRUSTED_PROXIES: {exc}") from None


def load_settings() -> Settings:
    """Build the settings from the environment; raise SettingsError on an unusable value."""
    data_dir = Path(os.environ.get("PORTAL_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    database_url = _check_database_url(
        os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.db'}"
    )
    smtp_url = os.environ.get("PORTAL_SMTP_URL", "")
    if smtp_url and urlsplit(smtp_url).scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise SettingsError("PORTAL_SMTP_URL: expected smtp://host:port (or smtps://)")
    if smtp_url and urlsplit(smtp_url).password and not smtp_tls(smtp_url):
        raise SettingsError(
            "PORTAL_SMTP_URL: the password would go in clear: use smtps:// or add ?starttls=1"
        )
    sms_url = os.environ.get("PORTAL_SMS_URL", "")
    _check_sms_url(sms_url)
    base_url = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    language = os.environ.get("PORTAL_DEFAULT_LANGUAGE", "en")
    if language not in {"en", "km"}:
        raise SettingsError("PORTAL_DEFAULT_LANGUAGE: expected en or km")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir),
        smtp_url=smtp_url,
        mail_from=os.environ.get("PORTAL_MAIL_FROM", "portal@localhost"),
        sms_url=sms_url,
        sms_user=os.environ.get("PORTAL_SMS_USER", ""),
        sms_password=os.environ.get("PORTAL_SMS_PASSWORD", ""),
        sms_token=os.environ.get("PORTAL_SMS_TOKEN", ""),
        base_url=base_url,
        trusted_proxies=_proxies(os.environ.get("PORTAL_TRUSTED_PROXIES", "")),
        session_idle_minutes=_int("PORTAL_SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=_int("PORTAL_SESSION_ABSOLUTE_HOURS", 12),
        run_scheduler=_flag("PORTAL_RUN_SCHEDULER", True),
        password_hash_threads=_int("PORTAL_PASSWORD_HASH_THREADS", 2),
        log_queries=_flag("PORTAL_LOG_QUERIES", False),
        default_language=language,
    )


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
