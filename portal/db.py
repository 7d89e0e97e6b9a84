"""Database engines: SQLite (WAL, long-lived connections) and PostgreSQL (pooled).

Piccolo's stock SQLiteEngine opens a fresh connection (and a thread) for every query
outside a transaction, and lets concurrent writers fight over the file lock ("database is
locked"). PortalSQLiteEngine keeps a reader for the queries outside a transaction (WAL
lets them run beside a write) and a writer that one transaction at a time has to itself,
opened with BEGIN IMMEDIATE; writers of several processes (`portal serve --workers N`)
take turns on a lock file beside the database first.

Their statements run right on the event loop: every query of the portal is indexed and
takes well under a few milliseconds, even at a million complaints (bench/queue_bench.py
prints the longest the loop was held), while a hop to a connection's thread and back
(aiosqlite) waits behind every other request the loop is serving, and held the writer
so long that filings queued up. What can take long runs in a thread: waiting for another
process's turn, a COMMIT (it waits for the log to reach the disk), copying the
write-ahead log into the database file (a checkpoint, which syncs the file), and the long
reads of a background job (`select_aside`: a report's count reads thousands of rows, and
each page not in memory is a wait for the disk).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from portal.settings import Settings, get_settings

log = logging.getLogger("portal.db")

# Only a program outside the portal (an sqlite3 shell) can make a statement wait for
# SQLite's lock: the portal's own processes take turns on the lock file first.
BUSY_TIMEOUT_MS = 10_000
# Under load, one copy of the log for the commits of a moment, not one per commit
# (filing: ~6 % more per second, measured A/B).
CHECKPOINT_AFTER_S = 0.25
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",  # a commit syncs the log: a receipt survives a power cut
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)
# The pages each connection on the loop keeps in memory (SQLite's default is 2 MiB): a
# statement that needs a page neither SQLite nor the OS holds waits for the disk, on the
# loop, and an OS may give its file cache back (figures in bench/README.md). Another
# connection's commit empties this cache, so it serves the reads between writes.
LOOP_CACHE = "PRAGMA cache_size = -65536"  # in KiB: 64 MiB


class _OnTheLoop:
    """A sqlite3 connection with the awaitable methods Piccolo calls, run on the loop.
    Lent to one transaction at a time: Piccolo closes a transaction's connection when it
    ends, which here leaves it open for the next (see WriterTransaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, parameters: Any = ()) -> None:
        if sql != "COMMIT":
            self.conn.execute(sql, parameters)
            return
        # Piccolo's commit(): the sync to disk waits in a thread, and a cancelled request
        # still lets it finish before anything else may use the connection.
        committing = asyncio.ensure_future(asyncio.to_thread(self.conn.execute, sql))
        try:
            await asyncio.shield(committing)
        except asyncio.CancelledError:
            await committing
            raise

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> list[Any]:
        return self.conn.execute(sql, parameters).fetchall()

    async def executemany(self, sql: str, rows: Any) -> None:
        self.conn.executemany(sql, rows)

    async def close(self) -> None:
        pass


