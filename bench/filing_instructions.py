"""Instructions per complaint filing, counted by valgrind: a measure of the portal's own
cost that does not move with the machine's speed (its throughput here swings by a
quarter from one minute to the next; two counts of the same code agree within 0.2 %).

The filing runs inside one process, as `bench/complaint_post_bench.py` sends it (the
same form, a new one-time token each time, 8 at once) but straight to the ASGI app: no
network, no server. It is counted twice, for 80 and for 400 filings, under
`valgrind --tool=callgrind`; the difference divided by 320 leaves start-up out. Use it to
compare two versions of the code (`git stash`, run, `git stash pop`, run); the kernel's
work (system calls, the network) is not counted.

    .venv/bin/python bench/filing_instructions.py        # ~2 minutes; needs valgrind
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_post_bench import BOUNDARY, ROOT, complaint_fields, multipart, seed

from portal.static import compressed_copy

SHORT, LONG = 80, 400
CONCURRENT = 8


async def _call(app: Any, method: str, path: str, headers: list, body: bytes = b"") -> dict:
    """One request to the ASGI app; returns its status, headers and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    answer: dict[str, Any] = {"body": b""}
    received = False

    async def receive() -> dict:
        nonlocal received
        if received:  # the app only asks again to learn of a disconnect
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message["headers"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer


async def file_complaints(count: int) -> None:
    from portal.app import create_app

    app = create_app()
    async with app.lifespan():
        form = await _call(app, "GET", "/complaints/new", [])
        cookie = next(
            value.decode().split(";")[0]
            for name, value in form["headers"]
            if name == b"set-cookie" and value.startswith(b"portal_csrf=")
        )
        head = multipart([("_csrf_token", cookie.partition("=")[2]), *complaint_fields()])
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n'.encode()
        )
        headers = [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"cookie", cookie.encode()),
        ]

        async def filer(number: int) -> None:
            for n in range(count // CONCURRENT):
                body = (
                    head
                    + f"count{number:03d}{n:027d}".encode()
                    + f"\r\n--{BOUNDARY}--\r\n".encode()
                )
                answer = await _call(app, "POST", "/complaints/new", headers, body)
                if answer["status"] != 200 or b'id="receipt-reference"' not in answer["body"]:
                    raise RuntimeError(f"a filing was refused ({answer['status']})")

        await filer(999)  # one round first: the templates compile, the caches fill
        await asyncio.gather(*(filer(number) for number in range(CONCURRENT)))


def instructions(count: int, data_dir: Path) -> int:
    """Instructions valgrind counts for a process that files `count` complaints."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--file",
            str(count),
        ],
        cwd=ROOT,
        env={**os.environ, "PORTAL_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if not found:
        raise RuntimeError(f"valgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=int, help=argparse.SUPPRESS)  # the counted process
    args = parser.parse_args()
    if args.file is not None:
        asyncio.run(file_complaints(args.file))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    data_dir = Path(tempfile.mkdtemp(prefix="portal-instructions-"))
    try:
        seed(data_dir)
        compressed_copy(data_dir)  # made once per data directory: in neither count
        short, long = instructions(SHORT, data_dir), instructions(LONG, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    per_filing = (long - short) / (LONG - SHORT)
    print(f"POST /complaints/new in process ({CONCURRENT} at once), valgrind --tool=callgrind")
    print(f"{'filings':>8} {'instructions':>16}")
    print(f"{SHORT:>8} {short:>16,}")
    print(f"{LONG:>8} {long:>16,}")
    print(f"per filing: {per_filing:,.0f} instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
