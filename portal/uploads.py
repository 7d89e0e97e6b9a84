"""Uploaded files (complaint attachments, assessment evidence): the one set of rules.

A file is accepted only when its *content* is a PDF, JPEG or PNG and its name does not claim
another type. Images lose their metadata (EXIF with GPS position, XMP, comments) before they
are stored. Files live under ``PORTAL_DATA_DIR/files`` - outside the web root - under
random names the server makes; the name the user gave is kept only for display.

An upload stays in the temporary file Litestar spooled it to; it is checked and written to
its place in a worker thread: a PDF copied piece by piece, an image decoded and written
again by Pillow.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import File
from PIL import Image, ImageOps

from portal.errors import DomainError
from portal.i18n import _, ngettext
from portal.settings import get_settings

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5

# What each accepted type is called, and the names a file of that type may carry.
KINDS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")


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
class StoredFile:
    """A checked file on disk: what a table row keeps about it."""

    stored_name: str
    filename: str
    content_type: str
    size: int


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


async def check(files: list[Upload], field: str, already: int = 0) -> list[tuple[Upload, str]]:
    """Each file with its content type; raises DomainError (on `field`) for the first
    file the rules refuse, so that nothing of the batch is kept."""
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
    # Reading the files (up to 50 MB) would hold up every other request on the event loop.
    return [(upload, await asyncio.to_thread(_checked_type, upload, field)) for upload in files]


def _checked_type(upload: Upload, field: str) -> str:
    name = display_name(upload.filename)
    if upload.size() > MAX_FILE_BYTES:
        raise DomainError(
            _("%(name)s is larger than %(size)d MB.")
            % {"name": name, "size": MAX_FILE_BYTES // (1024 * 1024)},
            field,
        )
    kind = sniff(upload.head(8))
    if kind is None:
        raise DomainError(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}, field)
    extension = os.path.splitext(name)[1].lower()
    if extension and extension not in KINDS[kind]:
        raise DomainError(
            _("The content of %(name)s does not match its name.") % {"name": name}, field
        )
    if kind == "application/pdf":
        return kind
    try:
        with open(os.devnull, "wb") as nowhere:  # a dry run: the image's structure is sound
            strip_metadata(upload.file, nowhere, kind)
    except ValueError:
        raise DomainError(
            _("%(name)s is damaged and cannot be opened.") % {"name": name}, field
        ) from None
    return kind


def store(upload: Upload, content_type: str) -> StoredFile:
    """Write one checked file (metadata stripped) under a new random name."""
    stored_name = secrets.token_hex(16) + KINDS[content_type][0]
    path = _path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    # Written then renamed, so a crash never leaves half a file under a real name.
    try:
        with open(temporary, "xb") as out:
            os.chmod(temporary, 0o600)
            strip_metadata(upload.file, out, content_type)
            size = out.tell()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.rename(path)
    return StoredFile(stored_name, display_name(upload.filename), content_type, size)


async def store_all(checked: list[tuple[Upload, str]]) -> list[StoredFile]:
    """Write checked files (in a worker thread: they are copied from disk to disk); if
    one fails, those already written are removed."""
    return await asyncio.to_thread(_store_all, checked)


def _store_all(checked: list[tuple[Upload, str]]) -> list[StoredFile]:
    stored: list[StoredFile] = []
    try:
        for upload, kind in checked:
            stored.append(store(upload, kind))
    except BaseException:
        remove([s.stored_name for s in stored])
        raise
    return stored


def remove(stored_names: list[str]) -> None:
    """Delete files, e.g. when the database change that would have listed them failed."""
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


def _path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError("not a stored file name")
    return files_dir() / stored_name[:2] / stored_name


# --- metadata -------------------------------------------------------------------------


def strip_metadata(source: IO[bytes], target: IO[bytes], content_type: str) -> None:
    """Copy the file to `target` without what an image can say about a person (EXIF with
    the GPS position, XMP, comments, text): Pillow decodes the picture and writes its
    pixels and colour profile again, turned upright as the phone meant it. Raises
    ValueError when the image cannot be read. PDFs are copied as they are."""
    source.seek(0)
    if content_type not in _IMAGE_FORMATS:
        shutil.copyfileobj(source, target)
        return
    try:
        with Image.open(source, formats=[_IMAGE_FORMATS[content_type]]) as image:
            upright = ImageOps.exif_transpose(image)
            options: dict = {"icc_profile": image.info.get("icc_profile")}
            if image.format == "JPEG":
                options["comment"] = b""  # Pillow would copy the original's comment over
                if upright is image:  # the original's quantisation: no visible loss
                    options |= {"quality": "keep", "subsampling": "keep"}
            upright.save(target, format=image.format, **options)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError("the image cannot be read") from error


_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
