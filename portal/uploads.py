"""Uploaded files (complaint attachments, assessment evidence): the one set of rules.

A file is accepted only when its *content* is a PDF, JPEG or PNG and its name does not claim
another type, and is stored without what it says about the person (see file_cleaning).
Files live under ``PORTAL_DATA_DIR/files`` - outside the web root - under random names the
server makes; the name the user gave is kept only for display.

On their way to the disk: `check` cleans each file in a worker process, two at a time,
into an unnamed temporary file; `staged` writes them under temporary names (``.part``)
while the transaction that lists them runs, and moves them into place once it committed.
`sweep` (at start-up and daily) finishes a move a crash interrupted and removes, once a
day old, files that no row lists: every table that lists files names their column
``stored_name``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from anyio import BrokenWorkerProcess, CapacityLimiter, to_process, to_thread
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import File
from piccolo.conf.apps import Finder

from portal import file_cleaning
from portal.errors import DomainError
from portal.file_cleaning import Refused
from portal.i18n import N_, _, ngettext
from portal.settings import get_settings

log = logging.getLogger("portal.uploads")

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
ORPHAN_AGE = timedelta(days=1)  # older than any transaction that could still list a file

# What each accepted type is called, and the names a file of that type may carry.
KINDS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
_PART = ".part"
# Files cleaned at once, across requests: decoding a large photo takes a core and ~150 MB.
_CLEANING = CapacityLimiter(2)

TOO_LARGE, NOT_ACCEPTED, WRONG_NAME = "too_large", "not_accepted", "wrong_name"
# What the user reads when a file is refused, by reason.
REFUSALS = {
    TOO_LARGE: N_("%(name)s is larger than %(size)d MB."),
    NOT_ACCEPTED: N_("%(name)s is not a PDF, JPEG or PNG file."),
    WRONG_NAME: N_("The content of %(name)s does not match its name."),
    file_cleaning.UNREADABLE: N_("%(name)s is damaged and cannot be opened."),
    file_cleaning.TOO_MANY_PIXELS: N_(
        "%(name)s is too large a picture (more than %(n)d megapixels). Send a smaller copy."
    ),
    file_cleaning.ACTIVE_CONTENT: N_(
        "%(name)s contains JavaScript or embedded files. Save it again as a plain PDF "
        "(for example with “Print to PDF”) and attach that copy."
    ),
    file_cleaning.PROTECTED: N_(
        "%(name)s is protected by a password. Attach a copy without a password."
    ),
}


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it: its name, and its content in a binary file (the
    temporary file Litestar wrote the upload to)."""

    filename: str
    file: IO[bytes]

    def size(self) -> int:
        return self.file.seek(0, os.SEEK_END)

    def head(self, size: int) -> bytes:
        self.file.seek(0)
        return self.file.read(size)


@dataclass(frozen=True)
class CheckedFile:
    """A file the rules accept, cleaned, in an unnamed temporary file until it is stored."""

    filename: str
    content_type: str
    content: IO[bytes]


@dataclass(frozen=True)
class StoredFile:
    """A checked file on disk: what a table row keeps about it."""

    stored_name: str
    filename: str
    content_type: str
    size: int

    def columns(self) -> dict[str, Any]:
        """The values of the columns every table that lists files has."""
        return {
            "stored_name": self.stored_name,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
        }


async def uploaded_files(request: Request, field: str) -> list[Upload]:
    """Every non-empty file sent in one field of a multipart form."""
    form = await request.form()
    files = []
    for value in form.getall(field) if field in form else []:
        if isinstance(value, UploadFile) and value.filename:
            files.append(Upload(value.filename, value.file))
    return files


def sniff(content: bytes) -> str | None:
    """The content type the bytes themselves show, or None for anything we do not accept."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def display_name(filename: str) -> str:
    """The user's file name made safe to show and to offer as a download name."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = name.strip(" .") or "file"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext[:8]) if dot else name[:120]
    return name


