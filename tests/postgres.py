"""A throwaway PostgreSQL server for the test run: initdb + pg_ctl into a temporary
directory, listening on 127.0.0.1 only, removed at the end (or kept, and started again
later from the same directory). As root, it runs as the `postgres` user (PostgreSQL
refuses to run as root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin_dir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    return versions[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, root: Path | None = None) -> None:
        """`root`: a directory of its own (made if missing; a server kept there earlier
        starts again with its data), instead of a temporary one."""
        self.bin = _bin_dir()
        self.root = root or Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.root.mkdir(mode=0o700, exist_ok=True)
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        kept = (self.data / "PG_VERSION").exists()
        if not kept:
            self._run(
                "initdb", "-D", str(self.data), "-U", "portal", "-A", "trust", "-E", "UTF8",
                "--no-sync",
            )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        if not kept:
            self._run(
                "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "portal", "portal_test"
            )
        return f"postgresql://portal@127.0.0.1:{self.port}/portal_test"

    def stop(self, keep: bool = False) -> None:
        """Stop the server; remove its directory unless `keep` (then shut down cleanly,
        so that it starts again without recovery)."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast" if keep else "immediate", "stop")
        finally:
            if not keep:
                shutil.rmtree(self.root, ignore_errors=True)
