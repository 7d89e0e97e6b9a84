"""What an uploaded file may not carry into the portal: metadata about the person who made
it, and anything that runs or hides another file.

An image is decoded once by Pillow and written again from its pixels and colour profile,
upright as the phone meant it: its EXIF (GPS position, phone), XMP, comments and text, and
whatever was appended after the picture, stay behind. A PDF is read by pypdf and written
again without its document information and XMP metadata (nor what earlier revisions of
the file still held); a PDF with JavaScript or embedded files is refused, since removing
them could change what the document shows.

Runs in a worker process (uploads.check), at a low priority: decoding a picture takes a
core for seconds and parts of Pillow's and pypdf's parsing hold Python's lock, so in a
thread of the web server it would slow every other request down.
"""

from __future__ import annotations

import io
import os
from typing import IO, Any

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# A 50-megapixel phone photo still fits; decoding one takes ~150 MB.
MAX_PIXELS = 50_000_000
NICENESS = 10  # the web server's processes are at 0: their requests come first

# Why a file is refused (uploads.py says it to the user).
UNREADABLE = "unreadable"
TOO_MANY_PIXELS = "too_many_pixels"
ACTIVE_CONTENT = "active_content"
PROTECTED = "protected"

_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# Keys of a PDF object that hold a script, an embedded file, or a list of either.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EF", "/EmbeddedFiles"}
# Metadata streams of the document, a page or an image; data an application left behind.
_METADATA_KEYS = ("/Metadata", "/PieceInfo")


class Refused(Exception):
    """The file cannot be stored; the one argument says why (UNREADABLE, ...)."""

    @property
    def reason(self) -> str:
        return str(self.args[0])


def cleaned(content: bytes, content_type: str) -> bytes:
    """`content` (a checked PDF, JPEG or PNG) without its metadata; Refused when it cannot
    be read or may not be stored. For a worker process: it lowers that process's priority."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, max(current, NICENESS))  # never raised: not allowed
    target = io.BytesIO()
    _clean(io.BytesIO(content), target, content_type)
    return target.getvalue()


def _clean(source: IO[bytes], target: IO[bytes], content_type: str) -> None:
    """Write `source` (a checked PDF, JPEG or PNG) to `target` without its metadata;
    Refused when it cannot be read or may not be stored."""
    source.seek(0)
    if content_type in _IMAGE_FORMATS:
        _clean_image(source, target, _IMAGE_FORMATS[content_type])
    else:
        _clean_pdf(source, target)


def _clean_image(source: IO[bytes], target: IO[bytes], kind: str) -> None:
    try:
        with Image.open(source, formats=[kind]) as image:
            if image.width * image.height > MAX_PIXELS:  # known from the header alone
                raise Refused(TOO_MANY_PIXELS)
            ImageOps.exif_transpose(image, in_place=True)
            options: dict[str, Any] = {"icc_profile": image.info.get("icc_profile")}
            if kind == "JPEG":
                # Pillow would copy the original's comment; its quantisation: no visible loss.
                options |= {"comment": b"", "quality": "keep", "subsampling": "keep"}
            image.save(target, format=kind, **options)
    except Image.DecompressionBombError:
        raise Refused(TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise Refused(UNREADABLE) from error


def _clean_pdf(source: IO[bytes], target: IO[bytes]) -> None:
    try:
        reader = PdfReader(source)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise Refused(PROTECTED)
        writer = PdfWriter(clone_from=reader)
        if _drop_metadata_and_find_active_content(writer.root_object):
            raise Refused(ACTIVE_CONTENT)
        writer.metadata = None
        # What nothing refers to any more (the metadata just dropped) is written otherwise.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        writer.write(target)
    except Refused:
        raise
    except Exception as error:  # a hostile file makes pypdf raise almost anything
        raise Refused(UNREADABLE) from error


def _opens_without_password(reader: PdfReader) -> bool:
    """A PDF that only restricts printing or copying opens with the empty password."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES, which needs a library the portal does not install
        return False


def _drop_metadata_and_find_active_content(root: DictionaryObject) -> bool:
    """Remove every metadata stream reachable from the document's root; True when a script
    or an embedded file is reachable. Walks with a stack: a file may nest deeply."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if _ACTIVE_KEYS.intersection(item) or item.get("/S") == "/JavaScript":
                return True
            for key in _METADATA_KEYS:
                item.pop(key, None)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False