async def check(files: list[Upload], field: str, already: int = 0) -> list[CheckedFile]:
    """Each file checked and cleaned; raises DomainError (on `field`) for the first file the
    rules refuse, so that nothing of the batch is kept."""
    if already + len(files) > MAX_FILES:
        raise DomainError(
            ngettext(
                "You can attach at most %(n)d file.",
                "You can attach at most %(n)d files.",
                MAX_FILES,
            )
            % {"n": MAX_FILES},
            field,
        )
    checked: list[CheckedFile] = []
    for upload in files:
        try:
            kind, content = await to_thread.run_sync(_read_checked, upload)
            cleaned = await _cleaned(content, kind)
            saved = await to_thread.run_sync(_unnamed_file, cleaned)
        except Refused as refusal:
            for file in checked:
                file.content.close()
            values = {
                "name": display_name(upload.filename),
                "size": MAX_FILE_BYTES // (1024 * 1024),
                "n": file_cleaning.MAX_PIXELS // 1_000_000,
            }
            raise DomainError(_(REFUSALS[refusal.reason]) % values, field) from None
        checked.append(CheckedFile(display_name(upload.filename), kind, saved))
    return checked


def _read_checked(upload: Upload) -> tuple[str, bytes]:
    """The file's type and content, once its size, content and name pass."""
    if upload.size() > MAX_FILE_BYTES:
        raise Refused(TOO_LARGE)
    kind = sniff(upload.head(8))
    if kind is None:
        raise Refused(NOT_ACCEPTED)
    extension = os.path.splitext(display_name(upload.filename))[1].lower()
    if extension and extension not in KINDS[kind]:
        raise Refused(WRONG_NAME)
    return kind, upload.head(MAX_FILE_BYTES)


async def _cleaned(content: bytes, kind: str) -> bytes:
    try:
        return await to_process.run_sync(file_cleaning.cleaned, content, kind, limiter=_CLEANING)
    except BrokenWorkerProcess:  # the decoder crashed, or ran out of memory, on this file
        log.error("a worker process cleaning a %s file died", kind, exc_info=True)
        raise Refused(file_cleaning.UNREADABLE) from None


def _unnamed_file(content: bytes) -> IO[bytes]:
    """`content` in a file in the files' own folder, gone when closed or when the process
    dies (a request may hold up to five files: not in memory)."""
    saved = tempfile.TemporaryFile(dir=_make_dir(files_dir()))
    saved.write(content)
    return saved


@dataclass
class Staged:
    """Files written under temporary names for the rows that will list them."""

    files: list[StoredFile]
    kept: bool = True

    def discard(self) -> None:
        """Remove the files when the block ends, instead of moving them into place."""
        self.kept = False


@asynccontextmanager
async def staged(checked: list[CheckedFile]) -> AsyncIterator[Staged]:
    """Write checked files under temporary names for the block, which writes their rows;
    when it ends without error (the rows committed) they are moved into place, otherwise
    removed. A crash in between leaves only temporary names, which `sweep` finishes or
    removes. The files are synced to disk before the rows can commit."""
    staging = Staged(await to_thread.run_sync(_write_all, checked) if checked else [])
    try:
        yield staging
    except BaseException:
        _remove_parts(staging.files)
        raise
    if not staging.kept:
        _remove_parts(staging.files)
        return
    if not staging.files:
        return
    try:
        await to_thread.run_sync(_move_into_place, staging.files)
    except OSError:  # the rows are committed: the next sweep moves what is left
        log.exception("stored files could not be moved into place")


