"""The SQLite data path: raw sqlite3, Piccolo's stock SQLiteEngine, and PortalSQLiteEngine.

All three work on one temporary database (WAL) holding a small table of this script's own
(`bench_item`; the app's tables are not touched):

  (a) sequential primary-key selects, one at a time (queries/s);
  (b) concurrency: TASKS asyncio tasks at once, each doing ROUNDS rounds of
      "a write transaction (BEGIN IMMEDIATE) inserting two rows, then a primary-key
      select", counting "database is locked" errors and other errors.

raw sqlite3 is the floor for both: one connection, the same pragmas, no event loop, and
in (b) the same statements run one after another (sqlite3 is synchronous). The stock
engine is used as Piccolo ships it (a new connection and thread per query or transaction,
sqlite3's default 5 s busy timeout); its transactions use TransactionType.immediate.
PortalSQLiteEngine is opened the way the app opens it (connections() at start-up).

    .venv/bin/python bench/sqlite_engine_bench.py [--selects 3000] [--tasks 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from piccolo.columns import Integer, Serial, Varchar  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine, TransactionType  # noqa: E402
from piccolo.table import Table  # noqa: E402

from portal.db import BUSY_TIMEOUT_MS, PortalSQLiteEngine  # noqa: E402

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
)
SEED_ROWS = 2000
RUN_TIMEOUT_S = 50  # any one concurrent run is cut off after this (counted as unfinished)


class BenchItem(Table, tablename="bench_item", db=SQLiteEngine(path=":memory:")):
    """This script's own table; its engine is swapped for each run."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    value = Integer()


@dataclass
class Row:
    engine: str
    select_qps: float = 0.0
    select_errors: int = 0
    ops: int = 0
    seconds: float = 0.0
    locked: int = 0
    other_errors: int = 0
    unfinished: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ops_per_s(self) -> float:
        return self.ops / self.seconds if self.seconds else 0.0


def is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


# --- raw sqlite3 -----------------------------------------------------------------------


def raw_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


def setup_database(path: Path) -> None:
    conn = raw_connect(path)
    conn.execute(
        "CREATE TABLE bench_item (id INTEGER PRIMARY KEY AUTOINCREMENT, "
        "name VARCHAR(100) NOT NULL DEFAULT '', value INTEGER NOT NULL DEFAULT 0)"
    )
    conn.executemany(
        "INSERT INTO bench_item (name, value) VALUES (?, ?)",
        ((f"item {i}", i) for i in range(SEED_ROWS)),
    )
    conn.close()


def raw_selects(path: Path, ids: list[int]) -> tuple[float, int]:
    conn = raw_connect(path)
    start = time.perf_counter()
    for i in ids:
        row = conn.execute("SELECT id, name, value FROM bench_item WHERE id = ?", (i,)).fetchone()
        assert row is not None
    elapsed = time.perf_counter() - start
    conn.close()
    return len(ids) / elapsed, 0


def raw_mixed(path: Path, tasks: int, rounds: int, ids: list[int]) -> Row:
    conn = raw_connect(path)
    row = Row("raw sqlite3")
    start = time.perf_counter()
    for n in range(tasks * rounds):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_item (name, value) VALUES (?, ?)", ("raw", n))
        conn.execute("INSERT INTO bench_item (name, value) VALUES (?, ?)", ("raw", n))
        conn.execute("COMMIT")
        conn.execute(
            "SELECT id, name, value FROM bench_item WHERE id = ?", (ids[n % len(ids)],)
        ).fetchone()
        row.ops += 2  # one transaction + one select
    row.seconds = time.perf_counter() - start
    conn.close()
    return row


# --- aiosqlite alone (no Piccolo): what a thread hop per statement costs ---------------


async def aiosqlite_row(path: Path, tasks: int, rounds: int, ids: list[int], selects: int) -> Row:
    """One reader and one writer connection, each in its own thread (aiosqlite), and a
    write lock: the layout PortalSQLiteEngine had before its statements ran on the event
    loop, without Piccolo's query building. For comparison only."""
    import aiosqlite

    async def connect() -> aiosqlite.Connection:
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        return conn

    reader, writer, lock = await connect(), await connect(), asyncio.Lock()
    sql = "SELECT id, name, value FROM bench_item WHERE id = ?"
    row = Row("aiosqlite, no Piccolo (ref.)")
    try:
        start = time.perf_counter()
        for i in ids[:selects]:
            await reader.execute_fetchall(sql, (i,))
        row.select_qps = selects / (time.perf_counter() - start)

        async def worker(task: int) -> None:
            for n in range(rounds):
                async with lock:
                    await writer.execute("BEGIN IMMEDIATE")
                    for _ in range(2):
                        await writer.execute_fetchall(
                            "INSERT INTO bench_item (name, value) VALUES (?, ?) RETURNING id",
                            (f"task {task}", n),
                        )
                    await writer.execute("COMMIT")
                await reader.execute_fetchall(sql, (ids[(task * rounds + n) % len(ids)],))
                row.ops += 2

        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker(t) for t in range(tasks))), RUN_TIMEOUT_S)
        row.seconds = time.perf_counter() - start
    finally:
        await reader.close()
        await writer.close()
    return row


# --- the Piccolo engines ---------------------------------------------------------------


async def piccolo_selects(ids: list[int]) -> tuple[float, int]:
    errors = 0
    start = time.perf_counter()
    for i in ids:
        try:
            found = (
                await BenchItem.select(BenchItem.id, BenchItem.name, BenchItem.value)
                .where(BenchItem.id == i)
                .first()
            )
            assert found is not None
        except sqlite3.OperationalError:
            errors += 1
    return len(ids) / (time.perf_counter() - start), errors


