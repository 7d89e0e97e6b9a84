"""Latency of the public agency registry search with 5,000 agencies.

Makes a throw-away database (SQLite in a temporary PORTAL_DATA_DIR, or a throwaway
PostgreSQL server with --postgres), migrates it, adds `--agencies` agencies with
multi-row INSERTs (names, licence numbers, provinces, statuses and associations spread
like a real registry), starts `portal serve` (1 worker) on it and sends each search below
`--requests` times, one after another on one keep-alive connection, as an anonymous
visitor:

    by name, by licence number, by province, by status, name + province, a text that
    matches nothing (every row looked at), the next page of an unfiltered list

Target: every search under 50 ms at the 99th percentile. A benchmark, not a test: exits 0
whether the target is met or not.

    .venv/bin/python bench/registry_bench.py [--agencies 5000] [--requests 300] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import io
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from http_bench import HOST, ROOT, VENV_BIN, free_port, isolated_environment, request

TARGET_P99_MS = 50.0
INSERT = (
    "INSERT INTO agency (licence_number, name_en, name_km, licence_status, association,"
    " province, licence_expires_on, created_at) VALUES "
)
BATCH = 500  # rows per INSERT: well under SQLite's limit of bound parameters

WORDS = [
    "Angkor", "Mekong", "Tonle", "Bayon", "Kampot", "Lotus", "Golden", "Royal", "Apsara",
    "Sunrise", "Khmer", "Unity", "Bright", "Star", "Ocean", "Pacific", "Asia", "Global",
]  # fmt: skip
KINDS = ["Manpower", "Recruitment", "Workforce", "Labour Link", "Placement", "Staffing"]
PROVINCES = ["Phnom Penh", "Kandal", "Siem Reap", "Battambang", "Kampot", "Takeo", "Prey Veng"]
STATUSES = ["active"] * 8 + ["suspended", "revoked", "expired"]


def _agencies(count: int) -> list[tuple]:
    rng = random.Random(5000)
    rows = []
    for n in range(1, count + 1):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {n}"
        rows.append(
            (
                f"MOLVT-PRA-{n:05d}",
                name,
                f"ក្រុមហ៊ុន {n}",
                rng.choice(STATUSES),
                rng.choice(["acra", "mac", "none"]),
                rng.choice(PROVINCES),
                # Two years either side of today: about half the active licences have lapsed.
                date.today() + timedelta(days=rng.randint(-730, 730)),
            )
        )
    return rows


async def _seed(count: int) -> float:
    """Migrate and add `count` agencies; the seconds the inserts took."""
    from piccolo.querystring import QueryString

    from portal import clock, db
    from portal.cli import _migrate

    await db.connect()
    try:
        await _migrate()
        engine = db.get_engine()
        rows = _agencies(count)
        now = clock.now()
        started = time.perf_counter()
        async with engine.transaction():
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                values = ", ".join(["({}, {}, {}, {}, {}, {}, {}, {})"] * len(batch))
                await engine.run_querystring(
                    QueryString(
                        INSERT + values,  # placeholders only: the values are bound
                        *(value for row in batch for value in (*row, now)),
                    )
                )
        if engine.engine_type == "postgres":
            await engine.run_querystring(QueryString("ANALYZE agency"))
        return time.perf_counter() - started
    finally:
        await db.disconnect()


def _serve(data_dir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = (data_dir / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(VENV_BIN / "portal"), "serve", "--host", HOST, "--port", str(port)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"portal serve exited with {proc.returncode}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("portal serve did not answer /healthz within 60 s")


def _latencies(port: int, path: str, repeat: int) -> tuple[list[float], int, bytes]:
    """Milliseconds per request (one keep-alive connection), the errors, the last body."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    times, errors, body = [], 0, b""
    try:
        for _ in range(5):  # warm-up
            conn.request("GET", path)
            conn.getresponse().read()
        for _ in range(repeat):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            times.append((time.perf_counter() - started) * 1000)
            errors += response.status != 200
    finally:
        conn.close()
    return sorted(times), errors, body


def _percentile(times: list[float], q: float) -> float:
    return times[min(len(times) - 1, int(q * len(times)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=300, help="requests per search")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    args = parser.parse_args()
    if not (1 <= args.agencies <= 200_000) or not (10 <= args.requests <= 10_000):
        parser.error("--agencies must be in [1, 200000] and --requests in [10, 10000]")

    data_dir, database = isolated_environment("portal-registry-bench-", args.postgres)
    proc = None
    rows: list[tuple[str, int, float, float, float, int]] = []
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the migrations' progress report
            seconds = asyncio.run(_seed(args.agencies))
        proc, port = _serve(data_dir)
        sample = _agencies(args.agencies)[args.agencies // 2]
        searches = [
            ("by name", f"/agencies?q={sample[1].split()[0]}"),
            ("by licence number", f"/agencies?q={sample[0]}"),
            ("by province", "/agencies?province=Kampot"),
            ("by status", "/agencies?status=suspended"),
            ("expired (by date)", "/agencies?status=expired"),
            ("name + province", f"/agencies?q={sample[1].split()[1]}&province=Takeo"),
            ("no match (all rows read)", "/agencies?q=zzzz"),
            ("next page, no filter", "/agencies?after=MOLVT-PRA-02500"),
        ]
        for label, path in searches:
            times, errors, body = _latencies(port, path, args.requests)
            shown = body.count(b'<tr>\n      <td><a href="/agencies/')
            p50, p99 = (_percentile(times, q) for q in (0.5, 0.99))
            rows.append((f"{label}: {path}", shown, p50, p99, times[-1], errors))
            print(f"  {path}: p99 {p99:.1f} ms", flush=True)
    except (RuntimeError, OSError) as error:
        log = data_dir / "serve.log"
        print(f"{error}\n{log.read_text(errors='replace')[-3000:] if log.exists() else ''}")
        return 1
    finally:
        if proc is not None:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        if database is not None:
            database.stop()  # type: ignore[attr-defined]
        shutil.rmtree(data_dir, ignore_errors=True)

    engine = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"\nPublic registry search, {engine}, {args.agencies:,} agencies (inserted in "
        f"{seconds:.2f} s); {args.requests} sequential requests per search, 1 worker"
    )
    header = f"{'search':<62} {'rows':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for label, shown, p50, p99, worst, errors in rows:
        print(f"{label:<62} {shown:>5} {p50:>7.1f} {p99:>7.1f} {worst:>7.1f} {errors:>6}")
    slowest = max(r[3] for r in rows)
    errors = sum(r[5] for r in rows)
    print(
        f"\nTarget: p99 < {TARGET_P99_MS:.0f} ms for every search: slowest p99 {slowest:.1f} ms: "
        f"{'PASS' if slowest < TARGET_P99_MS and not errors else 'FAIL'} ({errors} errors)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
