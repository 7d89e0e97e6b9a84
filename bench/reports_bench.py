"""The statistics page, a yearly staff report and the bilingual PDF at scale, in process.

Migrates a temporary SQLite database, adds N bulk complaints spread over two years (and
one agency per 200 complaints), counts the figures (`rebuild_all`, timed), then times:
the public statistics for the default quarter and for a year, a staff report for a year
with the previous year beside it, a staff report with two filters combined (its first
count in the background, then the page), the yearly bilingual PDF, how long the event loop
went without a turn while PDFs were being produced, and the officers' queue page (GET
/cases through the whole app, signed in) with no PDF and while PDFs are being produced.

    .venv/bin/python bench/reports_bench.py                # 200,000 complaints, SQLite
    .venv/bin/python bench/reports_bench.py --rows 1000000 --requests 300 [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from http_bench import clean_up, isolated_environment

if TYPE_CHECKING:
    from litestar import Litestar

TARGET_PAGE_MS = 50
TARGET_PDF_S = 5
TARGET_LOOP_MS = 20  # the longest a 5 ms timer may fire late while work runs beside it
PASSWORD = "bench password 2026"  # noqa: S105 - a throwaway database


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


async def main(rows: int, requests: int) -> None:
    from portal import clock, db
    from portal.agencies.tables import Agency
    from portal.app import create_app
    from portal.cli import _migrate
    from portal.complaints.bulk_demo import bulk_complaints
    from portal.reports import figures
    from portal.settings import get_settings

    await db.connect()
    await _migrate()
    agencies = [
        Agency(licence_number=f"B-{n:05d}", name_en=f"Agency {n}", created_at=clock.now())
        for n in range(max(rows // 200, 1))
    ]
    for start in range(0, len(agencies), 1000):  # PostgreSQL takes 32,767 values at most
        await Agency.insert(*agencies[start : start + 1000])
    started = time.monotonic()
    await bulk_complaints(rows)
    print(f"loaded {rows:,} complaints in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    await figures.rebuild_all()
    print(f"rebuild_all: {time.monotonic() - started:.1f} s")
    await db.disconnect()

    app = create_app(get_settings())
    # As a server runs it: its lifespan opens the connections and freezes what is loaded
    # out of the garbage collector's full passes.
    async with app.lifespan():
        await _time(app, requests)


async def _time(app: Litestar, requests: int) -> None:
    from portal import clock
    from portal.reports import periods, services
    from portal.reports.pdf import to_pdf

    year = periods.year(clock.now().year - 1)

    class Staff:
        role, organisation_id, agency_id = "officer", None, None

    cases = {
        "statistics, last quarter": lambda: services.public_report(periods.parse(None)),
        "statistics, a year": lambda: services.public_report(year),
        "staff report, a year": lambda: services.staff_report(Staff(), year, {}),
    }
    print(f"\n| what | p50 ms | p99 ms | target p99 < {TARGET_PAGE_MS} ms |")
    print("| --- | --- | --- | --- |")
    for name, call in cases.items():
        samples = []
        for _ in range(requests):
            begun = time.perf_counter()
            await call()
            samples.append((time.perf_counter() - begun) * 1000)
        p99 = _p99(samples)
        print(
            f"| {name} | {statistics.median(samples):.1f} | {p99:.1f}"
            f" | {_verdict(p99 < TARGET_PAGE_MS)} |"
        )

    await _combined(Staff(), year, requests)
    durations, lags = await _pdfs(lambda: to_pdf(lambda: services.public_report(year)))
    worst = max(durations)
    print(
        f"\nyearly bilingual PDF: {min(durations):.2f}-{worst:.2f} s "
        f"({_verdict(worst < TARGET_PDF_S)} < {TARGET_PDF_S} s)"
    )
    print(
        f"event loop held while PDFs were made: p99 {_p99(lags):.1f} ms, max {max(lags):.1f} ms"
        f" ({_verdict(max(lags) < TARGET_LOOP_MS)} < {TARGET_LOOP_MS} ms)"
    )
    await _queue_page(app, requests, lambda: to_pdf(lambda: services.public_report(year)))


async def _combined(staff: object, year: object, requests: int) -> None:
    """Staff reports with two filters combined: how long the first count takes (asked,
    then ready), how late a 5 ms timer fired meanwhile, and the report's p99 once ready."""
    from portal.reports import services

    combined = {
        "narrow (province and channel)": {"province": "Kandal", "channel": "hotline"},
        "broad (destination and ground)": {"destination": "TH", "ground": "unpaid_wages"},
    }
    print(
        f"\n| combined filters | prepared in s | longest loop wait ms (< {TARGET_LOOP_MS})"
        f" | p50 ms | p99 ms (< {TARGET_PAGE_MS}) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name, query in combined.items():
        lags: list[float] = []
        begun = time.perf_counter()
        while (await services.staff_report(staff, year, query)).scope.preparing:
            asked = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - asked - 0.005) * 1000)
        prepared = time.perf_counter() - begun
        samples = []
        for _ in range(requests):
            asked = time.perf_counter()
            await services.staff_report(staff, year, query)
            samples.append((time.perf_counter() - asked) * 1000)
        p99, waited = _p99(samples), max(lags or [0])
        print(
            f"| {name} | {prepared:.1f} | {waited:.1f} {_verdict(waited < TARGET_LOOP_MS)}"
            f" | {statistics.median(samples):.1f} | {p99:.1f} {_verdict(p99 < TARGET_PAGE_MS)} |"
        )