class _Connections:
    """The connections and locks of one event loop (a CLI command or a test may run
    several loops one after the other)."""

    def __init__(self, engine: SQLiteEngine) -> None:
        self.reader = _OnTheLoop(_open(engine, "PRAGMA query_only = ON", LOOP_CACHE))
        # Checkpoints run in a thread (checkpoint_soon), not inside a COMMIT on the loop.
        self.writer = _OnTheLoop(_open(engine, "PRAGMA wal_autocheckpoint = 0", LOOP_CACHE))
        self.checkpointer = _open(engine)
        self.aside = _open(engine, "PRAGMA query_only = ON")  # select_aside's, in a thread
        self.aside_free = asyncio.Lock()  # one long read at a time on it
        self.writer_free = asyncio.Lock()  # one transaction at a time in this process
        self.lock_file = os.open(f"{engine.path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.checkpointing: asyncio.Future[None] | None = None

    def checkpoint_soon(self) -> None:
        """After a commit: copy the log into the database file in a thread a moment later,
        unless a copy is planned or under way (it takes this commit's pages too, or the
        next one will)."""
        if self.checkpointing is None or self.checkpointing.done():
            self.checkpointing = asyncio.ensure_future(self._checkpoint_later())

    async def _checkpoint_later(self) -> None:
        await asyncio.sleep(CHECKPOINT_AFTER_S)
        await asyncio.to_thread(self._checkpoint)

    def _checkpoint(self) -> None:
        try:  # PASSIVE: copies what it can without waiting for readers or writers
            self.checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the next commit tries again
            log.warning("SQLite checkpoint failed: %s", error)

    async def close(self) -> None:
        async with self.writer_free, self.aside_free:  # a write or long read under way ends
            if self.checkpointing is not None:
                await self.checkpointing
            self.stop()

    def stop(self) -> None:
        for conn in (self.reader.conn, self.writer.conn, self.checkpointer, self.aside):
            conn.close()
        os.close(self.lock_file)


def _open(engine: SQLiteEngine, *pragmas: str) -> sqlite3.Connection:
    conn = sqlite3.connect(**engine.connection_kwargs)
    conn.row_factory = dict_factory
    for pragma in (*PRAGMAS, *pragmas):
        conn.execute(pragma)
    return conn


class WriterTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, on the process's writer connection: it waits until
    the transaction before it has ended and its process's turn has come, and leaves
    nothing open for the next, even when it is given up half-way (a cancelled request)."""

    engine: PortalSQLiteEngine

    async def get_connection(self) -> _OnTheLoop:
        self.conns = await self.engine.connections()
        await self.conns.writer_free.acquire()
        try:
            await _take_turn(self.conns.lock_file)
        except BaseException:
            self.conns.writer_free.release()
            raise
        return self.conns.writer

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            self._hand_back(committed=False)
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return await super().__aexit__(exception_type, exception, traceback)
        committed = False
        try:
            kept = await super().__aexit__(exception_type, exception, traceback)
            committed = kept and not self._rolled_back
            return kept
        finally:
            self._hand_back(committed)

    def _hand_back(self, committed: bool) -> None:
        self.conns.writer.conn.rollback()  # does nothing unless something was left open
        fcntl.flock(self.conns.lock_file, fcntl.LOCK_UN)
        self.conns.writer_free.release()
        if committed:
            self.conns.checkpoint_soon()


async def _take_turn(lock_file: int) -> None:
    """Wait for the other processes' writers on the lock file, in a thread: SQLite's busy
    timeout would hold the loop, and polls with sleeps of up to 100 ms; a process waiting
    here is woken the moment it is its turn."""
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
    """Piccolo's SQLite engine with WAL, foreign keys, a busy timeout and long-lived
    connections (see the module's docstring).

    Piccolo methods it overrides (tests/core/test_database.py fails if Piccolo stops
    calling them as assumed here):
    - `_run_in_new_connection()`, where Piccolo runs a query outside a transaction: a
      SELECT goes to the reader, anything else to the writer in a transaction of its own;
    - `_run_in_existing_connection()`, where it runs one inside a transaction (foreign
      keys are on from the start: Piccolo's turns them on before every statement);
    - `transaction()`, which returns a WriterTransaction, IMMEDIATE by default.
    """

    def __init__(self, path: str, log_queries: bool = False) -> None:
        super().__init__(
            path=path,
            log_queries=log_queries,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,  # the checkpointer works in a thread
        )
        self._conns: _Connections | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def connections(self) -> _Connections:
        """The connections of the running loop, opened on its first query."""
        loop = asyncio.get_running_loop()
        if self._conns is None or self._loop is not loop:
            if self._conns is not None:
                self._conns.stop()  # left over from a loop that has ended
            self._conns, self._loop = _Connections(self), loop
        return self._conns

    async def close(self) -> None:
        """Close this loop's connections (at shutdown)."""
        conns, self._conns = self._conns, None
        if conns is not None:
            await conns.close()

    # No public Piccolo hook says where a query outside a transaction runs: this is it.
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

    # No public hook either for a query inside one; Piccolo's opens a cursor our
    # on-the-loop connection does not have, and turns foreign keys on every time.
    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
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
        await engine.start_connection_pool(min_size=2, max_size=10, reset=_keep_session)
    elif isinstance(engine, PortalSQLiteEngine):
        await engine.connections()


async def _keep_session(connection: Any) -> None:
    """What a pooled connection needs before its next query, beyond the rollback asyncpg
    always does: nothing, as the portal sets no session state (no SET, LISTEN, cursor or
    session lock). asyncpg's default reset would cost a round trip after every query."""


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


async def lock(name: str) -> None:
    """Inside a write transaction: wait until no other transaction holds `name`, then hold
    it until this one ends. SQLite's write transactions run one at a time already;
    PostgreSQL's take an advisory lock on the name."""
    if get_engine().engine_type == "postgres":
        await _run("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", [name])


async def select(sql: str, *values: Any) -> list[dict[str, Any]]:
    """The rows of a SELECT written out by hand, `{}` marking each value (Piccolo's
    QueryString sends them apart from the SQL, with the database's own placeholders),
    for the busiest pages: there Piccolo's query building costs more than the query."""
    return await _run(sql, values)


async def select_aside(sql: str, *values: Any) -> list[dict[str, Any]]:
    """A SELECT of a background job that reads many rows, written as for `select`. On
    SQLite it runs in a thread, on a connection of its own, so that requests go on
    meanwhile; elsewhere it is `select` (the driver waits off the loop already)."""
    engine = get_engine()
    if not isinstance(engine, PortalSQLiteEngine):
        return await select(sql, *values)
    conns = await engine.connections()
    query, args = QueryString(sql, *values).compile_string(engine_type=engine.engine_type)
    async with conns.aside_free:
        return await asyncio.to_thread(lambda: conns.aside.execute(query, args).fetchall())


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
