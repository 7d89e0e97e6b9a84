"""The data path: transactions that commit whole or not at all, concurrent writers that
never see "database is locked", and migrations that match the tables."""

from __future__ import annotations

import asyncio
import fcntl
import inspect
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder
from piccolo.querystring import QueryString

from portal import clock, db
from portal.core.tables import RateLimitEvent
from portal.db import PortalSQLiteEngine, get_engine

sqlite_only = pytest.mark.skipif(
    not isinstance(get_engine(), PortalSQLiteEngine), reason="SQLite engine behaviour"
)


async def test_a_failed_transaction_leaves_nothing_behind():
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await RateLimitEvent.insert(RateLimitEvent(key="a", at=clock.now()))
            raise RuntimeError("something went wrong half-way")
    assert await RateLimitEvent.count() == 0


async def test_many_concurrent_writers_all_succeed():
    async def write(n: int) -> None:
        async with db.transaction():
            await RateLimitEvent.insert(RateLimitEvent(key=f"k{n}", at=clock.now()))
            await RateLimitEvent.count().where(RateLimitEvent.key == f"k{n}")
        await RateLimitEvent.insert(RateLimitEvent(key=f"plain{n}", at=clock.now()))

    await asyncio.gather(*(write(n) for n in range(200)))
    assert await RateLimitEvent.count() == 400


async def reached(point: asyncio.Event, task: asyncio.Task) -> None:
    """Wait until `task` reaches `point`; if it ends first, fail with its own error
    instead of waiting for ever."""
    waiting = asyncio.ensure_future(point.wait())
    await asyncio.wait({waiting, task}, return_when=asyncio.FIRST_COMPLETED)
    if not waiting.done():
        waiting.cancel()
        task.result()
        raise AssertionError("the task ended before reaching the point")


async def test_readers_are_not_held_up_by_an_open_write_transaction():
    inside, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction():
            await RateLimitEvent.insert(RateLimitEvent(key="pending", at=clock.now()))
            inside.set()
            await release.wait()

    writer = asyncio.create_task(slow_writer())
    await reached(inside, writer)
    try:
        # A reader outside the transaction answers at once and does not see uncommitted rows.
        assert await asyncio.wait_for(RateLimitEvent.count(), timeout=2) == 0
    finally:
        release.set()
        await writer
    assert await RateLimitEvent.count() == 1


async def test_written_out_reads_see_their_own_transaction_and_only_committed_rows_outside():
    sql = "SELECT key FROM rate_limit_event WHERE key = {}"
    inside, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await RateLimitEvent.insert(RateLimitEvent(key="mine", at=clock.now()))
            assert await db.select(sql, "mine") == [{"key": "mine"}]
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await reached(inside, task)
    try:
        assert await db.select(sql, "mine") == []  # not committed yet
    finally:
        release.set()
        await task
    assert await db.select(sql, "mine") == [{"key": "mine"}]


async def test_written_out_inserts_read_back_as_piccolo_wrote_them_and_roll_back_with_a_transaction():
    at = clock.now()
    rows = await db.insert(
        "rate_limit_event", ("key", "at"), [("one", at), ("two", at)], " RETURNING key"
    )
    assert sorted(row["key"] for row in rows) == ["one", "two"]
    await RateLimitEvent.insert(RateLimitEvent(key="three", at=at))
    stored = await RateLimitEvent.select(RateLimitEvent.key, RateLimitEvent.at).order_by(
        RateLimitEvent.key
    )
    # Same column values (the time as a datetime, to the microsecond) whoever wrote them.
    assert stored == [
        {"key": "one", "at": at},
        {"key": "three", "at": at},
        {"key": "two", "at": at},
    ]

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.insert("rate_limit_event", ("key", "at"), [("four", at)])
            raise RuntimeError("something went wrong half-way")
    assert await RateLimitEvent.count().where(RateLimitEvent.key == "four") == 0


