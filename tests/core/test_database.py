"""The data path: transactions that commit whole or not at all, concurrent writers that
never see "database is locked", and migrations that match the tables."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder
from piccolo.querystring import QueryString

from portal import clock, db
from portal.accounts.tables import ThrottleEvent
from portal.db import PortalSQLiteEngine, get_engine

sqlite_only = pytest.mark.skipif(
    not isinstance(get_engine(), PortalSQLiteEngine), reason="SQLite engine behaviour"
)


async def test_a_failed_transaction_leaves_nothing_behind():
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="a", at=clock.now()))
            raise RuntimeError("something went wrong half-way")
    assert await ThrottleEvent.count() == 0


async def test_many_concurrent_writers_all_succeed():
    async def write(n: int) -> None:
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key=f"k{n}", at=clock.now()))
            await ThrottleEvent.count().where(ThrottleEvent.key == f"k{n}")
        await ThrottleEvent.insert(ThrottleEvent(key=f"plain{n}", at=clock.now()))

    await asyncio.gather(*(write(n) for n in range(200)))
    assert await ThrottleEvent.count() == 400


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
            await ThrottleEvent.insert(ThrottleEvent(key="pending", at=clock.now()))
            inside.set()
            await release.wait()

    writer = asyncio.create_task(slow_writer())
    await reached(inside, writer)
    try:
        # A reader outside the transaction answers at once and does not see uncommitted rows.
        assert await asyncio.wait_for(ThrottleEvent.count(), timeout=2) == 0
    finally:
        release.set()
        await writer
    assert await ThrottleEvent.count() == 1


async def test_written_out_reads_see_their_own_transaction_and_only_committed_rows_outside():
    sql = "SELECT key FROM throttle_event WHERE key = {}"
    inside, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="mine", at=clock.now()))
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
        "throttle_event", ("key", "at"), [("one", at), ("two", at)], " RETURNING key"
    )
    assert sorted(row["key"] for row in rows) == ["one", "two"]
    await ThrottleEvent.insert(ThrottleEvent(key="three", at=at))
    stored = await ThrottleEvent.select(ThrottleEvent.key, ThrottleEvent.at).order_by(
        ThrottleEvent.key
    )
    # Same column values (the time as a datetime, to the microsecond) whoever wrote them.
    assert stored == [
        {"key": "one", "at": at},
        {"key": "three", "at": at},
        {"key": "two", "at": at},
    ]

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.insert("throttle_event", ("key", "at"), [("four", at)])
            raise RuntimeError("something went wrong half-way")
    assert await ThrottleEvent.count().where(ThrottleEvent.key == "four") == 0


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
async def test_sqlite_keeps_its_connections_instead_of_opening_one_per_query():
    engine = get_engine()
    await ThrottleEvent.count()
    first = await engine.connections()
    for _ in range(5):
        await ThrottleEvent.count()
        await ThrottleEvent.insert(ThrottleEvent(key="x", at=clock.now()))
    assert await engine.connections() is first


@asynccontextmanager
async def other_process_writing() -> AsyncIterator[None]:
    """Holds the writers' lock file through a descriptor of its own, as another
    `portal serve` worker does while it writes (taken in a thread: it may have to wait)."""
    fd = os.open(f"{get_engine().path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.wait_for(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX), timeout=2)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@sqlite_only
async def test_a_write_waits_for_another_process_writing_and_goes_ahead_when_it_ends():
    await ThrottleEvent.count()  # connections open
    async with other_process_writing():
        write = asyncio.create_task(db_transaction_insert("waits"))
        await asyncio.sleep(0.3)
        assert not write.done()
        assert await ThrottleEvent.count() == 0  # reads go on meanwhile
    await asyncio.wait_for(write, timeout=2)
    assert await ThrottleEvent.count() == 1


@sqlite_only
async def test_a_write_given_up_while_waiting_does_not_keep_the_others_out():
    await ThrottleEvent.count()
    async with other_process_writing():
        waiting = asyncio.create_task(db_transaction_insert("given up"))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    async with other_process_writing():  # the abandoned wait handed the lock back...
        pass
    await asyncio.wait_for(db_transaction_insert("next"), timeout=2)  # ...and so does this one
    assert [r["key"] for r in await ThrottleEvent.select(ThrottleEvent.key)] == ["next"]


async def checkpoint_done(conns: db._Connections) -> None:
    """Wait for the checkpoint that the last write planned."""
    planned = conns.checkpoint_planned
    assert planned is not None, "a write plans a checkpoint"
    await asyncio.sleep(planned.when() - asyncio.get_running_loop().time() + 0.01)
    assert conns.checkpointing is not None
    await asyncio.wait_for(conns.checkpointing, timeout=5)


def wal_size() -> int:
    return Path(f"{get_engine().path}-wal").stat().st_size


@sqlite_only
async def test_writes_run_on_the_event_loop_and_their_checkpoint_in_a_thread():
    """Copying the write-ahead log into the database file syncs it (up to hundreds of
    milliseconds): the event loop must go on serving meanwhile. Commits only append to
    the log, and run on the loop."""
    conns = await get_engine().connections()
    ran: list[tuple[str, bool]] = []  # (statement, on the event loop's thread?)
    loop_thread = threading.get_ident()

    def trace(statement: str) -> None:
        ran.append((statement.split()[0].upper(), threading.get_ident() == loop_thread))

    conns.writer.conn.set_trace_callback(trace)
    try:
        await db_transaction_insert("in a transaction")
        await ThrottleEvent.insert(ThrottleEvent(key="on its own", at=clock.now()))
        await checkpoint_done(conns)
    finally:
        conns.writer.conn.set_trace_callback(None)
    a_write = [("BEGIN", True), ("SAVEPOINT", True), ("INSERT", True), ("RELEASE", True)]
    assert ran == [*a_write, ("COMMIT", True), *a_write, ("COMMIT", True), ("PRAGMA", False)]


def commits_counted(conns: db._Connections) -> list[str]:
    """Every COMMIT the writer runs from now on (until the trace is taken off)."""
    commits: list[str] = []
    conns.writer.conn.set_trace_callback(
        lambda statement: commits.append(statement) if statement == "COMMIT" else None
    )
    return commits


@sqlite_only
async def test_writes_queued_together_share_one_commit_and_each_returns_once_it_is_stored():
    conns = await get_engine().connections()
    path = get_engine().path
    seen_by_another_connection: list[bool] = []

    async def write(key: str) -> None:
        await db_transaction_insert(key)
        # Stored for good when the write returns: a new connection (another process,
        # the next request) finds it.
        with sqlite3.connect(path) as other:
            found = other.execute("SELECT 1 FROM throttle_event WHERE key = ?", (key,))
            seen_by_another_connection.append(found.fetchone() is not None)

    commits = commits_counted(conns)
    try:
        async with other_process_writing():  # the writes queue meanwhile
            writes = [asyncio.create_task(write(f"w{n}")) for n in range(20)]
            await asyncio.sleep(0.2)
        await asyncio.wait_for(asyncio.gather(*writes), timeout=5)
    finally:
        conns.writer.conn.set_trace_callback(None)
    assert seen_by_another_connection == [True] * 20
    assert await ThrottleEvent.count() == 20
    assert len(commits) == 1


@sqlite_only
async def test_a_failing_write_in_a_shared_commit_takes_back_only_its_own_rows():
    async def failing() -> None:
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="failing", at=clock.now()))
            raise RuntimeError("something went wrong half-way")

    async def duplicate() -> None:  # a statement SQLite itself refuses
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="duplicate", at=clock.now()))
            await get_engine().run_querystring(
                QueryString(
                    "INSERT INTO throttle_event (id, key, at) SELECT id, key, at"
                    " FROM throttle_event WHERE key = 'duplicate'"
                )
            )

    await ThrottleEvent.count()
    async with other_process_writing():
        tasks = [
            asyncio.create_task(db_transaction_insert("first")),
            asyncio.create_task(failing()),
            asyncio.create_task(duplicate()),
            asyncio.create_task(db_transaction_insert("last")),
        ]
        await asyncio.sleep(0.2)
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    assert results[0] is None and results[3] is None
    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[2], sqlite3.IntegrityError)
    stored = await ThrottleEvent.select(ThrottleEvent.key).order_by(ThrottleEvent.key)
    assert [row["key"] for row in stored] == ["first", "last"]


@sqlite_only
@pytest.mark.parametrize("ticks", range(8))
async def test_writes_given_up_at_any_moment_leave_no_transaction_open(ticks: int):
    """Writers cancelled while queued or waiting for their commit: the others' writes
    are still committed, and the writers' turn is handed back to the other processes."""
    conns = await get_engine().connections()
    tasks = [asyncio.create_task(db_transaction_insert(f"w{n}")) for n in range(6)]
    for _ in range(ticks):
        await asyncio.sleep(0)
    tasks[1].cancel()
    tasks[4].cancel()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=5)
    kept = {f"w{n}" for n, task in enumerate(tasks) if not task.cancelled()}
    stored = {row["key"] for row in await ThrottleEvent.select(ThrottleEvent.key)}
    assert kept <= stored  # a write cancelled after its turn may be stored too
    assert conns.open is None
    async with other_process_writing():  # times out if the lock file was kept
        pass


