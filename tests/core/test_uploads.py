"""Uploads (portal/uploads.py) on their way from the form to the disk: large files arrive
whole, images without what they say about the person."""

from __future__ import annotations

import io
import struct
import zlib
from urllib.parse import quote

import pytest
from PIL import Image

from portal import uploads
from portal.complaints.tables import CaseFile
from portal.errors import DomainError
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


async def store_one(name: str, content: bytes) -> bytes:
    upload = uploads.Upload(name, io.BytesIO(content))
    [stored] = await uploads.store_all(await uploads.check([upload], "attachments"))
    kept = stored_bytes(stored.stored_name)
    assert stored.size == len(kept)
    return kept


async def test_a_png_is_stored_without_its_text_and_with_its_picture():
    photo = png_with_text()
    kept = await store_one("payslip.png", photo)
    assert b"Prey Veng" not in kept
    with Image.open(io.BytesIO(kept)) as stored, Image.open(io.BytesIO(photo)) as sent:
        assert stored.tobytes() == sent.tobytes() and stored.size == sent.size


def phone_photo(orientation: int) -> bytes:
    """A 40 x 20 JPEG as a phone takes it: where it was taken, and which way up."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Sok Dara's phone"  # Make
    exif.get_ifd(0x8825)[2] = (11.0, 33.0, 0.0)  # GPSLatitude
    picture = Image.new("RGB", (40, 20), "red")
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, quality=90, comment=b"at Sok Dara's home")
    return out.getvalue()


async def test_a_phone_photo_loses_its_place_and_maker_and_is_stored_upright():
    photo = phone_photo(orientation=6)  # taken with the phone held upright: turn it
    assert b"Sok Dara" in photo
    kept = await store_one("contract.jpg", photo)
    assert b"Sok Dara" not in kept
    with Image.open(io.BytesIO(kept)) as stored:
        assert not stored.getexif()
        assert stored.size == (20, 40)


async def test_a_damaged_image_is_refused_with_its_name():
    broken = phone_photo(orientation=1)[:300]
    with pytest.raises(DomainError, match=r"contract\.jpg is damaged"):
        await uploads.check([uploads.Upload("contract.jpg", io.BytesIO(broken))], "attachments")


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
