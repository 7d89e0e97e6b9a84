"""Sign-in throttling: failures slow a guesser down (growing delays per account and per
address and account), counted before the password is checked so that parallel guesses
are held too; the right password from a browser that has signed in before is never
refused; and X-Forwarded-For is believed only from a configured proxy."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
from datetime import timedelta

import pytest

from portal import clock
from portal.core.tables import RateLimitEvent
from portal.security import client_address
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in

WRONG = "not the password"


async def _try(client, email, password=WRONG, headers=None):
    return await post_form(
        client, "/login", {"email": email, "password": password}, headers=headers or {}
    )


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """The portal's clock stands still unless a test moves it: a delay never runs out
    while a slow machine checks a password."""
    _later(monkeypatch)


def _later(monkeypatch, **delta):
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


async def test_of_40_parallel_wrong_passwords_at_most_5_are_checked(client, make_user):
    admin = await make_user("admin")
    await csrf_token(client)
    answers = await asyncio.gather(*(_try(client, admin.email) for _ in range(40)))
    checked = [a for a in answers if a.status_code == 400]
    refused = [a for a in answers if a.status_code == 429]
    # Each try counts the others recorded before it: at most five see fewer than five.
    assert len(checked) <= 5, len(checked)
    assert len(checked) + len(refused) == 40
    assert "Too many failed sign-in attempts" in refused[0].text


async def test_five_failures_slow_the_next_try_down_without_a_lockout(
    client, make_user, monkeypatch
):
    user = await make_user("officer")
    for _ in range(5):
        assert (await _try(client, user.email)).status_code == 400
    # From a browser it has never signed in from, the next try waits a moment ...
    response = await _try(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Wait 1 minute and try again." in response.text
    _later(monkeypatch, seconds=2)
    assert (await _try(client, user.email, PASSWORD)).status_code == 303
    # ... and the refused try was not counted as one more failure.
    assert await RateLimitEvent.count() == 5


async def test_each_further_failure_waits_longer(client, make_user, monkeypatch):
    user = await make_user("officer")
    for _ in range(5):
        await _try(client, user.email)
    waits = []
    for _ in range(4):
        _later(monkeypatch, seconds=1)
        seconds = 0
        while (await _try(client, user.email)).status_code == 429:
            _later(monkeypatch, seconds=1)
            seconds += 1
        waits.append(seconds)
    assert waits == [0, 1, 3, 7]  # 1, 2, 4 and 8 seconds after the failure before


async def test_the_right_password_from_a_browser_that_signed_in_before_is_never_refused(
    client, client_at, make_user
):
    admin = await make_user("admin")
    await sign_in(client, admin)
    await post_form(client, "/logout")
    assert "portal_device" in client.cookies

    # Guessers at the admin's own address and elsewhere, until they are held up.
    same_address = await client_at("203.0.113.7")
    elsewhere = await client_at("198.51.100.20")
    for guesser in (same_address, elsewhere):
        answers = [(await _try(guesser, admin.email)).status_code for _ in range(20)]
        assert answers == [400] * 5 + [429] * 15
        assert (await _try(guesser, admin.email, PASSWORD)).status_code == 429

    assert (await _try(client, admin.email, PASSWORD)).status_code == 303


async def test_a_browser_that_signed_in_before_is_slowed_by_its_own_failures(client, make_user):
    user = await make_user("officer")
    await sign_in(client, user)
    await post_form(client, "/logout")
    for _ in range(5):
        assert (await _try(client, user.email)).status_code == 400
    assert (await _try(client, user.email, PASSWORD)).status_code == 429


async def test_failures_on_30_accounts_from_one_address_lock_no_one_out(
    client, client_at, make_user
):
    victim = await make_user("officer")
    for n in range(30):
        await _try(client, f"guess{n}@test.example")
    # A colleague behind the same office address, in a browser never used to sign in.
    colleague = await client_at("203.0.113.7")
    assert (await _try(colleague, victim.email, PASSWORD)).status_code == 303


async def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(client, make_user):
    victim = await make_user("officer")
    for n in range(5):
        await _try(client, victim.email, headers={"x-forwarded-for": f"10.0.0.{n}"})
    response = await _try(client, victim.email, PASSWORD, headers={"x-forwarded-for": "10.9.9.9"})
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
