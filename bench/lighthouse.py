"""Lighthouse (mobile, simulated slow 4G) on the public and signed-in pages, in English and
Khmer: performance score, cumulative layout shift, bytes of a first load, and bytes of a
repeat visit a day later (what a browser must fetch again: responses it may not keep for
a day), and the requests that failed (a missing favicon, say).

Starts `portal serve` on a seeded throw-away database, installs Lighthouse from npm into
~/.cache/portal-bench/lighthouse when it is not there, and drives Debian's Chromium with
the flags the browser tests use. Not a test: it prints one table and exits 0 whether the
goals are met or not (1 only when the portal or Lighthouse cannot be started).

    .venv/bin/python bench/lighthouse.py [--runs 1] [--pages / /agencies ...]

Goals (issue 20): performance >= 95 in both languages, CLS < 0.05, the complaint form's
first load <= 60 KB, a repeat visit <= 10 KB. /my-case is measured with the cookie a
complaint filed and opened by the script gives; the receipt (the answer to the form's POST,
which Lighthouse cannot send) is shown by its size.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import http_bench  # noqa: E402
from bench.complaint_post_bench import BOUNDARY, complaint_fields, multipart  # noqa: E402
from bench.http_bench import Server, cookies_from, portal_env, request, sign_in  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LIGHTHOUSE_VERSION = "13.5.0"
CACHE = Path.home() / ".cache" / "portal-bench" / "lighthouse"
PORTAL = Path(sys.executable).with_name("portal")
http_bench.VENV_BIN = PORTAL.parent  # the Python running this, not a .venv in this checkout
DAY_MS = 24 * 3600 * 1000
PAGES = ["/", "/complaints/new", "/agencies", "/complaints/check", "/login", "/my-case"]
SIGNED_IN_PAGES = ["/cases"]


def lighthouse() -> Path:
    """The lighthouse command, installed from npm into the cache directory if missing."""
    command = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not command.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(CACHE),
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return command


def _items(details: dict) -> list[dict]:
    """The rows of an audit's details table, also when the table sits inside a list."""
    rows = list(details.get("items", []))
    return [row for item in rows for row in ([item, *_items(item)] if item.get("type") else [item])]


def measure(command: Path, url: str, cookie: str | None) -> dict[str, float]:
    """One Lighthouse run: score, CLS, first-load bytes, repeat-visit bytes, failed requests."""
    args = [
        str(command),
        url,
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
        "--only-categories=performance",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
    ]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    out = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"lighthouse {url}: {out.stderr[-2000:]}")
    report = json.loads(out.stdout)
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]
    first = sum(r.get("transferSize", 0) for r in requests)
    # Kept for a day: the response's own cache lifetime (Lighthouse reads Cache-Control).
    cache = audits.get("cache-insight") or audits.get("uses-long-cache-ttl") or {}
    short_lived = {
        item["url"]: item.get("cacheLifetimeMs", 0)
        for item in _items(cache.get("details") or {})
        if "cacheLifetimeMs" in item
    }
    repeat = sum(
        r.get("transferSize", 0)
        for r in requests
        if r.get("resourceType") == "Document" or short_lived.get(r["url"], DAY_MS) < DAY_MS
    )
    failed = sum(1 for r in requests if r.get("statusCode", 200) >= 400)
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "first_kb": first / 1024,
        "repeat_kb": repeat / 1024,
        "failed": failed,
    }


def open_own_case(port: int) -> str:
    """File a complaint as the public does and open it with its receipt, as the complainant
    does: the cookies /my-case then reads. (The receipt itself answers the form's POST, a
    navigation Lighthouse cannot make; its size is printed from that answer.)"""
    status, body, headers = request(port, "GET", "/complaints/new")
    csrf = cookies_from(headers)["portal_csrf"]
    token = re.search(rb'name="form_token" value="([^"]+)"', body)
    fields = [("_csrf_token", csrf), ("form_token", token.group(1).decode() if token else "")]
    fields += [
        (k, "Unlicensed broker" if k == "agency_query" else v) for k, v in complaint_fields()
    ]
    fields.append(("agency_unlisted", "1"))  # the bench's licence is not in the demo registry
    status, body, _ = request(
        port,
        "POST",
        "/complaints/new",
        body=multipart(fields) + f"--{BOUNDARY}--\r\n".encode(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Cookie": f"portal_csrf={csrf}",
        },
    )
    found = re.search(rb'id="receipt-reference">([^<]+)<.*?id="receipt-code">([^<]+)<', body, re.S)
    if status != 200 or not found:
        errors = re.findall(rb'class="field-error"[^>]*>([^<]+)<', body)
        raise RuntimeError(f"POST /complaints/new gave no receipt (status {status}): {errors}")
    print(f"receipt page (the POST's answer): {len(body) / 1024:.1f} KB of HTML")
    reference, code = (part.decode().strip() for part in found.groups())
    status, _, headers = request(
        port,
        "POST",
        "/complaints/check",
        body=f"_csrf_token={csrf}&reference={reference}&code={code}".encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"portal_csrf={csrf}",
        },
    )
    jar = {"portal_csrf": csrf, **cookies_from(headers)}
    if status != 303 or len(jar) < 2:
        raise RuntimeError(f"POST /complaints/check: status {status}, no case cookie")
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def measure_again(command: Path, url: str, cookie: str | None) -> dict[str, float]:
    """measure(), tried a second time: Chromium sometimes fails to start on a busy machine."""
    try:
        return measure(command, url, cookie)
    except RuntimeError:
        return measure(command, url, cookie)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is shown)")
    parser.add_argument("--pages", nargs="+", default=PAGES + SIGNED_IN_PAGES)
    parser.add_argument("--languages", nargs="+", default=["en", "km"])
    args = parser.parse_args()
    try:
        command = lighthouse()
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"Lighthouse could not be installed: {error}", file=sys.stderr)
        return 1
    data_dir = Path(tempfile.mkdtemp(prefix="portal-lighthouse-"))
    # This checkout's code, not the one the virtualenv's `portal` was installed from.
    here = {"PYTHONPATH": str(ROOT), "PORTAL_RUN_SCHEDULER": "false"}
    server = Server(data_dir, workers=1, **here)
    try:
        subprocess.run(
            [str(PORTAL), "demo-data"],
            cwd=ROOT,
            env={**portal_env(data_dir), **here},
            capture_output=True,
            check=True,
            timeout=300,
        )
        server.start()
        cookie = sign_in(server.port)
        own_case = open_own_case(server.port)
        print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile, {args.runs} run(s) per page (median)")
        print(
            f"{'page':<22}{'lang':<6}{'perf':>6}{'CLS':>8}{'first KB':>10}{'repeat KB':>11}{'failed':>8}"
        )
        for path in args.pages:
            for language in args.languages:
                signed = cookie if path in SIGNED_IN_PAGES else None
                signed = own_case if path == "/my-case" else signed
                url = f"http://127.0.0.1:{server.port}{path}?lang={language}"
                runs = [measure_again(command, url, signed) for _ in range(args.runs)]
                m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(
                    f"{path:<22}{language:<6}{m['score']:>6.0f}{m['cls']:>8.3f}"
                    f"{m['first_kb']:>10.1f}{m['repeat_kb']:>11.1f}{m['failed']:>8.0f}",
                    flush=True,
                )
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        print(f"{error}\n--- server log ---\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
