"""HTTP throughput of the portal on SQLite, with 1 and 2 worker processes.

Starts `portal serve` on a seeded throw-away database (a temporary PORTAL_DATA_DIR),
drives each endpoint on 127.0.0.1 for a bounded time with wrk (Debian's `wrk`; installed
with apt-get when missing and running as root) or, failing that, with the asyncio
keep-alive client below, and prints one table per run:

    workers, endpoint, req/s, p50 ms, p99 ms, errors, ratio to the bare endpoint

The "bare" endpoint is the cheapest route that does no database work. The portal has no
handler without a template or a file behind it, so it is GET / for an anonymous visitor
(no session cookie, so no session lookup; a small template). The static stylesheet is
measured too, for comparison. Errors are socket errors, timeouts and any status but 200.

Target: the database-backed page (GET /admin/users, signed in as the demo admin) keeps at
least 20% of the bare endpoint's throughput on the same server, with no errors. This is a
benchmark: it exits 0 whether the targets are met or not, and 1 only when the server
cannot be started or signed in to.

    .venv/bin/python bench/http_bench.py [--seconds 8] [--workers 1 2] [--client auto]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.static import static_url  # noqa: E402 - importable once ROOT is on the path

VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
ADMIN_EMAIL = "admin@demo.example"
ADMIN_PASSWORD = "portal-demo-2026"  # noqa: S105 - the published demo password
TARGET_RATIO = 0.20


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    signed_in: bool = False
    bare: bool = False
    db_page: bool = False
    expect: str = ""  # a string the 200 response must contain (checked once, before load)


ENDPOINTS = [
    Endpoint("GET / (bare: anonymous, no DB)", "/", bare=True, expect="/login"),
    Endpoint("GET /static/<hash>/css/portal.css", static_url("css/portal.css"), expect="{"),
    Endpoint("GET /login (template, no DB)", "/login", expect="_csrf_token"),
    Endpoint("GET /healthz (SELECT 1)", "/healthz", expect='"database":"ok"'),
    Endpoint(
        "GET /admin/users (signed in)",
        "/admin/users",
        signed_in=True,
        db_page=True,
        expect=ADMIN_EMAIL,
    ),
]


@dataclass
class Result:
    workers: int
    endpoint: Endpoint
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    detail: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def isolated_environment(
    prefix: str, postgres: bool, data_dir: Path | None = None
) -> tuple[Path, Any]:
    """For a benchmark that runs the portal in its own process: a fresh data directory (or
    `data_dir`, kept from an earlier run), no PORTAL_* setting from the caller's shell, no
    scheduler, and with `postgres` a throwaway PostgreSQL server (stop it when done) whose
    files are in the data directory's `postgres`, so that --keep keeps them too."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix=prefix))
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in [k for k in os.environ if k.startswith("PORTAL_")]:
        del os.environ[name]
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["PORTAL_RUN_SCHEDULER"] = "false"
    server = None
    if postgres:
        from tests.postgres import ThrowawayPostgres

        data_dir.chmod(0o755)  # the server (user postgres when run as root) goes through it
        server = ThrowawayPostgres(data_dir / "postgres")
        os.environ["PORTAL_DATABASE_URL"] = server.start()
    return data_dir, server


