"""Database engines: SQLite (WAL, long-lived connections) and PostgreSQL (pooled).

Piccolo's stock SQLiteEngine opens a fresh connection (and a thread) for every query
outside a transaction, and lets concurrent writers fight over the file lock. Ours keeps
one reader and one writer connection per event loop, and runs their statements right on
the loop: handing a statement to a connection's thread and back (aiosqlite) cost several
times what SQLite spends on it, and every query of the portal is indexed and takes well
under a few milliseconds, even at a million complaints (bench/queue_bench.py).

Reads outside a transaction go to the reader (WAL lets them run beside a write). Every
write and every transaction takes the writer: first an asyncio lock (one transaction at a
time in this process), then a lock file that the worker processes take turns on, then
BEGIN IMMEDIATE. The writes that queued meanwhile join that SQLite transaction, each in a
savepoint of its own, and one COMMIT stores them all (`_SharedCommit`): a COMMIT and each
turn on the lock file cost about as much as a complaint's inserts, so filings under load
share them. A commit only appends to the write-ahead log; copying the log into the
database file (a checkpoint, which syncs the file and may take a few hundred
milliseconds) runs in a thread a moment later (`_Connections.checkpoint`). Because the
portal's processes queue on the lock file, SQLite's busy timeout only ever waits for a
program outside the portal (an sqlite3 shell).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.exceptions import TransactionError
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from portal.settings import Settings, get_settings

log = logging.getLogger("portal.db")

BUSY_TIMEOUT_MS = 10_000
# How long after a write the log is copied into the database file (SQLite's own
# checkpoint after a commit is turned off: it ran inside the commit, on the loop).
CHECKPOINT_AFTER_S = 0.25
# At most this many tasks' writes wait for one COMMIT (see _SharedCommit).
MAX_SHARED_WRITES = 32


class _OnTheLoop:
    """A sqlite3 connection used on the event loop, with the awaitable methods that
    Piccolo's transactions and our engine call."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, args: Any = ()) -> None:
        self.conn.execute(sql, args)

    async def execute_fetchall(self, sql: str, args: Any = ()) -> list[Any]:
        return self.conn.execute(sql, args).fetchall()

    async def executemany(self, sql: str, rows: Any) -> None:
        self.conn.executemany(sql, rows)

    async def close(self) -> None:
        self.conn.close()