@sqlite_only
async def test_the_write_ahead_log_is_copied_back_and_reused_instead_of_growing():
    conns = await get_engine().connections()
    note = "x" * 3000  # about a page a row

    async def write_a_burst(burst: int) -> None:
        for n in range(200):
            await db_transaction_insert(f"{burst}-{n}-{note}")
        await checkpoint_done(conns)

    await write_a_burst(1)
    after_one = wal_size()
    for burst in range(2, 5):
        await write_a_burst(burst)
    assert await ThrottleEvent.count() == 800
    assert after_one > 200 * 3000  # the burst went through the log...
    assert wal_size() < 1.5 * after_one  # ...which started over after each checkpoint


@sqlite_only
async def test_a_write_given_up_while_it_was_next_in_line_does_not_hold_up_the_others():
    """The last write of a shared commit leaves the COMMIT to the write queued behind it;
    if that one is given up (its client went away) before its turn, the COMMIT must
    still happen and the writers' turn be handed back."""
    conns = await get_engine().connections()
    if conns.checkpoint_planned is not None:  # it would commit what is left open
        conns.checkpoint_planned.cancel()
        conns.checkpoint_planned = None
    go = asyncio.Event()

    async def first() -> None:  # holds the writer until told to finish
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="first", at=clock.now()))
            await go.wait()

    async def second() -> None:
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="second", at=clock.now()))
            third.cancel()  # given up while queued right behind this one

    writes = [asyncio.create_task(first())]
    await asyncio.sleep(0.05)
    writes.append(asyncio.create_task(second()))
    third = asyncio.create_task(db_transaction_insert("third"))
    await asyncio.sleep(0.05)
    go.set()
    await asyncio.wait_for(asyncio.gather(*writes), timeout=2)
    assert third.cancelled()
    stored = await ThrottleEvent.select(ThrottleEvent.key).order_by(ThrottleEvent.key)
    assert [row["key"] for row in stored] == ["first", "second"]
    async with other_process_writing():  # times out if the lock file was kept
        pass


