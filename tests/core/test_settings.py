"""Settings: safe defaults, and a clear message for a value the portal cannot use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.settings import SettingsError, load_settings


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("PORTAL_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    return monkeypatch


def test_defaults_are_a_local_sqlite_database_and_a_kept_secret_key(env, tmp_path):
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'portal.db'}"
    assert settings.sqlite_path == tmp_path / "portal.db"
    assert len(settings.secret_key) >= 32
    assert load_settings().secret_key == settings.secret_key  # same key after a restart
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert not settings.secure_cookies and settings.session_idle_minutes == 30


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTAL_DATABASE_URL", "mysql://x/y", "neither sqlite:///FILE nor postgresql://"),
        ("PORTAL_DATABASE_URL", "postgresql://user:pw@/", "needs a host and a database name"),
        ("PORTAL_DATABASE_URL", "postgresql://u:secretpw@h:port/db", "bad port"),
        ("PORTAL_DATABASE_URL", "sqlite://", "no database file"),
        ("PORTAL_SECRET_KEY", "short", "at least 32 characters"),
        ("PORTAL_SMTP_URL", "http://mail", "expected smtp://"),
        ("PORTAL_SESSION_IDLE_MINUTES", "ten", "expected a whole number"),
        ("PORTAL_RUN_SCHEDULER", "maybe", "expected true or false"),
        ("PORTAL_TRUSTED_PROXIES", "10.0.0.0/33", "PORTAL_TRUSTED_PROXIES"),
    ],
)
def test_unusable_values_are_named_in_the_error(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(SettingsError, match=message) as error:
        load_settings()
    assert "secretpw" not in str(error.value)  # passwords never echoed


def test_postgres_url_and_https_base_url(env):
    env.setenv("PORTAL_DATABASE_URL", "postgresql://portal:pw@db.internal:5432/portal")
    env.setenv("PORTAL_BASE_URL", "https://portal.example.org/")
    settings = load_settings()
    assert not settings.is_sqlite and settings.secure_cookies
    assert settings.base_url == "https://portal.example.org"


def test_the_command_stops_at_start_up_with_the_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "migrate"],
        env={
            **os.environ,
            "PORTAL_DATABASE_URL": "postgres:/nohost",
            "PORTAL_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=60,
    )
    assert result.returncode != 0
    assert "Configuration error: PORTAL_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