def clean_up(data_dir: Path, database: Any, keep: bool) -> None:
    """After a run: stop the throwaway PostgreSQL server (if any), and remove the data
    directory unless --keep asked to look at it."""
    if database is not None:
        database.stop(keep)
    if keep:
        print(f"Kept {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)


def portal_env(data_dir: Path) -> dict[str, str]:
    """The server's environment: no PORTAL_* setting from the caller's shell but the
    database isolated_environment() chose, if it chose one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_BASE_URL=f"http://{HOST}")
    if database := os.environ.get("PORTAL_DATABASE_URL"):
        env["PORTAL_DATABASE_URL"] = database
    return env


class Server:
    def __init__(self, data_dir: Path, workers: int, **settings: str) -> None:
        """`settings`: PORTAL_* variables for the server, e.g. PORTAL_TRUSTED_PROXIES."""
        self.data_dir = data_dir
        self.workers = workers
        self.settings = settings
        self.port = free_port()
        self.log_path = data_dir / f"serve-{workers}w.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "portal"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env={**portal_env(self.data_dir), **self.settings},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portal serve exited with {self.proc.returncode}")
            try:
                status, body, _ = request(self.port, "GET", "/healthz")
                if status == 200 and b'"ok"' in body:
                    if self.workers > 1:
                        self._wait_for_all_workers(deadline)
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"portal serve did not answer /healthz within {timeout:.0f} s")

    def _wait_for_all_workers(self, deadline: float) -> None:
        # /healthz answers as soon as one worker is up; wait until every worker has said
        # "Application startup complete" so that no run measures a half-started server.
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if text.count("Application startup complete") >= self.workers:
                return
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)  # the group of the server we started
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


def cookies_from(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {k: m.value for k, m in jar.items()}


def sign_in(port: int, email: str = ADMIN_EMAIL) -> str:
    """The cookies a browser holds once signed in to a demo account (GET /login for the
    CSRF cookie, then POST the form with that token): the session and the CSRF cookie."""
    status, _, headers = request(port, "GET", "/login")
    csrf = cookies_from(headers).get("portal_csrf")
    if status != 200 or not csrf:
        raise RuntimeError(f"GET /login: status {status}, no portal_csrf cookie")
    form = urlencode({"_csrf_token": csrf, "email": email, "password": ADMIN_PASSWORD})
    status, _, headers = request(
        port,
        "POST",
        "/login",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"portal_csrf={csrf}",
        },
    )
    cookies = cookies_from(headers)
    session = cookies.get("portal_session")
    csrf = cookies.get("portal_csrf", csrf)  # in case signing in renews it
    if status != 303 or not session:
        raise RuntimeError(f"POST /login as {email}: status {status}, no portal_session cookie")
    return f"portal_session={session}; portal_csrf={csrf}"


def check_endpoint(port: int, endpoint: Endpoint, cookie: str) -> None:
    headers = {"Cookie": cookie} if endpoint.signed_in else {}
    status, body, _ = request(port, "GET", endpoint.path, headers=headers)
    if status != 200 or endpoint.expect.encode() not in body:
        raise RuntimeError(f"{endpoint.path}: status {status}, or {endpoint.expect!r} missing")


# --- load generators -------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Counts every status but 200 as an error; prints the numbers in one parseable line.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d bad_status=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad_total, e.connect, e.read, e.write, e.timeout))
end
"""


def find_wrk(install: bool) -> str | None:
    wrk = shutil.which("wrk")
    if wrk or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return wrk
    print("wrk is missing: apt-get install -y wrk ...", flush=True)
    for args in (["install", "-y", "wrk"], ["update"], ["install", "-y", "wrk"]):
        subprocess.run(
            ["apt-get", "-o", "DPkg::Lock::Timeout=120", "-qq", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if shutil.which("wrk"):
            break
    return shutil.which("wrk")


def run_wrk(
    wrk: str,
    script: Path,
    port: int,
    path: str,
    cookie: str | None,
    seconds: float,
    connections: int,
    threads: int,
) -> tuple[int, float, float, float, int, str]:
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
    ]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    match = re.search(r"^BENCH (.*)$", out.stdout, re.M)
    if not match:
        raise RuntimeError(f"wrk printed no summary: {out.stdout}\n{out.stderr}")
    n = {k: int(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    socket_errors = n["connect"] + n["read"] + n["write"] + n["timeout"]
    detail = ", ".join(
        f"{k} {n[k]}" for k in ("bad_status", "connect", "read", "write", "timeout") if n[k]
    )
    return (
        n["requests"],
        n["duration_us"] / 1e6,
        n["p50_us"] / 1000,
        n["p99_us"] / 1000,
        n["bad_status"] + socket_errors,
        detail,
    )


async def _python_load(
    port: int,
    path: str,
    cookie: str | None,
    seconds: float,
    connections: int,
) -> tuple[int, float, float, float, int, str]:
    """A raw-socket HTTP/1.1 keep-alive client: `connections` loops, each sending one
    request at a time on its own connection until the time is up."""
    headers = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    raw = (headers + "\r\n").encode()
    latencies: list[float] = []
    errors = {"bad_status": 0, "socket": 0}
    start = time.perf_counter()
    stop_at = start + seconds

    async def read_response(reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip().lower()
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        return status

    async def one_connection() -> None:
        writer = None
        while time.perf_counter() < stop_at:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                sent = time.perf_counter()
                writer.write(raw)
                status = await asyncio.wait_for(read_response(reader), timeout=5)
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    errors["bad_status"] += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                errors["socket"] += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    detail = ", ".join(f"{k} {v}" for k, v in errors.items() if v)
    return len(latencies), elapsed, pct(0.50), pct(0.99), sum(errors.values()), detail


def run_python_client(
    port: int,
    path: str,
    cookie: str | None,
    seconds: float,
    connections: int,
) -> tuple[int, float, float, float, int, str]:
    return asyncio.run(_python_load(port, path, cookie, seconds, connections))


# --- the run ---------------------------------------------------------------------------


def print_figures(rows: list[tuple[str, str, str]], checks: dict[str, bool]) -> None:
    """A benchmark's closing table (measure, value, target) and its PASS/FAIL line."""
    width = max(len(name) for name, _, _ in rows) + 2
    print(f"{'measure':<{width}} {'value':>10}  target")
    for name, value, target in rows:
        print(f"{name:<{width}} {value:>10}  {target}")
    print("\n" + "  ".join(f"{name}: {'PASS' if ok else 'FAIL'}" for name, ok in checks.items()))


def print_table(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    header = (
        f"{'workers':>7}  {'endpoint':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        bare = next(x for x in results if x.workers == r.workers and x.endpoint.bare)
        ratio = r.rps / bare.rps if bare.rps else 0.0
        print(
            f"{r.workers:>7}  {r.endpoint.label:<36} {r.rps:>8.0f} {r.p50_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.errors:>7} {ratio:>6.2f}"
            + (f"   ({r.detail})" if r.detail else "")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per endpoint")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="auto: wrk if it is (or can be) installed, else the asyncio client",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    if not (0 < args.seconds <= 120) or not (1 <= args.connections <= 512):
        parser.error("--seconds must be in (0, 120] and --connections in [1, 512]")

    wrk = find_wrk(install=True) if args.client in ("auto", "wrk") else None
    if args.client == "wrk" and not wrk:
        print("wrk is not installed and could not be installed", file=sys.stderr)
        return 1
    client = f"wrk ({args.threads} threads)" if wrk else "asyncio keep-alive client (no wrk)"

    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    script = data_dir / "bench.lua"
    script.write_text(WRK_SCRIPT)
    results: list[Result] = []
    try:
        seed = subprocess.run(
            [str(VENV_BIN / "portal"), "demo-data"],
            cwd=ROOT,
            env=portal_env(data_dir),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if seed.returncode != 0:
            print(f"portal demo-data failed:\n{seed.stdout}\n{seed.stderr}", file=sys.stderr)
            return 1
        print(
            f"Seeded {data_dir / 'portal.db'}; load: {client}, {args.connections} "
            f"connections, {args.seconds:g} s per endpoint, on {HOST}; {os.cpu_count()} CPUs.",
            flush=True,
        )
        for workers in args.workers:
            server = Server(data_dir, workers)
            try:
                server.start()
                cookie = sign_in(server.port)
                for endpoint in ENDPOINTS:
                    check_endpoint(server.port, endpoint, cookie)
            except (RuntimeError, OSError) as error:
                print(
                    f"workers={workers}: {error}\n--- server log ---\n{server.log_tail()}",
                    file=sys.stderr,
                )
                server.stop()
                return 1
            try:
                for endpoint in ENDPOINTS:
                    run_cookie = cookie if endpoint.signed_in else None
                    # A short warm-up (template compilation, connections, caches).
                    for _ in range(3):
                        request(
                            server.port,
                            "GET",
                            endpoint.path,
                            headers={"Cookie": run_cookie} if run_cookie else {},
                        )
                    if wrk:
                        numbers = run_wrk(
                            wrk,
                            script,
                            server.port,
                            endpoint.path,
                            run_cookie,
                            args.seconds,
                            args.connections,
                            args.threads,
                        )
                    else:
                        numbers = run_python_client(
                            server.port, endpoint.path, run_cookie, args.seconds, args.connections
                        )
                    result = Result(workers, endpoint, *numbers)
                    results.append(result)
                    print(
                        f"  workers={workers} {endpoint.path}: {result.rps:.0f} req/s, "
                        f"{result.errors} errors",
                        flush=True,
                    )
                # The session must still be good after the run (no silent redirects).
                check_endpoint(server.port, ENDPOINTS[-1], cookie)
            finally:
                server.stop()
    finally:
        clean_up(data_dir, None, args.keep)

    print_table(
        "Portal over HTTP, SQLite WAL (ratio = req/s / bare GET / on the same server; "
        f"{client}, {args.connections} connections)",
        results,
    )
    print(
        f"\nTargets: {ENDPOINTS[-1].path} >= {TARGET_RATIO:.0%} of the bare endpoint's "
        "req/s on the same server, and 0 errors"
    )
    for workers in args.workers:
        rows = [r for r in results if r.workers == workers]
        bare = next(r for r in rows if r.endpoint.bare)
        page = next(r for r in rows if r.endpoint.db_page)
        ratio = page.rps / bare.rps if bare.rps else 0.0
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print(
            f"  workers={workers}: {page.endpoint.path} at {ratio:.0%} of bare "
            f"({page.rps:.0f} / {bare.rps:.0f} req/s): {verdict}"
        )
        errors = sum(r.errors for r in rows)
        print(
            f"  workers={workers}: errors on all endpoints: {errors}: "
            f"{'PASS' if errors == 0 else 'FAIL'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