class _SharedCommit:
    """Writes of several tasks that one COMMIT makes durable: the tasks that queued for
    the writer while one wrote go in the same SQLite transaction, each in a savepoint of
    its own, so that a failing one takes back only its own writes. Every write still
    waits for that COMMIT before it returns."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.committed: asyncio.Future[None] = loop.create_future()
        # Read the outcome even if every waiting task has been cancelled meanwhile.
        self.committed.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.writes = 0


class _Connections:
    """The reader, the writer and the write lock that belong to one event loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        reader: _OnTheLoop,
        writer: _OnTheLoop,
        lock_file: int,
    ) -> None:
        self.loop = loop
        self.reader = reader
        self.writer = writer
        self.write_lock = asyncio.Lock()  # one task writes at a time in this process
        self.queued = 0  # tasks waiting for write_lock
        self.lock_file = lock_file
        self.open: _SharedCommit | None = None  # the transaction now open on the writer
        self.commit_planned = False
        self.checkpoint_planned: asyncio.TimerHandle | None = None
        self.checkpointing: asyncio.Task | None = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[_OnTheLoop]:
        """The writer, for this task alone; its writes are committed (or, if the block
        raises, taken back) before this returns."""
        shared = await self._start_write()
        kept = False
        try:
            yield self.writer
            kept = True
        finally:
            conn = self.writer.conn
            try:
                if not conn.in_transaction:
                    self._lost(shared)
                else:
                    if not kept:
                        conn.execute("ROLLBACK TO portal_write")
                    conn.execute("RELEASE portal_write")
                    shared.writes += 1
            finally:
                self.write_lock.release()
                self._plan_commit()
            if kept:
                await asyncio.shield(shared.committed)
            else:  # wait all the same: what this task reads next includes what it saw
                await asyncio.wait({shared.committed})

    async def _start_write(self) -> _SharedCommit:
        self.queued += 1
        try:
            await self.write_lock.acquire()
        except BaseException:
            self._plan_commit()  # the open transaction may have been waiting for this task
            raise
        finally:
            self.queued -= 1
        try:
            if self.open is None:
                # First in line among the processes, then SQLite's write lock.
                await _take_turn(self.lock_file)
                try:
                    self.writer.conn.execute("BEGIN IMMEDIATE")
                except BaseException:
                    fcntl.flock(self.lock_file, fcntl.LOCK_UN)
                    raise
                self.open = _SharedCommit(self.loop)
            self.writer.conn.execute("SAVEPOINT portal_write")
        except BaseException:
            self.write_lock.release()
            self._plan_commit()
            raise
        return self.open

    def _lost(self, shared: _SharedCommit) -> None:
        """SQLite rolled the whole transaction back (a full disk, an I/O error): every
        write that shared it is lost, and its task is told so; the next write starts
        afresh."""
        self.open = None
        fcntl.flock(self.lock_file, fcntl.LOCK_UN)
        shared.committed.set_exception(sqlite3.OperationalError("the transaction was rolled back"))

    def _plan_commit(self) -> None:
        if not self.commit_planned:
            self.commit_planned = True
            self.loop.call_soon(self._commit_unless_more_are_coming)

    def _commit_unless_more_are_coming(self) -> None:
        self.commit_planned = False
        shared = self.open
        if shared is None or self.write_lock.locked():
            return  # nothing open, or a task is writing: it plans again when it ends
        if self.queued and shared.writes < MAX_SHARED_WRITES:
            return  # the next task in line joins first, and plans again when it ends
        self._commit()

    def _commit(self) -> None:
        """COMMIT the open transaction (no task is writing). It only appends to the
        write-ahead log (synchronous = NORMAL: no fsync), so it runs on the loop; copying
        the log into the database file waits for checkpoint() a moment later."""
        shared, self.open = self.open, None
        if shared is None:
            return
        conn = self.writer.conn
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            # Tell the waiting writers first: this runs in a loop callback, and a failing
            # ROLLBACK must not leave them waiting for ever.
            shared.committed.set_exception(error)
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
        else:
            shared.committed.set_result(None)
        finally:
            fcntl.flock(self.lock_file, fcntl.LOCK_UN)
        if self.checkpoint_planned is None:
            self.checkpoint_planned = self.loop.call_later(
                CHECKPOINT_AFTER_S, self._start_checkpoint
            )

    def _start_checkpoint(self) -> None:
        self.checkpointing = self.loop.create_task(self.checkpoint())

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file. That may take a few hundred
        milliseconds (it syncs the file), so it runs in a thread. It takes the writers'
        turn: nothing is written meanwhile, so it gets to the end of the log and the
        next write can start the log over instead of growing it."""
        async with self.write_lock:
            self._commit()
            self.checkpoint_planned = None
            await _take_turn(self.lock_file)
            try:
                # fetchall() ends the statement: one left open would block the next COMMIT.
                await asyncio.to_thread(
                    lambda: self.writer.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                )
            except sqlite3.Error as error:  # the next write plans another
                log.warning("SQLite checkpoint failed: %s", error)
            finally:
                fcntl.flock(self.lock_file, fcntl.LOCK_UN)

    async def close(self) -> None:
        """Close both connections once a running checkpoint is done (SQLite copies the
        rest of the log when the last connection to the file closes)."""
        async with self.write_lock:  # a write under way finishes first
            self._commit()
        if self.checkpoint_planned is not None:
            self.checkpoint_planned.cancel()
        if self.checkpointing is not None:
            await self.checkpointing
        await self.reader.close()
        await self.writer.close()


async def _take_turn(lock_file: int) -> None:
    """Wait for the other processes' writers (`portal serve --workers N`) on a lock file.

    SQLite's own lock keeps the data safe either way; this only decides who waits how.
    Its busy handler polls with sleeps of up to 100 ms, which made the 99th percentile of
    two writing workers; a process blocked here is woken the moment the lock is free."""
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, lock_file, fcntl.LOCK_EX))
    try:
        await asyncio.shield(waiting)
    except asyncio.CancelledError:
        # The thread gets the lock in the end: hand it back as soon as it does.
        waiting.add_done_callback(lambda _: fcntl.flock(lock_file, fcntl.LOCK_UN))
        raise


class PortalSQLiteTransaction(SQLiteTransaction):
    """A transaction on the shared writer connection (_Connections.write): it commits,
    or is taken back if the block raises, when the block ends."""

    engine: PortalSQLiteEngine

    async def __aenter__(self) -> PortalSQLiteTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        conns = await self.engine.connections()
        self._write = conns.write()
        self.connection = await self._write.__aenter__()
        self.context = self.engine.current_transaction.set(self)
        return self

    async def commit(self) -> None:
        raise TransactionError("the transaction commits when its block ends")

    async def rollback(self) -> None:
        raise TransactionError("raise an exception in the block to roll the transaction back")

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        self.engine.current_transaction.reset(self.context)
        await self._write.__aexit__(exception_type, exception, traceback)
        return exception is None


class PortalSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, foreign keys, a busy timeout and long-lived connections."""

    def __init__(self, path: str, log_queries: bool = False) -> None:
        super().__init__(
            path=path,
            log_queries=log_queries,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        self._conns: _Connections | None = None
        self._opening: asyncio.Lock | None = None
        self._opening_loop: asyncio.AbstractEventLoop | None = None
        self._lock_file: int | None = None  # the processes' turn-taking file (see _take_turn)

    _PRAGMAS = (
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        # Each write in a shared commit has a savepoint, whose journal (the pages as they
        # were before it) outgrows SQLite's 64 KiB buffer and went to a temporary file:
        # created, written and deleted for every filing.
        "PRAGMA temp_store = MEMORY",
    )

    def _open(self, *pragmas: str) -> _OnTheLoop:
        conn = sqlite3.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory
        for pragma in (*self._PRAGMAS, *pragmas):
            conn.execute(pragma)
        return _OnTheLoop(conn)

    async def connections(self) -> _Connections:
        """The connections of the running loop, opened on first use."""
        loop = asyncio.get_running_loop()
        conns = self._conns
        if conns is not None and conns.loop is loop:
            return conns
        # One opener at a time, or concurrent first queries would each open their own.
        if self._opening is None or self._opening_loop is not loop:
            self._opening, self._opening_loop = asyncio.Lock(), loop
        async with self._opening:
            if self._conns is None or self._conns.loop is not loop:
                # A new loop (a CLI command after the server, a test): the old connections
                # belong to a loop that is gone, so open fresh ones.
                reader = self._open("PRAGMA query_only = ON")
                writer = self._open("PRAGMA wal_autocheckpoint = 0")
                if self._lock_file is None:
                    self._lock_file = os.open(
                        f"{self.path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600
                    )
                self._conns = _Connections(loop, reader, writer, self._lock_file)
            return self._conns

    async def close(self) -> None:
        """Close this loop's connections (at shutdown)."""
        conns, self._conns = self._conns, None
        if conns is not None:
            await conns.close()

    async def get_connection(self) -> Any:
        # Only Piccolo's batch() asks for this: give it a connection of its own.
        conn = await aiosqlite.connect(**self.connection_kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in self._PRAGMAS:
            await conn.execute(pragma)
        return conn

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        conns = await self.connections()
        # Piccolo tags only inserts with a query type, so look at the statement itself:
        # a plain SELECT cannot write, and goes to the reader.
        if query.lstrip()[:6].upper() == "SELECT":
            return await conns.reader.execute_fetchall(query, args or [])
        async with conns.write() as writer:
            return await writer.execute_fetchall(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        return await connection.execute_fetchall(query, args or [])

    async def run_written(self, sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        """Written-out SQL (db.select, db.insert) without Piccolo's query building. Outside
        a transaction it goes to the reader, which refuses to write."""
        query = sql.replace("{}", "?")  # the SQL has no other braces
        transaction = self.current_transaction.get()
        if transaction is not None:  # sees the transaction's own writes
            return await transaction.connection.execute_fetchall(query, values)
        return await (await self.connections()).reader.execute_fetchall(query, values)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PortalSQLiteTransaction:
        return PortalSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def make_engine(settings: Settings) -> Engine:
    """The engine for the configured database URL."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return PortalSQLiteEngine(str(path), log_queries=settings.log_queries)
    return PostgresEngine(
        config={"dsn": settings.database_url.replace("postgres://", "postgresql://", 1)},
        log_queries=settings.log_queries,
    )


@cache
def get_engine() -> Engine:
    """The process-wide engine (Piccolo's tables find it through portal.piccolo_conf)."""
    return make_engine(get_settings())


async def connect() -> None:
    """Open the pool or the long-lived connections (app start-up)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10)
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.connections()


async def disconnect() -> None:
    """Close what connect() opened (app shutdown)."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.close()


def icontains(column: Any, text: str) -> Any:
    """A case-insensitive "contains" filter on either database (SQLite's LIKE ignores
    case already and has no ILIKE)."""
    pattern = f"%{text}%"
    return column.ilike(pattern) if get_engine().engine_type == "postgres" else column.like(pattern)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction: everything inside commits together or not at all."""
    async with get_engine().transaction():
        yield


async def select(sql: str, *values: Any) -> list[dict[str, Any]]:
    """The rows of a SELECT written out by hand, `{}` marking each value (sent apart from
    the SQL), for the busiest pages: there Piccolo's query building costs more than the
    query itself."""
    return await _run_written(sql, values)


async def _run_written(sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    engine = get_engine()
    if isinstance(engine, PortalSQLiteEngine):
        return await engine.run_written(sql, values)
    rows = await engine.run_querystring(QueryString(sql, *values))
    return [dict(row) for row in rows]  # asyncpg gives records, read-only


async def insert(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], tail: str = ""
) -> list[dict[str, Any]]:
    """One INSERT of `rows` (values in the order of `columns`), written out for the
    busiest writes: Piccolo builds a Table object and a query per row, which costs more
    than storing it. Columns left out take the database's default, not Piccolo's: give
    the times. `tail` may add e.g. " RETURNING id". Runs in the current transaction, or
    in one of its own."""
    row = "(" + ", ".join("{}" for _ in columns) + ")"
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(row for _ in rows)
    sql = f'INSERT INTO "{table}" ({names}) VALUES {values}{tail}'  # noqa: S608 - our names
    async with transaction():
        return await _run_written(sql, [value for one in rows for value in one])


async def database_status() -> str:
    """'ok' when a trivial query answers, else a short reason (for /healthz)."""
    try:
        await get_engine().run_querystring(QueryString("SELECT 1", query_type="select"))
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (consistent under writes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
