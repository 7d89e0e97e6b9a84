"""Uploaded files (complaint attachments, assessment evidence): the one set of rules.

A file is accepted only when its *content* is a PDF, JPEG or PNG and its name does not claim
another type. Images lose their metadata (EXIF with GPS position, XMP, comments) before they
are stored. Files live under ``PORTAL_DATA_DIR/files`` - outside the web root - under
random names the server makes; the name the user gave is kept only for display.
"""

from __future__ import annotations

import os
import re
import secrets
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import UploadFile

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
    """A file as the browser sent it."""

    filename: str
    content: bytes


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
            files.append(Upload(value.filename, await value.read()))
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


def check(files: list[Upload], field: str, already: int = 0) -> list[tuple[Upload, str]]:
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
    checked = []
    for upload in files:
        name = display_name(upload.filename)
        if len(upload.content) > MAX_FILE_BYTES:
            raise DomainError(
                _("%(name)s is larger than %(size)d MB.")
                % {"name": name, "size": MAX_FILE_BYTES // (1024 * 1024)},
                field,
            )
        kind = sniff(upload.content)
        if kind is None:
            raise DomainError(_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}, field)
        extension = os.path.splitext(name)[1].lower()
        if extension and extension not in KINDS[kind]:
            raise DomainError(
                _("The content of %(name)s does not match its name.") % {"name": name}, field
            )
        try:
            strip_metadata(upload.content, kind)
        except ValueError:
            raise DomainError(
                _("%(name)s is damaged and cannot be opened.") % {"name": name}, field
            ) from None
        checked.append((upload, kind))
    return checked


def store(upload: Upload, content_type: str) -> StoredFile:
    """Write one checked file (metadata stripped) under a new random name."""
    content = strip_metadata(upload.content, content_type)
    stored_name = secrets.token_hex(16) + KINDS[content_type][0]
    path = _path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    # Written then renamed, so a crash never leaves half a file under a real name.
    with open(temporary, "xb") as out:
        out.write(content)
    os.chmod(temporary, 0o600)
    temporary.rename(path)
    return StoredFile(stored_name, display_name(upload.filename), content_type, len(content))


def store_all(checked: list[tuple[Upload, str]]) -> list[StoredFile]:
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


def read(stored_name: str) -> bytes:
    return _path(stored_name).read_bytes()


def download(stored_name: str, filename: str, content_type: str) -> Response[bytes]:
    """A response that makes the browser save the file, never render it in the portal."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    return Response(
        read(stored_name),
        media_type=content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        },
    )


def files_dir() -> Path:
    return get_settings().data_dir / "files"


def _path(stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name):
        raise ValueError("not a stored file name")
    return files_dir() / stored_name[:2] / stored_name


# --- metadata -------------------------------------------------------------------------


def strip_metadata(content: bytes, content_type: str) -> bytes:
    """The image without the parts that can carry personal data; raises ValueError when
    the structure is broken. PDFs are kept as they are."""
    if content_type == "image/jpeg":
        return _strip_jpeg(content)
    if content_type == "image/png":
        return _strip_png(content)
    return content


# APP0 (JFIF), APP2 (colour profile) and APP14 (Adobe colour transform) change how the
# picture looks; every other APPn segment and comments are metadata (EXIF, GPS, XMP...).
_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}


def _strip_jpeg(content: bytes) -> bytes:
    out = bytearray(b"\xff\xd8")
    position = 2
    while True:
        if position + 4 > len(content) or content[position] != 0xFF:
            raise ValueError("broken JPEG segment")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image before any scan
            raise ValueError("JPEG without image data")
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(content):
            raise ValueError("broken JPEG segment length")
        if marker == 0xDA:  # start of scan: the rest is image data
            out += content[position:]
            return bytes(out)
        is_metadata = (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP) or marker == 0xFE
        if not is_metadata:
            out += content[position:end]
        position = end


_PNG_METADATA_CHUNKS = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _strip_png(content: bytes) -> bytes:
    out = bytearray(content[:8])
    position = 8
    while position < len(content):
        if position + 12 > len(content):
            raise ValueError("broken PNG chunk")
        (length,) = struct.unpack(">I", content[position : position + 4])
        chunk_type = content[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(content):
            raise ValueError("broken PNG chunk length")
        if chunk_type not in _PNG_METADATA_CHUNKS:
            out += content[position:end]
        position = end
        if chunk_type == b"IEND":
            return bytes(out)
    raise ValueError("PNG without end")
