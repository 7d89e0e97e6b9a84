"""Server-side sessions: random ids stored hashed, a new id at every sign-in, idle and
absolute time-outs, and deactivation or a password change or reset ending them at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.accounts.tables import LoginSession
from tests.conftest import PASSWORD, post_form, sign_in


@pytest.fixture
def travel(monkeypatch):
    """Move the portal's clock forward by a timedelta."""
    start = clock.now()
    offset = timedelta()

    def move(by: timedelta) -> None:
        nonlocal offset
        offset += by

    monkeypatch.setattr(clock, "now", lambda: start + offset)
    return move


async def test_session_id_is_long_random_and_stored_only_as_a_hash(client, make_user):
    await sign_in(client, await make_user("officer"))
    token = client.cookies["portal_session"]
    assert len(token) >= 22  # at least 128 bits of URL-safe base64
    stored = await LoginSession.select(LoginSession.token_hash)
    assert len(stored) == 1 and token not in stored[0]["token_hash"]


async def test_signing_in_gives_a_new_session_id_and_ends_the_old_one(client, make_user):
    user = await make_user("officer")
    await sign_in(client, user)
    first = client.cookies["portal_session"]
    await sign_in(client, user)
    second = client.cookies["portal_session"]
    assert first != second
    assert await LoginSession.count() == 1


async def test_a_planted_session_cookie_is_worthless(client, make_user):
    client.cookies.set("portal_session", "attacker-chosen-value-123456", domain="127.0.0.1")
    await sign_in(client, await make_user("officer"))
    assert client.cookies["portal_session"] != "attacker-chosen-value-123456"


async def test_idle_session_ends_after_30_minutes(client, make_user, travel):
    await sign_in(client, await make_user("admin"))
    travel(timedelta(minutes=29))
    assert (await client.get("/admin/users")).status_code == 200
    travel(timedelta(minutes=29))  # active 29 minutes ago: still fine
    assert (await client.get("/admin/users")).status_code == 200
    travel(timedelta(minutes=31))
    response = await client.get("/admin/users")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_session_ends_12_hours_after_sign_in_even_when_busy(client, make_user, travel):
    await sign_in(client, await make_user("admin"))
    for _ in range(24):  # a request every 29 minutes, for 11.6 hours
        travel(timedelta(minutes=29))
        assert (await client.get("/admin/users")).status_code == 200
    travel(timedelta(minutes=29))
    assert (await client.get("/admin/users")).status_code == 303


async def test_deactivating_a_user_ends_their_sessions_at_once(app, client, make_user):
    import httpx

    officer = await make_user("officer")
    await sign_in(client, officer)
    assert (await client.get("/account/password")).status_code == 200

    transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as admin:
        await sign_in(admin, await make_user("admin"))
        response = await post_form(admin, f"/admin/users/{officer.id}/deactivate")
        assert response.status_code == 303

    assert (await client.get("/account/password")).status_code == 303


async def test_changing_the_password_ends_every_other_session(client, client_at, make_user):
    user = await make_user("officer")
    await sign_in(client, user)
    phone = await client_at("198.51.100.3")
    await sign_in(phone, user)
    response = await post_form(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "repeat_password": "a new long password",
        },
    )
    assert response.status_code == 303
    assert (await phone.get("/cases")).headers["location"].startswith("/login")
    assert (await client.get("/cases")).status_code == 200  # where it was changed
    assert await LoginSession.count() == 1


async def test_an_admin_resetting_their_own_password_stays_signed_in_there(
    client, client_at, make_user
):
    admin = await make_user("admin")
    await sign_in(client, admin)
    laptop = await client_at("198.51.100.4")
    await sign_in(laptop, admin)
    response = await post_form(client, f"/admin/users/{admin.id}/reset-password")
    assert response.status_code == 200
    assert (await laptop.get("/admin/users")).status_code == 303
    assert (await client.get("/admin/users")).headers["location"] == "/account/password"
