"""Test set-up: a fresh database per run (SQLite file, or a throwaway PostgreSQL server
with --db=postgres), emptied after every test; an app and clients per role.

Nothing from `portal` is imported at module level: the PORTAL_* variables must be set
(in pytest_configure) before the settings and the engine are first read.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

_POSTGRES: Any = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database the suite runs on (postgres starts a throwaway server)",
    )


def pytest_configure(config: pytest.Config) -> None:
    global _POSTGRES
    data_dir = Path(tempfile.mkdtemp(prefix="portal-test-"))
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["PORTAL_SECRET_KEY"] = "test-secret-key-" + "x" * 32
    os.environ["PORTAL_RUN_SCHEDULER"] = "false"
    os.environ["PORTAL_PASSWORD_HASH_THREADS"] = "2"
    os.environ.pop("PORTAL_TRUSTED_PROXIES", None)
    if config.getoption("--db") == "postgres":
        url = os.environ.get("PORTAL_TEST_POSTGRES_URL")
        if not url:
            from tests.postgres import ThrowawayPostgres

            _POSTGRES = ThrowawayPostgres()
            url = _POSTGRES.start()
        os.environ["PORTAL_DATABASE_URL"] = url
    else:
        os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{data_dir / 'test.db'}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _POSTGRES is not None:
        _POSTGRES.stop()


def pytest_report_header(config: pytest.Config) -> str:
    return f"portal database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def settings() -> Any:
    from portal.settings import get_settings

    return get_settings()


@pytest.fixture(scope="session")
async def migrated(settings: Any) -> AsyncIterator[None]:
    from portal import db
    from portal.cli import _migrate

    await db.connect()
    try:
        await _migrate()
        yield
    finally:
        await db.disconnect()


def _all_tables() -> list[Any]:
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


@pytest.fixture(autouse=True)
async def clean_database(migrated: None) -> AsyncIterator[None]:
    """Every test starts from empty tables."""
    yield
    from portal.checklists.checklist_versions import forget_structures

    forget_structures()
    from piccolo.querystring import QueryString

    from portal.db import get_engine

    engine = get_engine()
    tables = [t._meta.tablename for t in _all_tables()]
    if engine.engine_type == "postgres":
        await engine.run_querystring(
            QueryString(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        )
    else:
        async with engine.transaction():
            await engine.run_querystring(QueryString("PRAGMA defer_foreign_keys = ON"))
            for name in tables:
                await engine.run_querystring(QueryString(f"DELETE FROM {name}"))  # noqa: S608
    from portal.deadlines.services import invalidate

    invalidate()  # cached deadline rules must not outlive the rows they were read from
    from portal import display

    display.forget()  # nor the digits setting


@pytest.fixture
async def app(settings: Any) -> Any:
    from portal.app import create_app

    return create_app(settings)


@pytest.fixture
async def client_at(app: Any) -> AsyncIterator[Any]:
    """`other = await client_at("198.51.100.9")`: one more browser, at that address."""
    # httpx straight onto the app, on the test's own event loop: the database connections
    # opened by `migrated` serve both (Litestar's test client would run the app on a
    # second loop in another thread). Redirects are not followed: tests look at each.
    import httpx

    opened: list[Any] = []

    async def make(address: str) -> Any:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        http = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


@pytest.fixture
async def client(client_at: Any) -> Any:
    return await client_at("203.0.113.7")


# --- factories -------------------------------------------------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID).hash(
        PASSWORD
    )


@pytest.fixture
def make_agency() -> Any:
    counter = iter(range(1, 10_000))

    async def make(**fields: Any) -> Any:
        from portal import clock
        from portal.agencies.tables import Agency

        n = next(counter)
        agency = Agency(
            licence_number=fields.pop("licence_number", f"TEST-{n:04d}"),
            name_en=fields.pop("name_en", f"Test Agency {n}"),
            name_km=fields.pop("name_km", f"ភ្នាក់ងារ {n}"),
            created_at=clock.now(),
            **fields,
        )
        await agency.save()
        return agency

    return make


@pytest.fixture
def make_user(password_hash: str, make_agency: Any) -> Any:
    counter = iter(range(1, 10_000))

    async def make(role: str = "officer", **fields: Any) -> Any:
        from portal import clock
        from portal.accounts.tables import Organisation, User

        n = next(counter)
        if role == "agency" and "agency" not in fields:
            fields["agency"] = (await make_agency()).id
        if role == "partner" and "organisation" not in fields:
            organisation = Organisation(name=f"Partner Org {n}", kind="mrc", created_at=clock.now())
            await organisation.save()
            fields["organisation"] = organisation.id
        if role == "committee":
            fields.setdefault("constituency", "union")
        user = User(
            email=fields.pop("email", f"{role}{n}@test.example"),
            full_name=fields.pop("full_name", f"{role.title()} Person {n}"),
            role=role,
            password_hash=fields.pop("password_hash", password_hash),
            created_at=clock.now(),
            **fields,
        )
        await user.save()
        return user

    return make


CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def csrf_token(client: Any) -> str:
    """The token a page would put in its forms (the CSRF cookie is set on any GET)."""
    if "portal_csrf" not in client.cookies:
        await client.get("/login")
    return client.cookies["portal_csrf"]


async def post_form(client: Any, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a form the way a browser would: with the page's CSRF token."""
    return await client.post(
        url, data={"_csrf_token": await csrf_token(client), **(data or {})}, **kw
    )


async def sign_in(client: Any, user: Any, password: str = PASSWORD) -> Any:
    response = await post_form(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def as_role(client: Any, make_user: Any) -> Any:
    """`user = await as_role("admin")`: a new user of that role, signed in on `client`."""

    async def become(role: str, **fields: Any) -> Any:
        user = await make_user(role, **fields)
        await sign_in(client, user)
        return user

    return become


@pytest.fixture(scope="session")
async def site_documents(migrated: None, settings: Any) -> list[Any]:
    """Every page of every role in both languages (tests/site_pages.py), collected once."""
    import asyncio

    from portal.app import create_app
    from tests.site_pages import collect

    # In a task of its own: the language its requests set must not leak into later tests.
    return await asyncio.create_task(collect(create_app(settings)))