@sqlite_only
async def test_when_sqlite_rolls_a_shared_transaction_back_every_write_in_it_fails_and_the_next_succeeds():
    """A full disk or an I/O error makes SQLite roll the whole transaction back (here
    forced with ROLLBACK): the writes that shared it must fail, not report success; the
    writes queued behind start a transaction of their own."""

    async def breaks_it() -> None:
        async with db.transaction():
            await ThrottleEvent.insert(ThrottleEvent(key="broken", at=clock.now()))
            await get_engine().run_querystring(QueryString("ROLLBACK"))
            raise RuntimeError("disk full")

    await ThrottleEvent.count()
    async with other_process_writing():  # all three queue, and share one transaction
        tasks = [
            asyncio.create_task(db_transaction_insert("before")),
            asyncio.create_task(breaks_it()),
            asyncio.create_task(db_transaction_insert("after")),
        ]
        await asyncio.sleep(0.2)
    before, broken, after = await asyncio.wait_for(
        asyncio.gather(*tasks, return_exceptions=True), timeout=5
    )
    assert isinstance(before, sqlite3.OperationalError)  # rolled back with the others
    assert isinstance(broken, RuntimeError)
    assert after is None
    assert [row["key"] for row in await ThrottleEvent.select(ThrottleEvent.key)] == ["after"]


async def db_transaction_insert(key: str) -> None:
    async with db.transaction():
        await ThrottleEvent.insert(ThrottleEvent(key=key, at=clock.now()))


async def test_tables_and_migrations_agree():
    """Fails when a table changed without `piccolo migrations new <app> --auto`."""
    manager = AutoMigrationManager(auto_input="y")
    for app_config in Finder().get_app_configs():
        if app_config.app_name == "migrations":
            continue  # Piccolo's own bookkeeping app
        statements = await manager.get_alter_statements(app_config)
        changes = [s for alter in statements for s in alter.statements]
        assert not changes, f"{app_config.app_name} needs a migration: {changes}"
