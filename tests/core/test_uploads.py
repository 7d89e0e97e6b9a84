"""Uploads (portal/uploads.py) on their way from the form to the disk: large files arrive
whole, images without what they say about the person."""

from __future__ import annotations

import io
import struct
import zlib
from urllib.parse import quote

from portal import uploads
from portal.complaints.tables import CaseFile
from tests.checklists.conftest import PDF
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint, receipt_of
from tests.conftest import post_form


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text() -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    text = _chunk(b"tEXt", b"Comment\x00taken at Sok Dara's home, Prey Veng")
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + text + pixels + _chunk(b"IEND", b"")


def stored_bytes(stored_name: str) -> bytes:
    return (uploads.files_dir() / stored_name[:2] / stored_name).read_bytes()


async def test_a_png_is_stored_without_its_text_and_with_its_picture():
    photo = png_with_text()
    upload = uploads.Upload("payslip.png", io.BytesIO(photo))
    [stored] = await uploads.store_all(await uploads.check([upload], "attachments"))
    kept = stored_bytes(stored.stored_name)
    assert b"Prey Veng" not in kept
    assert kept == photo.replace(
        _chunk(b"tEXt", b"Comment\x00taken at Sok Dara's home, Prey Veng"), b""
    )
    assert stored.size == len(kept)


async def test_a_file_larger_than_litestar_keeps_in_memory_comes_back_whole(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    contract = PDF + b"%" + bytes(range(256)) * 12_000 + b"\n%%EOF\n"  # about 3 MB
    name = "កិច្ចសន្យា contract.pdf"
    files = [("attachments", (name, contract, "application/pdf"))]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 200, response.text
    [stored] = await CaseFile.select()
    assert stored_bytes(stored["stored_name"]) == contract

    reference, code = receipt_of(response)
    await post_form(client, "/complaints/check", {"reference": reference, "code": code})
    download = await client.get(f"/my-case/files/{stored['id']}")
    assert download.status_code == 200 and download.content == contract
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and quote(name) in disposition
