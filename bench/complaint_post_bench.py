"""Complaint filing over HTTP: POST /complaints/new (parse the multipart form, check every
rule, file the complaint in one transaction, render the receipt) on SQLite WAL, served by
`portal serve --workers 2`.

Each request carries its own one-time form token (so each files a new complaint) and the
page's CSRF token, as a browser would; no attachments. A request counts as acknowledged
when it answers 200 with a receipt reference. After the run the complaints in the
database are counted: the stored count must equal the acknowledged count (nothing lost,
nothing filed twice), and the "status:received" figure must agree.

Targets: >= 1,000 req/s, p99 < 100 ms, 0 errors, stored == acknowledged. This is a
benchmark: it prints PASS/FAIL and exits 0 either way (1 only when the server cannot be
started or the form cannot be fetched).

    .venv/bin/python bench/complaint_post_bench.py [--seconds 10] [--workers 2]
        [--connections 16] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import (  # noqa: E402 - the sibling script, found through sys.path
    HOST,
    ROOT,
    VENV_BIN,
    Server,
    cookies_from,
    find_wrk,
    portal_env,
    request,
)

TARGET_RPS = 1000
TARGET_P99_MS = 100
LICENCE = "BENCH-0001"
BOUNDARY = "----portalbench7MA4YWxkTrZu0gW"

# Lua for wrk: every request gets a new form token (thread id + counter); a 200 with a
# receipt reference counts as acknowledged; one parseable line at the end.
WRK_SCRIPT = r"""
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end
function init(args) n = 0; acked = 0; bad = 0 end
function request()
  n = n + 1
  local token = string.format("bench%02d%027d", tid, n)
  return wrk.format("POST", PATH, HEADERS, BODY_HEAD .. token .. BODY_TAIL)
end
function response(status, headers, body)
  if status == 200 and string.find(body, 'id="receipt-reference"', 1, true) then
    acked = acked + 1
  else
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local acked_total, bad_total = 0, 0
  for _, t in ipairs(threads) do
    acked_total = acked_total + t:get("acked")
    bad_total = bad_total + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d acked=%d bad_status=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    acked_total, bad_total, e.connect, e.read, e.write, e.timeout))