async def _pdfs(make: Callable[[], Awaitable[bytes]]) -> tuple[list[float], list[float]]:
    """Three PDFs one after another, and how late a 5 ms timer fired meanwhile; after a
    first one, which compiles the PDF's templates (~40 ms on the loop, once a process)."""
    await make()
    lags: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            begun = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - begun - 0.005) * 1000)

    beat = asyncio.create_task(heartbeat())
    durations = []
    for _ in range(3):
        begun = time.perf_counter()
        await make()
        durations.append(time.perf_counter() - begun)
    stop.set()
    await beat
    return durations, lags


async def _queue_page(app: Litestar, requests: int, make: Callable[[], Awaitable[bytes]]) -> None:
    """GET /cases as a signed-in officer, through the whole app (httpx onto ASGI): with
    nothing else running, then while PDFs are produced one after another."""
    import httpx

    from portal.accounts.services import NewUser, create_user
    from portal.reports import pdf_writer

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a log line per request is noise
    await create_user(
        None,
        NewUser(
            "officer@bench.example",
            "Bench",
            "officer",
            password=PASSWORD,
            must_change_password=False,
        ),
    )
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        await client.get("/login")
        form = {"email": "officer@bench.example", "password": PASSWORD}
        signed = await client.post(
            "/login", data={**form, "_csrf_token": client.cookies["portal_csrf"]}
        )
        assert signed.status_code == 303, signed.text

        async def timed(while_busy: bool = False) -> list[float]:
            """`requests` pages; `while_busy`: each asked while a PDF is being laid out."""
            samples: list[float] = []
            while len(samples) < requests:
                if while_busy and not pdf_writer.busy():
                    await asyncio.sleep(0.01)  # the next PDF's HTML is being rendered
                    continue
                begun = time.perf_counter()
                response = await client.get("/cases")
                samples.append((time.perf_counter() - begun) * 1000)
                assert response.status_code == 200, response.status_code
            return samples

        await timed()  # warm-up: templates compiled, caches filled
        quiet = await timed()
        stop = asyncio.Event()
        made = 0

        async def producing() -> None:
            nonlocal made
            while not stop.is_set():
                await make()
                made += 1

        producer = asyncio.create_task(producing())
        await asyncio.sleep(0.5)  # the first PDF under way
        busy = await timed(while_busy=True)
        stop.set()
        await producer
    print(f"\n| queue page GET /cases | p50 ms | p99 ms | target p99 < {TARGET_PAGE_MS} ms |")
    print("| --- | --- | --- | --- |")
    for name, samples in (("no PDF", quiet), (f"while a PDF is laid out ({made} made)", busy)):
        p99 = _p99(samples)
        print(
            f"| {name} | {statistics.median(samples):.1f} | {p99:.1f}"
            f" | {_verdict(p99 < TARGET_PAGE_MS)} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    args = parser.parse_args()
    data, database = isolated_environment("reports-bench-", args.postgres)
    os.environ["PORTAL_SECRET_KEY"] = "bench-" + "x" * 40
    try:
        asyncio.run(main(args.rows, args.requests))
    finally:
        clean_up(data, database, keep=False)
