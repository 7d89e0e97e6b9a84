"""Uploads against the event loop: the longest wait for GET /healthz while 8 complaints
with a crafted 10 MB JPEG each are posted at once to `portal serve --workers 1` (one
worker, so every request shares the one event loop the uploads could hold up).

Two kinds of crafted JPEG, four of each: a 49-megapixel progressive picture of fine
noise (the most a JPEG under the portal's pixel limit makes Pillow decode and encode),
and a small picture behind 10 MB of empty comment segments (2.6 million of them, each
one a step of Pillow's marker parser). Meanwhile one keep-alive connection asks for
/healthz every 10 ms; a probe's time is how long that request waited.

Target (issue #21): the longest /healthz wait during the uploads < 100 ms, and every
upload answered without a server error. This is a benchmark: it prints PASS/FAIL and
exits 0 either way (1 only when the server cannot be started).

    .venv/bin/python bench/upload_stall_bench.py [--uploads 8] [--postgres] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from complaint_post_bench import BOUNDARY, complaint_fields, multipart, read_response, seed
from http_bench import HOST, Server, clean_up, cookies_from, isolated_environment, request

TARGET_STALL_MS = 100
PROBE_EVERY_S = 0.01
MAX_BYTES = 10 * 1024 * 1024  # the portal's limit per file


def noisy_picture() -> bytes:
    """A 7,000 x 7,000 progressive JPEG of fine noise, just under 10 MB."""
    seed_pixels = Image.frombytes("RGB", (875, 875), os.urandom(875 * 875 * 3))
    picture = seed_pixels.resize((7000, 7000), Image.Resampling.BILINEAR)
    for quality in (85, 80, 75, 70):
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=quality, progressive=True)
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    raise RuntimeError("could not make a noisy picture under 10 MB")


def stuffed_jpeg() -> bytes:
    """A 64 x 64 JPEG behind 10 MB of empty comment segments."""
    small = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(small, format="JPEG")
    body = small.getvalue()
    segments = (MAX_BYTES - len(body) - 1024) // 4
    return body[:2] + b"\xff\xfe\x00\x02" * segments + body[2:]


@dataclass
class Probes:
    started: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)

    def during(self, start: float, end: float) -> list[float]:
        return [w for s, w in zip(self.started, self.waits, strict=True) if start <= s <= end]


async def probe(port: int, probes: Probes, stop: asyncio.Event) -> None:
    """GET /healthz on one keep-alive connection every 10 ms until `stop`."""
    reader, writer = await asyncio.open_connection(HOST, port)
    raw = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    try:
        while not stop.is_set():
            sent = time.perf_counter()
            writer.write(raw)
            status, _ = await read_response(reader)
            if status != 200:
                raise RuntimeError(f"/healthz answered {status}")
            probes.started.append(sent)
            probes.waits.append(time.perf_counter() - sent)
            await asyncio.sleep(PROBE_EVERY_S)
    finally:
        writer.close()


def upload_request(port: int, csrf: str, number: int, name: str, image: bytes) -> bytes:
    """The whole POST of one complaint with `image` attached, built before the clock runs."""
    token = f"upload{number:03d}".ljust(40, "x")
    body = (
        multipart([("_csrf_token", csrf), *complaint_fields(), ("form_token", token)])
        + (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        + image
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    head = (
        f"POST /complaints/new HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Cookie: portal_csrf={csrf}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def upload(port: int, raw: bytes) -> tuple[int, float]:
    """Send one prepared POST; its status and how long it took."""
    reader, writer = await asyncio.open_connection(HOST, port)
    sent = time.perf_counter()
    writer.write(raw)
    await writer.drain()
    status, _ = await asyncio.wait_for(read_response(reader), timeout=300)
    writer.close()
    return status, time.perf_counter() - sent


async def run(port: int, posts: list[bytes]) -> tuple[Probes, list, float, float]:
    probes = Probes()
    stop = asyncio.Event()
    prober = asyncio.create_task(probe(port, probes, stop))
    await asyncio.sleep(1.0)  # the idle baseline
    start = time.perf_counter()
    results = await asyncio.gather(*(upload(port, raw) for raw in posts))
    end = time.perf_counter()
    await asyncio.sleep(0.5)
    stop.set()
    await prober
    return probes, results, start, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--only", choices=["noise", "comments"], help="one kind of JPEG")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    print("crafting the images ...", flush=True)
    noisy, stuffed = noisy_picture(), stuffed_jpeg()
    kinds = {"noise": ("noise.jpg", noisy), "comments": ("comments.jpg", stuffed)}
    images = [
        kinds[args.only] if args.only else list(kinds.values())[n % 2] for n in range(args.uploads)
    ]
    data_dir, database = isolated_environment("portal-upload-bench-", args.postgres)
    server = None
    try:
        seed(data_dir)
        server = Server(data_dir, workers=1)
        server.start()
        status, _, headers = request(server.port, "GET", "/complaints/new")
        csrf = cookies_from(headers).get("portal_csrf")
        if status != 200 or not csrf:
            raise RuntimeError(f"GET /complaints/new: status {status}, no CSRF cookie")
        posts = [
            upload_request(server.port, csrf, n, name, image)
            for n, (name, image) in enumerate(images)
        ]
        probes, results, start, end = asyncio.run(run(server.port, posts))
    except (RuntimeError, OSError, subprocess.CalledProcessError) as error:
        log = server.log_tail() if server else ""
        print(f"{error}\n--- server log ---\n{log}", file=sys.stderr)
        return 1
    finally:
        if server:
            server.stop()
        clean_up(data_dir, database, args.keep)

    idle = [w for s, w in zip(probes.started, probes.waits, strict=True) if s < start]
    busy = sorted(probes.during(start, end))
    longest = busy[-1] * 1000 if busy else float("inf")
    statuses = sorted(status for status, _ in results)
    server_errors = sum(status >= 500 for status in statuses)
    print(
        f"\n{args.uploads} parallel POST /complaints/new, each with one crafted JPEG "
        f"({len(noisy) / 1e6:.1f} MB noise picture, {len(stuffed) / 1e6:.1f} MB comment "
        f"segments): {'PostgreSQL' if args.postgres else 'SQLite WAL'}, "
        f"`portal serve --workers 1`, {os.cpu_count()} CPUs"
    )
    rows = [
        ("uploads answered (status)", ", ".join(map(str, statuses)), "no 5xx"),
        ("uploads: first to last answer s", f"{end - start:.1f}", ""),
        ("slowest upload s", f"{max(t for _, t in results):.1f}", ""),
        ("/healthz idle, longest ms", f"{max(idle) * 1000:.1f}" if idle else "-", ""),
        ("/healthz probes during uploads", f"{len(busy)}", ""),
        ("/healthz p50 ms", f"{busy[len(busy) // 2] * 1000:.1f}" if busy else "-", ""),
        ("/healthz longest wait ms", f"{longest:.1f}", f"< {TARGET_STALL_MS}"),
    ]
    print(f"{'measure':<34} {'value':>24}  target")
    for name, value, target in rows:
        print(f"{name:<34} {value:>24}  {target}")
    checks = {"longest /healthz wait": longest < TARGET_STALL_MS, "no 5xx": server_errors == 0}
    print("\n" + "  ".join(f"{name}: {'PASS' if ok else 'FAIL'}" for name, ok in checks.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