async def test_a_long_read_aside_reads_as_select_does_while_the_loop_goes_on():
    at = clock.now()
    await db.insert("rate_limit_event", ("key", "at"), [("one", at), ("two", at)])
    sql = "SELECT key, at FROM rate_limit_event WHERE at >= {} ORDER BY key"
    assert await db.select_aside(sql, at) == await db.select(sql, at)
    assert [row["at"] for row in await db.select_aside(sql, at)] == [at, at]

    # A read of a couple of million rows: other work gets turns while it runs (on
    # SQLite's on-the-loop connections it would wait until the read was done).
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})"
        " SELECT count(*) AS c FROM n"
    )
    read = asyncio.create_task(db.select_aside(slow, 2_000_000))
    turns = 0
    while not read.done():
        turns += 1
        await asyncio.sleep(0.001)
    assert (await read)[0]["c"] == 2_000_000
    assert turns > 5


@sqlite_only
async def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout():
    engine = get_engine()

    async def pragma(name: str) -> object:
        rows = await engine.run_querystring(QueryString(f"PRAGMA {name}", query_type="select"))
        return next(iter(rows[0].values()))

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert await pragma("busy_timeout") >= 5000


@sqlite_only
async def test_sqlite_syncs_each_commit_so_a_receipt_shown_survives_a_power_cut():
    writer = (await get_engine().connections()).writer.conn
    assert writer.execute("PRAGMA synchronous").fetchone()["synchronous"] == 2  # FULL


@sqlite_only
async def test_sqlite_keeps_its_connections_instead_of_opening_one_per_query():
    engine = get_engine()
    await RateLimitEvent.count()
    first = await engine.connections()
    for _ in range(5):
        await RateLimitEvent.count()
        await RateLimitEvent.insert(RateLimitEvent(key="x", at=clock.now()))
    assert await engine.connections() is first
    assert await RateLimitEvent.count() == 5


def test_piccolo_still_calls_what_the_sqlite_engine_overrides():
    """PortalSQLiteEngine overrides `_run_in_new_connection` and `transaction`, and its
    WriterTransaction `get_connection`, `begin` and `__aexit__`: a Piccolo release that
    renames or stops calling them must fail here, not in production."""
    from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction

    assert list(inspect.signature(SQLiteEngine._run_in_new_connection).parameters) == [
        "self",
        "query",
        "args",
        "query_type",
        "table",
    ]
    assert "self._run_in_new_connection(" in inspect.getsource(SQLiteEngine.run_querystring)
    enter = inspect.getsource(SQLiteTransaction.__aenter__)
    assert "await self.get_connection()" in enter and "await self.begin()" in enter
    # The lent writer is handed back by WriterTransaction, never closed by Piccolo's.
    assert "await self.connection.close()" in inspect.getsource(SQLiteTransaction.__aexit__)


async def test_piccolos_commit_and_rollback_work_inside_a_transaction():
    async with get_engine().transaction() as transaction:
        await RateLimitEvent.insert(RateLimitEvent(key="taken back", at=clock.now()))
        await transaction.rollback()
    async with get_engine().transaction() as transaction:
        await RateLimitEvent.insert(RateLimitEvent(key="kept", at=clock.now()))
        await transaction.commit()
    async with get_engine().transaction() as transaction:
        await RateLimitEvent.insert(RateLimitEvent(key="before the savepoint", at=clock.now()))
        savepoint = await transaction.savepoint()
        await RateLimitEvent.insert(RateLimitEvent(key="after the savepoint", at=clock.now()))
        await savepoint.rollback_to()
    stored = await RateLimitEvent.select(RateLimitEvent.key).order_by(RateLimitEvent.key)
    assert [row["key"] for row in stored] == ["before the savepoint", "kept"]


