"""Files as users send them, and files on disk as the portal stores them, for tests."""

from __future__ import annotations

import io

from pypdf import PdfReader

from portal import uploads


def pdf_document(text: str, filler: bytes = b"") -> bytes:
    """A one-page PDF that says `text` in Helvetica; `filler` (bytes in a comment of the
    page's content) makes it as large as a test needs."""
    content = f"BT /F1 18 Tf 20 100 Td ({text}) Tj ET\n".encode() + (
        b"%" + filler if filler else b""
    )
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 200]"
        b"/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def pdf_text(content: bytes) -> str:
    """What a PDF says, page after page, as a reader would see it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def stored_file(name: str, content: bytes) -> uploads.StoredFile:
    """A file on disk as the portal stores it, for a test that writes its row by hand."""
    checked = await uploads.check([uploads.Upload(name, io.BytesIO(content))], "files")
    async with uploads.staged(checked) as staged:
        pass
    return staged.files[0]
