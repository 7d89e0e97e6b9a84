"""The deadline scan against a large complaints table: time against the number of items due.

This script makes a table of its own shaped like the complaints' due-time columns (`bench_complaint`: reference, stage, stage_due_at with an index,
is_open, assigned_officer, agency), fills it with --rows rows (default 1,000,000), and
registers a watcher over it built like the one in portal/complaints/jobs.py. For each number of due items it times:

  find     the watcher alone (range query on stage_due_at + building the alerts);
  first    a whole scan that makes every alert and queues every e-mail;
  repeat   the same scan again (every alert exists: key look-ups only, nothing written).

Target (issue 6): a scan over 1,000,000 complaints with 10,000 due in under 2 s, on SQLite
and on PostgreSQL ("repeat" is the scheduler's steady state; "first" also writes 2 x the
due count rows). Only 127.0.0.1; the temporary data directory (and the throwaway
PostgreSQL server, with --postgres) are removed at the end.

    .venv/bin/python bench/alert_scan_bench.py [--rows 1000000] [--due 100,1000,10000] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta

from http_bench import ROOT, isolated_environment

sys.path.insert(0, str(ROOT))

BASE = datetime(2026, 6, 1, tzinfo=UTC)  # item i (i < max due) falls due at BASE + i s
OFFICERS = 20
TARGET_SECONDS = 2.0


async def _fill(total: int, max_due: int) -> None:
    """`total` open complaints: the first `max_due` due one second apart from BASE, the
    rest ten years later."""
    from piccolo.querystring import QueryString

    from portal.db import get_engine

    engine = get_engine()
    far = int((BASE + timedelta(days=3650)).timestamp())
    base = int(BASE.timestamp())
    if engine.engine_type == "postgres":
        sql = f"""
        INSERT INTO bench_complaint (reference, stage, stage_due_at, is_open, assigned_officer, agency)
        SELECT 'C-' || i, 'resolution',
               to_timestamp(CASE WHEN i <= {max_due} THEN {base} + i ELSE {far} + i END),
               TRUE, 1 + i % {OFFICERS}, NULL
        FROM generate_series(1, {total}) AS i
        """  # noqa: S608 - numbers of our own
    else:
        # Piccolo keeps SQLite timestamps as str(datetime in UTC); write them the same way.
        sql = f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total})
        INSERT INTO bench_complaint (reference, stage, stage_due_at, is_open, assigned_officer, agency)
        SELECT 'C-' || i, 'resolution',
               strftime('%Y-%m-%d %H:%M:%S',
                        CASE WHEN i <= {max_due} THEN {base} + i ELSE {far} + i END,
                        'unixepoch') || '+00:00',
               1, 1 + i % {OFFICERS}, NULL
        FROM n
        """  # noqa: S608 - numbers of our own
    async with engine.transaction():
        await engine.run_querystring(QueryString(sql))
    if engine.engine_type == "postgres":
        await engine.run_querystring(QueryString("ANALYZE bench_complaint"))


async def main(args: argparse.Namespace) -> None:
    from piccolo.columns import Boolean, Integer, Timestamptz, Varchar
    from piccolo.table import Table

    from portal import clock, db
    from portal.accounts.tables import User
    from portal.cli import _migrate
    from portal.complaints import jobs as complaint_jobs
    from portal.deadlines.services import current_rules
    from portal.notifications import watchers
    from portal.notifications.tables import Alert, OutboxMessage

    class BenchComplaint(Table, tablename="bench_complaint"):
        reference = Varchar(length=30)
        stage = Varchar(length=30)
        stage_due_at = Timestamptz(index=True)
        is_open = Boolean(default=True)
        assigned_officer = Integer(null=True)
        agency = Integer(null=True)

    async def complaint_stages(now: datetime) -> list:
        rules = await current_rules()
        rows = await BenchComplaint.select(
            BenchComplaint.id,
            BenchComplaint.reference,
            BenchComplaint.stage,
            BenchComplaint.stage_due_at,
            BenchComplaint.assigned_officer,
            BenchComplaint.agency,
        ).where(
            BenchComplaint.is_open.eq(True)
            & (BenchComplaint.stage_due_at <= now + complaint_jobs.DUE_SOON)
        )
        return await complaint_jobs.stage_alerts(rows, now, rules.grace, link="/cases/{id}")

    due_counts = [int(n) for n in args.due.split(",")]
    await db.connect()
    try:
        await _migrate()
        await BenchComplaint.create_table(if_not_exists=True)
        await BenchComplaint.create_index([BenchComplaint.stage_due_at], if_not_exists=True)
        users = [
            User(
                email=f"officer{i}@bench.example",
                full_name=f"Officer {i}",
                role="officer",
                password_hash="-",  # noqa: S106 - nobody signs in
                created_at=clock.now(),
            )
            for i in range(1, OFFICERS + 1)
        ]
        await User.insert(*users)
        started = time.perf_counter()
        await _fill(args.rows, max(due_counts))
        fill_seconds = time.perf_counter() - started
        watchers.WATCHERS.clear()  # only the complaint watcher: licence expiry has no rows here
        watchers.WATCHERS["complaint_stages"] = complaint_stages

        engine = "PostgreSQL" if args.postgres else "SQLite (WAL)"
        print(
            f"Deadline scan, {engine}: {args.rows:,} open complaints "
            f"(filled in {fill_seconds:.1f} s), {OFFICERS} officers; one alert per due item"
        )
        print(
            f"{'due items':>10} {'alerts':>8} {'find s':>8} {'first s':>8} {'repeat s':>9}  target"
        )
        print("-" * 60)
        verdicts = []
        for due in due_counts:
            await Alert.delete(force=True)
            await OutboxMessage.delete(force=True)
            # `due` items are within DUE_SOON of falling due at this moment.
            now = (
                BASE
                - complaint_jobs.DUE_SOON
                + timedelta(seconds=due)
                + timedelta(milliseconds=500)
            )
            t0 = time.perf_counter()
            found = await complaint_stages(now)
            t1 = time.perf_counter()
            sent = await watchers.scan(now)
            t2 = time.perf_counter()
            again = await watchers.scan(now)
            t3 = time.perf_counter()
            assert len(found) == due and len(sent) == due and not again, (len(found), len(sent))
            ok = (t3 - t2) < TARGET_SECONDS and (t2 - t1) < TARGET_SECONDS
            verdicts.append((due, t2 - t1, t3 - t2))
            print(
                f"{due:>10,} {len(sent):>8,} {t1 - t0:>8.3f} {t2 - t1:>8.3f} {t3 - t2:>9.3f}"
                f"  {'PASS' if ok else 'FAIL'} (< {TARGET_SECONDS:.0f} s)"
            )
        print()
        for due, first, repeat in verdicts:
            if due == 10_000:
                print(
                    f"Target: 10,000 due of {args.rows:,}: first scan {first:.2f} s, "
                    f"repeat {repeat:.2f} s: {'PASS' if max(first, repeat) < TARGET_SECONDS else 'FAIL'}"
                )
    finally:
        await db.disconnect()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", default="100,1000,10000")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    args = parser.parse_args()
    data_dir, server = isolated_environment("portal-scan-bench-", args.postgres)
    try:
        asyncio.run(main(args))
    finally:
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    run()
