"""argon2id at OWASP's minimum or above, hashed off the event loop, a few at a time."""

from __future__ import annotations

import asyncio
import threading

from portal import security


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
