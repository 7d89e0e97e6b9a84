"""argon2id at OWASP's minimum or above, hashed off the event loop, a few at a time, and\nrehashed at sign-in when the parameters change."""

from __future__ import annotations

import asyncio
import threading

from argon2 import PasswordHasher, Type

from portal import security
from portal.accounts.tables import User
from tests.conftest import PASSWORD, sign_in


async def test_hashes_are_argon2id_with_at_least_owasp_parameters():
    hashed = await security.hash_password("a long password")
    assert hashed.startswith("$argon2id$v=19$")
    params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert await security.verify_password(hashed, "a long password")
    assert not await security.verify_password(hashed, "a wrong password")
    assert not await security.verify_password(None, "anything")
    assert not await security.verify_password("not a hash", "anything")


async def test_hashing_leaves_the_event_loop_free_and_runs_a_limited_number_at_once(monkeypatch):
    real = security._hasher
    running, most = 0, 0
    lock = threading.Lock()

    class CountingHasher:
        def hash(self, password: str) -> str:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            try:
                return real.hash(password)
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(security, "_hasher", CountingHasher())
    security.configure_password_hashing(2)
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    await asyncio.gather(*(security.hash_password(f"password {n}") for n in range(6)))
    done.set()
    await ticking
    assert ticks > 6  # other work ran while the hashes were computed
    assert most == 2  # never more than the configured number at once


async def test_a_hash_made_with_older_parameters_is_renewed_at_sign_in(client, make_user):
    older = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    user = await make_user("officer", password_hash=older.hash(PASSWORD))
    await sign_in(client, user)
    stored = await User.select(User.password_hash).where(User.id == user.id).first()
    assert stored["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await security.verify_password(stored["password_hash"], PASSWORD)