async def piccolo_mixed(
    engine: SQLiteEngine, label: str, tasks: int, rounds: int, ids: list[int]
) -> Row:
    row = Row(label)

    def count_error(error: BaseException) -> None:
        if is_locked(error):
            row.locked += 1
        else:
            row.other_errors += 1
            if len(row.notes) < 3:
                row.notes.append(f"{type(error).__name__}: {error}")

    async def worker(task: int) -> None:
        for n in range(rounds):
            transaction = engine.transaction(TransactionType.immediate)
            entered = False
            try:
                async with transaction:
                    entered = True
                    await BenchItem.insert(BenchItem(name=f"task {task}", value=n))
                    await BenchItem.insert(BenchItem(name=f"task {task}", value=n))
                row.ops += 1
            except Exception as error:
                count_error(error)
                # Stock engine: a BEGIN that failed leaves the new connection open.
                connection = getattr(transaction, "connection", None)
                if (
                    not entered
                    and connection is not None
                    and not isinstance(engine, PortalSQLiteEngine)
                ):
                    await connection.close()
            try:
                await (
                    BenchItem.select(BenchItem.id, BenchItem.value)
                    .where(BenchItem.id == ids[(task * rounds + n) % len(ids)])
                    .first()
                )
                row.ops += 1
            except Exception as error:
                count_error(error)

    start = time.perf_counter()
    running = [asyncio.create_task(worker(t)) for t in range(tasks)]
    done, pending = await asyncio.wait(running, timeout=RUN_TIMEOUT_S)
    row.seconds = time.perf_counter() - start
    for task in pending:
        task.cancel()
    if pending:
        row.unfinished = len(pending)
        row.notes.append(f"{len(pending)} tasks unfinished after {RUN_TIMEOUT_S} s, cancelled")
        await asyncio.wait(pending, timeout=10)
    for task in done:
        error = task.exception()
        if error is not None:
            count_error(error)
    return row


async def run_engines(
    path: Path, args: argparse.Namespace, ids: list[int], rows: dict[str, Row]
) -> None:
    stock = SQLiteEngine(path=str(path))
    portal = PortalSQLiteEngine(str(path))
    await portal.connections()  # as portal.db.connect() does at app start-up
    try:
        for label, engine in (
            ("Piccolo SQLiteEngine (stock)", stock),
            ("PortalSQLiteEngine", portal),
        ):
            BenchItem._meta.db = engine
            print(f"  {label}: (a) selects ...", flush=True)
            qps, select_errors = await piccolo_selects(ids[: args.selects])
            print(f"  {label}: (b) {args.tasks} tasks x {args.rounds} rounds ...", flush=True)
            row = await piccolo_mixed(engine, label, args.tasks, args.rounds, ids)
            row.select_qps, row.select_errors = qps, select_errors
            rows[label] = row
    finally:
        await portal.close()
    rows["aiosqlite"] = await aiosqlite_row(path, args.tasks, args.rounds, ids, args.selects)


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    raw = rows[0]
    print(
        f"\n(a) {args.selects} sequential primary-key selects; (b) {args.tasks} concurrent "
        f"tasks x {args.rounds} rounds of [IMMEDIATE transaction with 2 inserts, then 1 "
        "select]; ops = transactions + selects done"
    )
    header = (
        f"{'engine':<30} {'(a) q/s':>9} {'ratio':>6} {'(b) ops/s':>10} {'ratio':>6} "
        f"{'ops':>6} {'secs':>6} {'locked':>7} {'other':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.engine:<30} {r.select_qps:>9.0f} {r.select_qps / raw.select_qps:>6.3f} "
            f"{r.ops_per_s:>10.0f} {r.ops_per_s / raw.ops_per_s:>6.3f} {r.ops:>6} "
            f"{r.seconds:>6.2f} {r.locked:>7} {r.other_errors + r.select_errors:>6}"
        )
        for note in r.notes:
            print(f"    {r.engine}: {note}")
    print(
        "(raw sqlite3 in (b) runs the same statements one after another on one connection; "
        "'locked' = 'database is locked' errors; the aiosqlite row is a reader and a writer "
        "connection in threads of their own with a write lock, without Piccolo, for reference)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selects", type=int, default=3000, help="(a) number of selects")
    parser.add_argument("--tasks", type=int, default=200, help="(b) concurrent tasks")
    parser.add_argument("--rounds", type=int, default=5, help="(b) rounds per task")
    args = parser.parse_args()
    if not (1 <= args.selects <= 20_000 and 1 <= args.tasks <= 500 and 1 <= args.rounds <= 50):
        parser.error("bounded sizes only: selects <= 20000, tasks <= 500, rounds <= 50")

    with tempfile.TemporaryDirectory(prefix="portal-engine-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        setup_database(path)
        rng = random.Random(2026)
        ids = [rng.randint(1, SEED_ROWS) for _ in range(max(args.selects, 1000))]
        print(f"SQLite {sqlite3.sqlite_version}, database {path} ({SEED_ROWS} rows)", flush=True)
        print("  raw sqlite3: (a) and (b) ...", flush=True)
        raw_row = raw_mixed(path, args.tasks, args.rounds, ids)
        raw_row.select_qps, _ = raw_selects(path, ids[: args.selects])
        rows = {"raw": raw_row}
        asyncio.run(run_engines(path, args, ids, rows))
        print_table(list(rows.values()), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