end
"""


def complaint_fields() -> list[tuple[str, str]]:
    """A complaint for two workers (the form_token is added per request)."""
    return [
        ("workers", "2"),
        ("agency_query", LICENCE),
        ("filer", "family"),
        ("complainant_name", "Sok Dara"),
        ("contact_preference", "phone"),
        ("phone", "012 345 678"),
        ("destination", "TH"),
        ("sector", "construction"),
        ("province", "Prey Veng"),
        ("grounds", "excessive_fees"),
        ("grounds", "documents_retained"),
        ("description", "The agency kept our passports and asked for 800 dollars more each."),
        ("amount_claimed", "1600"),
        ("claim_currency", "USD"),
        ("share_identity", "no"),
        ("worker-0-name", "Sok Vannak"),
        ("worker-0-sex", "man"),
        ("worker-0-age_band", "25_34"),
        ("worker-0-disability", "no"),
        ("worker-1-name", "Chan Sreymom"),
        ("worker-1-sex", "woman"),
        ("worker-1-age_band", "18_24"),
        ("worker-1-disability", "no"),
        ("worker-1-lgbtqia", "1"),
        ("action", "file"),
    ]


def multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return "".join(parts).encode()


def lua_string(data: bytes) -> str:
    """A Lua string literal holding these exact bytes (CR LF included)."""
    out = []
    for byte in data:
        ch = chr(byte)
        if ch.isalnum() or ch in " -_.,:;=/()+":
            out.append(ch)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def seed(data_dir: Path) -> None:
    """Migrate, then add the one agency the complaints name."""
    subprocess.run(
        [str(VENV_BIN / "portal"), "migrate"],
        cwd=ROOT,
        env=portal_env(data_dir),
        capture_output=True,
        timeout=120,
        check=True,
    )
    with sqlite3.connect(data_dir / "portal.db") as db:
        db.execute(
            "INSERT INTO agency (licence_number, name_en, name_km, licence_status, association,"
            " province, address, phone, email, created_at) VALUES (?, ?, ?, 'active', 'none',"
            " 'Phnom Penh', '', '', '', ?)",
            (LICENCE, "Bench Manpower", "ប៊ិនម៉ែនផៅវើ", datetime.now(UTC).isoformat()),
        )


def stored_counts(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "portal.db") as db:
        complaints = db.execute("SELECT count(*) FROM complaint").fetchone()[0]
        row = db.execute(
            "SELECT value FROM complaint_figure WHERE key = 'status:received'"
        ).fetchone()
    return complaints, row[0] if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    wrk = find_wrk(install=True)
    if not wrk:
        print("this benchmark needs wrk (apt-get install wrk)", file=sys.stderr)
        return 1

    data_dir = Path(tempfile.mkdtemp(prefix="portal-complaint-bench-"))
    server = None
    try:
        seed(data_dir)
        server = Server(data_dir, args.workers)
        server.start()
        status, body, headers = request(server.port, "GET", "/complaints/new")
        csrf = cookies_from(headers).get("portal_csrf")
        if status != 200 or not csrf or b'name="form_token"' not in body:
            raise RuntimeError(f"GET /complaints/new: status {status}, no form or CSRF cookie")
        head = multipart([("_csrf_token", csrf), *complaint_fields()])
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="form_token"\r\n\r\n'.encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        # One request by hand first: the form must be accepted before it is timed.
        warm = head + uuid.uuid4().hex.encode() + tail
        status, body, _ = request(
            server.port,
            "POST",
            "/complaints/new",
            body=warm,
            headers={
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Cookie": f"portal_csrf={csrf}",
            },
        )
        if status != 200 or b'id="receipt-reference"' not in body:
            text = re.sub(r"\s+", " ", body.decode(errors="replace"))
            raise RuntimeError(f"the warm-up POST was not filed ({status}): {text[-600:]}")
        lua = (
            f'PATH = "/complaints/new"\n'
            f'HEADERS = {{["Content-Type"] = "multipart/form-data; boundary={BOUNDARY}", '
            f'["Cookie"] = "portal_csrf={csrf}"}}\n'
            f"BODY_HEAD = {lua_string(head)}\nBODY_TAIL = {lua_string(tail)}\n" + WRK_SCRIPT
        )
        script = data_dir / "complaint.lua"
        script.write_text(lua)
        cmd = [
            wrk,
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{max(1, round(args.seconds))}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://{HOST}:{server.port}/complaints/new",
        ]
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=args.seconds + 60, check=False
        )
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        log = server.log_tail() if server else ""
        print(f"{error}\n--- server log ---\n{log}", file=sys.stderr)
        if server:
            server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        return 1
    finally:
        if server:
            server.stop()

    match = re.search(r"^BENCH (.*)$", out.stdout, re.M)
    stored, figure = stored_counts(data_dir)
    if args.keep:
        print(f"Kept {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    if not match:
        print(f"wrk printed no summary:\n{out.stdout}\n{out.stderr}", file=sys.stderr)
        return 0
    n = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    seconds = n["duration_us"] / 1e6
    rps = n["requests"] / seconds
    p50, p99 = n["p50_us"] / 1000, n["p99_us"] / 1000
    errors = n["bad_status"] + n["connect"] + n["read"] + n["write"] + n["timeout"]
    acked = n["acked"] + 1  # and the warm-up request
    print(
        f"\nPOST /complaints/new (2 workers' details, no files): SQLite WAL, "
        f"`portal serve --workers {args.workers}`, wrk {args.threads} threads, "
        f"{args.connections} connections, {seconds:.1f} s, {os.cpu_count()} CPUs"
    )
    rows = [
        ("requests", f"{n['requests']:,}", ""),
        ("req/s", f"{rps:,.0f}", f">= {TARGET_RPS:,}"),
        ("p50 ms", f"{p50:.1f}", ""),
        ("p99 ms", f"{p99:.1f}", f"< {TARGET_P99_MS}"),
        ("errors", f"{errors}", "0"),
        ("acknowledged (200 + receipt)", f"{acked:,}", ""),
        ("stored complaints", f"{stored:,}", "= acknowledged"),
        ("figure status:received", f"{figure:,}", "= stored"),
    ]
    print(f"{'measure':<30} {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<30} {value:>10}  {target}")
    checks = {
        "throughput": rps >= TARGET_RPS,
        "p99": p99 < TARGET_P99_MS,
        "errors": errors == 0,
        "stored == acknowledged": stored == acked,
        "figure == stored": figure == stored,
    }
    print(
        "\n" + "  ".join(f"{name}: {'PASS' if ok else 'FAIL'}" for name, ok in checks.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
