"""Login throttling: 5 failures per account in 15 minutes, a limit per client address,
and X-Forwarded-For believed only from a configured proxy."""

from __future__ import annotations

import dataclasses
import ipaddress
from datetime import timedelta

from portal import clock
from portal.security import client_address
from tests.conftest import PASSWORD, post_form


async def _fail(client, email, headers=None):
    return await post_form(
        client, "/login", {"email": email, "password": "not the password"}, headers=headers or {}
    )


async def test_five_failures_lock_the_account_for_15_minutes(client, make_user, monkeypatch):
    user = await make_user("officer")
    for _ in range(5):
        assert (await _fail(client, user.email)).status_code == 400
    # Now even the right password is refused, with a message that says to wait.
    response = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text

    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = await post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 303


async def test_one_address_trying_many_accounts_is_stopped(client, make_user):
    victim = await make_user("officer")
    for n in range(30):
        await _fail(client, f"guess{n}@test.example")
    response = await post_form(client, "/login", {"email": victim.email, "password": PASSWORD})
    assert response.status_code == 429


async def test_a_spoofed_forwarded_for_header_does_not_reset_the_address_limit(client, make_user):
    victim = await make_user("officer")
    for n in range(30):
        await _fail(client, f"guess{n}@test.example", {"x-forwarded-for": f"10.0.0.{n}"})
    response = await post_form(
        client,
        "/login",
        {"email": victim.email, "password": PASSWORD},
        headers={"x-forwarded-for": "10.9.9.9"},
    )
    assert response.status_code == 429


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(settings):
    scope = {"client": ("192.0.2.10", 1234), "headers": [(b"x-forwarded-for", b"1.2.3.4, 5.6.7.8")]}
    assert client_address(scope, settings) == "192.0.2.10"

    behind_proxy = dataclasses.replace(
        settings, trusted_proxies=(ipaddress.ip_network("192.0.2.0/24"),)
    )
    # The right-most address that is not a proxy: earlier hops could be forged by the client.
    assert client_address(scope, behind_proxy) == "5.6.7.8"
    chained = {**scope, "headers": [(b"x-forwarded-for", b"6.6.6.6, 1.2.3.4, 192.0.2.99")]}
    assert client_address(chained, behind_proxy) == "1.2.3.4"
