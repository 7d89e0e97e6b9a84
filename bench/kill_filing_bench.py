"""Crashes while filing: `portal serve --workers 1` is killed with SIGKILL (its whole
process group: the server and its file-cleaning processes) at a random moment while
complaints with an attached file are being posted, then started again; N rounds.

Each round starts the server (with its scheduler in the process, so the start-up sweep of
portal/uploads.py runs, and waits until the log says it ran), posts complaints from
several connections, each with a small JPEG or PDF and its own one-time form token and
X-Forwarded-For address (the server trusts 127.0.0.1 as a proxy: the public form's limit
per address is for one person, not for this load), and kills the server 0.2-1.5 s in.
Every receipt reference the client saw (200 + receipt) is kept. After the last round the
server is started once more (and sweeps), stopped, and the database and the files
directory are compared.

Targets (issue #21), on both databases: acknowledged receipts missing from the database
0, files under their final names that no row lists 0, rows whose file is missing 0.
Temporary `.part` files left are reported without a target: the sweep removes those no
row lists once they are a day old. This is a benchmark: it prints PASS/FAIL and exits 0
either way (1 only when the server cannot be started).

    .venv/bin/python bench/kill_filing_bench.py [--rounds 20] [--connections 6]
        [--postgres] [--seed 1] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_post_bench import _with_database, read_response, seed
from http_bench import (
    HOST,
    Server,
    clean_up,
    cookies_from,
    isolated_environment,
    print_figures,
    request,
)
from upload_stall_bench import upload_request

KILL_AFTER_S = (0.2, 1.5)
SWEEP_DONE = re.compile(r'Job "sweep \(.*executed successfully')
SWEEP_MOVED = re.compile(r"files: (\d+) moved into place")
RECEIPT = re.compile(rb'id="receipt-reference">\s*([^<\s]+)\s*<')
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")


def attachments() -> list[tuple[str, bytes]]:
    """A small photo and a small one-page PDF, as people attach them."""
    picture = Image.frombytes("RGB", (160, 120), os.urandom(160 * 120 * 3))
    jpeg, pdf = io.BytesIO(), io.BytesIO()
    picture.save(jpeg, format="JPEG", quality=80)
    picture.save(pdf, format="PDF")
    return [("receipt.jpg", jpeg.getvalue()), ("contract.pdf", pdf.getvalue())]


@dataclass
class Tally:
    sent: int = 0
    acknowledged: set[str] = field(default_factory=set)
    refused: int = 0  # answered, but not with a receipt
    cut: int = 0  # sent, and the connection died with the server before an answer
    refusal: str = ""  # the first refused answer, for the report


def start_and_sweep(server: Server, timeout: float = 60.0) -> tuple[float, int]:
    """Start the server and wait until its start-up sweep has run: the seconds it took,
    and how many files (committed just before the kill) the sweep moved into place."""
    started = time.monotonic()
    server.start(timeout)
    while time.monotonic() - started < timeout:
        log = server.log_path.read_text(errors="replace")
        if SWEEP_DONE.search(log):
            moved = SWEEP_MOVED.search(log)
            return time.monotonic() - started, int(moved.group(1)) if moved else 0
        time.sleep(0.1)
    raise RuntimeError("the start-up sweep did not run (no 'executed successfully' in the log)")


def csrf_cookie(port: int) -> str:
    status, _, headers = request(port, "GET", "/complaints/new")
    csrf = cookies_from(headers).get("portal_csrf")
    if status != 200 or not csrf:
        raise RuntimeError(f"GET /complaints/new: status {status}, no CSRF cookie")
    return csrf


async def round_of_filing(
    server: Server, csrf: str, files: list[tuple[str, bytes]], number: int, args: argparse.Namespace
) -> tuple[Tally, float]:
    """`args.connections` connections posting complaints one after another until the
    server is killed, `kill_after` seconds in."""
    assert server.proc is not None
    tally = Tally()
    kill_after = random.uniform(*KILL_AFTER_S)
    loop = asyncio.get_running_loop()
    loop.call_later(kill_after, os.killpg, server.proc.pid, signal.SIGKILL)

    async def one_connection(connection: int) -> None:
        for count in range(1_000_000):
            token = number * 1_000_000 + connection * 10_000 + count
            name, content = files[token % len(files)]
            address = f"10.{number % 256}.{connection}.{count % 256}"
            raw = upload_request(server.port, csrf, token, name, content).replace(
                b"\r\nCookie: ", f"\r\nX-Forwarded-For: {address}\r\nCookie: ".encode(), 1
            )
            try:
                reader, writer = await asyncio.open_connection(HOST, server.port)
            except OSError:
                return  # the server is gone
            tally.sent += 1
            try:
                writer.write(raw)
                status, body = await asyncio.wait_for(read_response(reader), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                tally.cut += 1
                return
            finally:
                writer.close()
            receipt = RECEIPT.search(body) if status == 200 else None
            if receipt:
                tally.acknowledged.add(receipt.group(1).decode())
            else:
                tally.refused += 1
                tally.refusal = tally.refusal or f"{status}: {body[-400:]!r}"

    await asyncio.gather(*(one_connection(n) for n in range(args.connections)))
    return tally, kill_after


@dataclass
class Found:
    stored_complaints: int
    missing_receipts: list[str]
    orphans: list[str]  # final names no row lists
    parts: list[str]
    rows_without_file: list[str]
    rows: int


def compare(data_dir: Path, acknowledged: set[str]) -> Found:
    """The database against the acknowledged receipts and the files directory."""
    from portal.complaints.tables import CaseFile, Complaint

    async def read() -> tuple[int, set[str], set[str]]:
        references = {r["reference"] for r in await Complaint.select(Complaint.reference)}
        names = {r["stored_name"] for r in await CaseFile.select(CaseFile.stored_name)}
        return len(references), references, names

    stored, references, listed = asyncio.run(_with_database(read))
    on_disk = [p.name for p in (data_dir / "files").glob("??/*")]
    final = {name for name in on_disk if STORED_NAME.match(name)}
    return Found(
        stored_complaints=stored,
        missing_receipts=sorted(acknowledged - references),
        orphans=sorted(final - listed),
        parts=sorted(name for name in on_disk if name.endswith(".part")),
        rows_without_file=sorted(listed - final),
        rows=len(listed),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--seed", type=int, help="for the same kill moments again")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    random.seed(args.seed)

    files = attachments()
    data_dir, database = isolated_environment("portal-kill-bench-", args.postgres)
    # The scheduler in the process: its start-up sweep is what a restart relies on.
    server = Server(data_dir, workers=1, PORTAL_TRUSTED_PROXIES=HOST, PORTAL_RUN_SCHEDULER="true")
    tallies: list[tuple[Tally, float]] = []
    sweeps: list[tuple[float, int]] = []
    with contextlib.ExitStack() as cleanup:  # run last first: stop, then the database
        cleanup.callback(clean_up, data_dir, database, args.keep)
        cleanup.callback(server.stop)
        try:
            seed(data_dir)
            for number in range(args.rounds):
                sweeps.append(start_and_sweep(server))
                csrf = csrf_cookie(server.port)
                tally, kill_after = asyncio.run(round_of_filing(server, csrf, files, number, args))
                assert server.proc is not None
                server.proc.wait(timeout=30)
                tallies.append((tally, kill_after))
                print(
                    f"  round {number + 1:>2}: killed at {kill_after:.2f} s, "
                    f"{len(tally.acknowledged)} acknowledged, {tally.cut} cut, "
                    f"{tally.refused} refused",
                    flush=True,
                )
            sweeps.append(start_and_sweep(server))  # the restart after the last kill
            server.stop()
            found = compare(data_dir, set().union(*(t.acknowledged for t, _ in tallies)))
        except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
            print(f"{error}\n--- server log ---\n{server.log_tail()}", file=sys.stderr)
            return 1

    moments = [k for _, k in tallies]
    print(
        f"\n{args.rounds} rounds of POST /complaints/new with one small JPEG or PDF each, "
        f"{args.connections} connections, SIGKILL to the process group "
        f"{min(moments):.2f}-{max(moments):.2f} s in, restart and start-up sweep: "
        f"{'PostgreSQL' if args.postgres else 'SQLite WAL'}, `portal serve --workers 1`, "
        f"{os.cpu_count()} CPUs"
    )
    client = {
        "sent": "complaints sent",
        "cut": "cut by the kill (no answer)",
        "refused": "answered without a receipt",
    }
    rows = [
        (name, f"{sum(getattr(t, key) for t, _ in tallies):,}", "") for key, name in client.items()
    ]
    acknowledged = sum(len(t.acknowledged) for t, _ in tallies)
    rows += [
        ("acknowledged (200 + receipt)", f"{acknowledged:,}", ""),
        ("complaints stored", f"{found.stored_complaints:,}", ">= acknowledged"),
        ("file rows stored", f"{found.rows:,}", ""),
        ("start + sweep, slowest s", f"{max(s for s, _ in sweeps):.1f}", ""),
        ("files the sweeps moved into place", f"{sum(m for _, m in sweeps)}", ""),
        ("temporary .part files left", f"{len(found.parts)}", "(swept after a day)"),
    ]
    failures = {
        "acknowledged receipts lost": found.missing_receipts,
        "orphan files (final name, no row)": found.orphans,
        "rows whose file is missing": found.rows_without_file,
    }
    rows += [(name, f"{len(names)}", "0") for name, names in failures.items()]
    print_figures(rows, {name: not names for name, names in failures.items()})
    for name, names in failures.items():
        if names:
            print(f"{name}: {', '.join(names[:10])}")
    if refusal := next((t.refusal for t, _ in tallies if t.refusal), ""):
        print(f"first answer without a receipt: {refusal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
