"""Database engines: SQLite (WAL, long-lived connections) and PostgreSQL (pooled).

Piccolo's stock SQLiteEngine opens a fresh connection (and a thread) for every query
outside a transaction, and lets concurrent writers fight over the file lock ("database is
locked"). PortalSQLiteEngine keeps two connections per process instead: a reader for the
queries outside a transaction (WAL lets them run beside a write) and a writer that one
transaction at a time has to itself, opened with BEGIN IMMEDIATE. Both run their
statements in aiosqlite's thread, so the event loop never waits on the disk. Writers of
several processes (`portal serve --workers N`) take turns on a lock file beside the
database.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from portal.settings import Settings, get_settings

BUSY_TIMEOUT_MS = 10_000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # a commit appends to the log; the checkpoint syncs
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)


class _Connections:
    """The reader and the writer of one event loop (a CLI command or a test may run
    several loops one after the other)."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, reader: Any, writer: Any, lock_file: int
    ) -> None:
        self.loop = loop
        self.reader = reader
        self.writer = writer
        self.writer_free = asyncio.Lock()  # one transaction at a time in this process
        self.lock_file = lock_file  # and one process at a time (see _take_turn)

    async def close(self) -> None:
        async with self.writer_free:  # a transaction under way ends first
            await self.reader.close()
            await self.writer.close()
        os.close(self.lock_file)

    def stop(self) -> None:
        """Close both from another loop (their threads would keep the process alive)."""
        self.reader.stop()
        self.writer.stop()
        os.close(self.lock_file)


class _LentWriter:
    """The writer as Piccolo's SQLiteTransaction uses it: it runs statements on it, then
    closes it when the transaction ends, which here only hands it back (see
    WriterTransaction)."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.row_factory = dict_factory  # Piccolo sets it on every query; set once at open

    def execute(self, sql: str, parameters: Any = None) -> Any:
        return self.connection.execute(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Any = None) -> Any:
        return await self.connection.execute_fetchall(sql, parameters)

    async def executemany(self, sql: str, rows: Any) -> Any:
        return await self.connection.executemany(sql, rows)

    async def close(self) -> None:
        pass


class WriterTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, on the process's writer connection: it waits until
    the transaction before it has ended, and leaves nothing open for the one after it,
    even when it is given up half-way (a cancelled request)."""

    engine: PortalSQLiteEngine

    async def get_connection(self) -> _LentWriter:
        self.conns = await self.engine.connections()
        await self.conns.writer_free.acquire()
        try:
            await _take_turn(self.conns.lock_file)
        except BaseException:
            self.conns.writer_free.release()
            raise
        return _LentWriter(self.conns.writer)

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            await self._hand_back(cleanly=False)
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return await super().__aexit__(exception_type, exception, traceback)
        cleanly = False
        try:
            result = await super().__aexit__(exception_type, exception, traceback)
            cleanly = True
            return result
        finally:
            await self._hand_back(cleanly)

    async def _hand_back(self, cleanly: bool) -> None:
        if not cleanly:
            # Queued before the next transaction's BEGIN (the writer runs its statements
            # in order); sqlite3's rollback() does nothing when no transaction is open.
            rollback = asyncio.ensure_future(self.conns.writer.rollback())
            rollback.add_done_callback(lambda done: done.cancelled() or done.exception())
        fcntl.flock(self.conns.lock_file, fcntl.LOCK_UN)
        self.conns.writer_free.release()


async def _take_turn(lock_file: int) -> None:
    """Wait for the other processes' writers (`portal serve --workers N`) on a lock file.
    SQLite's own lock keeps the data safe either way, but its busy timeout polls with
    sleeps of up to 100 ms; a process waiting here is woken the moment it is its turn."""
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


class PortalSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with WAL, foreign keys, a busy timeout and two long-lived
    connections (see the module's docstring).

    Piccolo methods it overrides (tests/core/test_database.py fails if Piccolo stops
    calling them as assumed here):
    - `_run_in_new_connection()`, where Piccolo runs a query outside a transaction: a
      SELECT goes to the reader, anything else to the writer in a transaction of its own;
    - `_run_in_existing_connection()`, where it runs one inside a transaction: in one
      call to the connection's thread (foreign keys are on from the start);
    - `transaction()`, which returns a WriterTransaction, IMMEDIATE by default.
    """

    def __init__(self, path: str, log_queries: bool = False) -> None:
        super().__init__(path=path, log_queries=log_queries, timeout=BUSY_TIMEOUT_MS / 1000)
        self._opening: asyncio.Task[_Connections] | None = None

    async def _open(self, *pragmas: str) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in (*PRAGMAS, *pragmas):
            await connection.execute(pragma)
        return connection

    async def connections(self) -> _Connections:
        """The reader and the writer of the running loop, opened on its first query."""
        loop = asyncio.get_running_loop()
        if self._opening is None or self._opening.get_loop() is not loop:
            self._stop_leftovers()
            self._opening = loop.create_task(self._open_connections(loop))
        return await self._opening

    async def _open_connections(self, loop: asyncio.AbstractEventLoop) -> _Connections:
        reader = await self._open("PRAGMA query_only = ON")
        writer = await self._open()
        lock_file = os.open(f"{self.path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        return _Connections(loop, reader, writer, lock_file)

    def _stop_leftovers(self) -> None:
        """Stop the connections of a loop that has ended (a CLI command, a test)."""
        opening, self._opening = self._opening, None
        if opening is not None and opening.done() and not opening.exception():
            opening.result().stop()

    async def close(self) -> None:
        """Close this loop's connections (at shutdown)."""
        opening, self._opening = self._opening, None
        if opening is not None:
            await (await opening).close()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Piccolo tags only inserts with a query type, so look at the statement itself.
        if query.lstrip()[:6].upper() == "SELECT":
            conns = await self.connections()
            return await conns.reader.execute_fetchall(query, args or [])
        async with self.transaction() as transaction:
            return await transaction.connection.execute_fetchall(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # One trip to the connection's thread instead of four (Piccolo's turns foreign
        # keys on before every statement, then executes, fetches and closes a cursor).
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> WriterTransaction:
        return WriterTransaction(
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
    """The rows of a SELECT written out by hand, `{}` marking each value (Piccolo's
    QueryString sends them apart from the SQL, with the database's own placeholders),
    for the busiest pages: there Piccolo's query building costs more than the query."""
    return await _run(sql, values)


async def _run(sql: str, values: Sequence[Any]) -> list[dict[str, Any]]:
    rows = await get_engine().run_querystring(QueryString(sql, *values))
    return [dict(row) for row in rows]  # asyncpg gives read-only records


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
        return await _run(sql, [value for one in rows for value in one])


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