def _write_all(checked: list[CheckedFile]) -> list[StoredFile]:
    stored: list[StoredFile] = []
    try:
        for file in checked:
            stored_name = secrets.token_hex(16) + KINDS[file.content_type][0]
            size = file.content.seek(0, os.SEEK_END)
            stored.append(StoredFile(stored_name, file.filename, file.content_type, size))
            part = _part(stored_name)
            _make_dir(part.parent)
            with open(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                file.content.seek(0)
                shutil.copyfileobj(file.content, out)
                out.flush()
                os.fsync(out.fileno())
    except BaseException:
        _remove_parts(stored)
        raise
    finally:
        for file in checked:
            file.content.close()
    return stored


def _move_into_place(stored: list[StoredFile]) -> None:
    for file in stored:
        _finish_move(file.stored_name)
    for folder in {_path(file.stored_name).parent for file in stored}:
        _sync(folder)


def _finish_move(stored_name: str) -> None:
    try:
        os.replace(_part(stored_name), _path(stored_name))
    except FileNotFoundError:
        if not _path(stored_name).exists():  # else the sweep moved it a moment ago
            raise


def _remove_parts(stored: list[StoredFile]) -> None:
    for file in stored:
        _part(file.stored_name).unlink(missing_ok=True)


def _sync(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _make_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove(stored_names: list[str]) -> None:
    """Delete files whose rows were deleted."""
    for name in stored_names:
        _path(name).unlink(missing_ok=True)


def download(stored_name: str, filename: str, content_type: str) -> File:
    """A response that makes the browser save the file, never render it in the portal;
    Litestar streams it from disk."""
    return File(
        _path(stored_name),
        filename=filename,
        media_type=content_type,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


def files_dir() -> Path:
    return get_settings().data_dir / "files"


def drafts_dir() -> Path:
    """Where the files of forms that came back are held (portal/upload_drafts.py)."""
    return files_dir() / "drafts"


def _path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError("not a stored file name")
    return files_dir() / stored_name[:2] / stored_name


def _part(stored_name: str) -> Path:
    """Where a file is written until the transaction that lists it has committed."""
    return _path(stored_name).with_name(stored_name + _PART)


async def sweep() -> int:
    """Finish moving the files whose rows committed just before a crash, and remove the
    files no row lists (temporary or not) once they are a day old; returns how many were
    removed. Safe to run beside requests and any number of times."""
    on_disk = await to_thread.run_sync(_files_on_disk)
    cutoff = time.time() - ORPHAN_AGE.total_seconds()
    # A temporary name is looked up at any age: its row may have committed.
    candidates = {
        name: written
        for name, written in on_disk.items()
        if name.endswith(_PART) or written < cutoff
    }
    listed = await _listed({name.removesuffix(_PART) for name in candidates})
    moved, removed = [], []
    for name, written in candidates.items():
        stored_name = name.removesuffix(_PART)
        if stored_name in listed and name != stored_name:
            moved.append(stored_name)
        elif stored_name not in listed and written < cutoff:
            removed.append(name)
    await to_thread.run_sync(_move_and_remove, moved, removed)
    removed += await to_thread.run_sync(_old_drafts_removed, cutoff)
    if moved or removed:
        log.info("files: %d moved into place, %d removed", len(moved), len(removed))
    return len(removed)


def _old_drafts_removed(cutoff: float) -> list[str]:
    """Remove the held files of forms last touched before `cutoff` (never sent)."""
    removed = []
    for folder in drafts_dir().iterdir() if drafts_dir().exists() else ():
        try:
            if max((p.stat().st_mtime for p in folder.iterdir()), default=0) < cutoff:
                removed += [p.name for p in folder.iterdir()]
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:  # the form was sent meanwhile
            continue
    return removed


def _files_on_disk() -> dict[str, float]:
    """Each stored or temporary file's name and when it was last written."""
    found = {}
    root = files_dir()
    for path in root.glob("??/*") if root.exists() else ():
        if _STORED_NAME.match(path.name.removesuffix(_PART)):
            try:
                found[path.name] = path.stat().st_mtime
            except FileNotFoundError:  # moved or removed meanwhile
                continue
    return found


async def _listed(names: set[str]) -> set[str]:
    """Those of `names` that a row lists."""
    listed: set[str] = set()
    batch = sorted(names)
    for table in Finder().get_table_classes():
        column: Any = getattr(table, "stored_name", None)
        for start in range(0, len(batch), 500) if column is not None else ():
            rows = await table.select(column).where(column.is_in(batch[start : start + 500]))
            listed.update(row["stored_name"] for row in rows)
    return listed


def _move_and_remove(moved: list[str], removed: list[str]) -> None:
    for stored_name in moved:
        try:
            _finish_move(stored_name)
            _sync(_path(stored_name).parent)
        except OSError:  # e.g. its row was deleted meanwhile: the next sweep looks again
            log.warning("could not move %s into place", stored_name, exc_info=True)
    for name in removed:
        (files_dir() / name[:2] / name).unlink(missing_ok=True)