async def test_a_failing_transaction_never_takes_another_ones_rows_with_it():
    """Filings that arrive together are each committed, or taken back, on their own."""

    async def failing(n: int) -> None:
        async with db.transaction():
            await RateLimitEvent.insert(RateLimitEvent(key=f"failing{n}", at=clock.now()))
            await asyncio.sleep(0)  # let the others in, if they could get in
            raise RuntimeError("something went wrong half-way")

    tasks = [db_transaction_insert(f"ok{n}") for n in range(10)]
    tasks += [failing(n) for n in range(10)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[:10] == [None] * 10
    assert all(isinstance(result, RuntimeError) for result in results[10:])
    stored = {row["key"] for row in await RateLimitEvent.select(RateLimitEvent.key)}
    assert stored == {f"ok{n}" for n in range(10)}


@contextmanager
def outside_program_writing() -> Iterator[None]:
    """Holds SQLite's write lock through a connection of its own, as a program outside
    the portal (an sqlite3 shell) may."""
    other = sqlite3.connect(get_engine().path, isolation_level=None, timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@sqlite_only
@pytest.mark.parametrize("ticks", range(8))
async def test_writes_given_up_at_any_moment_leave_no_transaction_open(ticks: int):
    """Writers cancelled while queued, beginning or committing (a request given up):
    the others' writes are still committed, and the writer is free afterwards."""
    tasks = [asyncio.create_task(db_transaction_insert(f"w{n}")) for n in range(6)]
    for _ in range(ticks):
        await asyncio.sleep(0)
    tasks[1].cancel()
    tasks[4].cancel()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=5)
    kept = {f"w{n}" for n, task in enumerate(tasks) if not task.cancelled()}
    await asyncio.wait_for(db_transaction_insert("next"), timeout=5)
    stored = {row["key"] for row in await RateLimitEvent.select(RateLimitEvent.key)}
    assert kept | {"next"} <= stored  # a write cancelled after its COMMIT may be stored too
    with outside_program_writing():  # fails if our writer kept a transaction open
        pass


@asynccontextmanager
async def other_process_taking_its_turn() -> AsyncIterator[None]:
    """Holds the writers' lock file through a descriptor of its own, as another `portal
    serve` worker does while it writes (taken in a thread: it may have to wait)."""
    fd = os.open(f"{get_engine().path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.wait_for(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX), timeout=5)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@sqlite_only
async def test_processes_take_turns_and_a_write_given_up_in_line_hands_its_turn_back():
    await RateLimitEvent.count()
    async with other_process_taking_its_turn():
        waiting = asyncio.create_task(db_transaction_insert("given up"))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # waits for the other process's turn to end
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    async with other_process_taking_its_turn():  # times out if the turn was kept
        pass
    await asyncio.wait_for(db_transaction_insert("next"), timeout=5)
    async with other_process_taking_its_turn():  # and each write hands it back
        pass
    assert [r["key"] for r in await RateLimitEvent.select(RateLimitEvent.key)] == ["next"]


@sqlite_only
async def test_a_write_waits_for_another_processs_turn_while_reads_and_the_loop_go_on():
    await RateLimitEvent.count()  # connections open
    async with other_process_taking_its_turn():
        write = asyncio.create_task(db_transaction_insert("waits"))
        started = time.monotonic()
        await asyncio.sleep(0.3)
        assert time.monotonic() - started < 0.5  # the loop was not held by the wait
        assert not write.done()
        assert await RateLimitEvent.count() == 0  # reads go on meanwhile
    await asyncio.wait_for(write, timeout=5)
    assert await RateLimitEvent.count() == 1


def wal_size() -> int:
    return Path(f"{get_engine().path}-wal").stat().st_size


@sqlite_only
async def test_the_write_ahead_log_is_copied_back_and_reused_instead_of_growing():
    """Commits only append to the log; a checkpoint in a thread copies it into the
    database file, so that the log starts over instead of growing with every write."""
    conns = await get_engine().connections()
    note = "x" * 3000  # about a page a row

    async def write_a_burst(burst: int) -> None:
        for n in range(200):
            await db_transaction_insert(f"{burst}-{n}-{note}")
        while conns.checkpointing is not None and not conns.checkpointing.done():
            await conns.checkpointing
        conns.checkpoint_soon()  # the last commit's pages too
        await conns.checkpointing

    await write_a_burst(1)
    after_one = wal_size()
    for burst in range(2, 6):
        await write_a_burst(burst)
    assert await RateLimitEvent.count() == 1000
    assert wal_size() < 2 * after_one  # five bursts' worth went through it


async def db_transaction_insert(key: str) -> None:
    async with db.transaction():
        await RateLimitEvent.insert(RateLimitEvent(key=key, at=clock.now()))


async def test_tables_and_migrations_agree():
    """Fails when a table changed without `piccolo migrations new <app> --auto`."""
    manager = AutoMigrationManager(auto_input="y")
    for app_config in Finder().get_app_configs():
        if app_config.app_name == "migrations":
            continue  # Piccolo's own bookkeeping app
        statements = await manager.get_alter_statements(app_config)
        changes = [s for alter in statements for s in alter.statements]
        assert not changes, f"{app_config.app_name} needs a migration: {changes}"
