"""Uploads (portal/uploads.py, portal/file_cleaning.py) on their way from the form to the
disk: large files arrive whole; images and PDFs without what they say about the person;
pictures too large to decode, damaged files and PDFs that carry scripts or other files are
refused beside the field; files take their place only once their rows committed, and the
sweep clears what a crash left behind."""

from __future__ import annotations

import asyncio
import html
import io
import os
import shutil
import struct
import time
import zlib
from datetime import timedelta
from urllib.parse import quote

import pytest
from litestar.datastructures import FormMultiDict
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

from portal import clock, db, uploads
from portal.complaints import filing
from portal.complaints.forms import ComplaintForm
from portal.complaints.tables import CaseFile, Complaint
from portal.core.tables import RateLimitEvent
from portal.errors import DomainError
from tests.checklists.conftest import PDF
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint, receipt_of
from tests.conftest import post_form
from tests.files import pdf_document, pdf_text


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, text: bytes = b"", rows: bytes | None = None) -> bytes:
    """A grey PNG; `rows` defaults to the whole picture (keep it small)."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    comment = _chunk(b"tEXt", b"Comment\x00" + text) if text else b""
    pixels = rows if rows is not None else (b"\x00" + b"\x80" * width) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + comment
        + _chunk(b"IDAT", zlib.compress(pixels))
        + _chunk(b"IEND", b"")
    )


def stored_bytes(stored_name: str) -> bytes:
    return (uploads.files_dir() / stored_name[:2] / stored_name).read_bytes()


def files_on_disk() -> set[str]:
    root = uploads.files_dir()
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def store_one(name: str, content: bytes) -> bytes:
    checked = await uploads.check([uploads.Upload(name, io.BytesIO(content))], "attachments")
    async with uploads.staged(checked) as staged:
        pass
    [stored] = staged.files
    kept = stored_bytes(stored.stored_name)
    assert stored.size == len(kept)
    return kept


async def test_a_png_is_stored_without_its_text_and_with_its_picture():
    photo = png(1, 1, text=b"taken at Sok Dara's home, Prey Veng")
    kept = await store_one("payslip.png", photo)
    assert b"Prey Veng" not in kept
    with Image.open(io.BytesIO(kept)) as stored, Image.open(io.BytesIO(photo)) as sent:
        assert stored.tobytes() == sent.tobytes() and stored.size == sent.size


def phone_photo(orientation: int, size: tuple[int, int] = (40, 20)) -> bytes:
    """A JPEG as a phone takes it: where it was taken, and which way up."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Sok Dara's phone"  # Make
    exif.get_ifd(0x8825)[2] = (11.0, 33.0, 0.0)  # GPSLatitude
    picture = Image.new("RGB", size, "red")
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


async def test_a_jpeg_with_a_second_photo_appended_keeps_neither_that_photo_nor_its_gps():
    first = io.BytesIO()
    Image.new("RGB", (30, 10), "blue").save(first, format="JPEG")
    hidden = phone_photo(orientation=1, size=(64, 64))
    kept = await store_one("receipt.jpg", first.getvalue() + hidden)
    assert b"Sok Dara" not in kept and b"Exif\x00\x00" not in kept
    assert len(kept) < len(hidden)
    with Image.open(io.BytesIO(kept)) as stored:
        assert stored.size == (30, 10) and not stored.getexif()


async def test_a_pdf_loses_its_document_information_and_xmp_but_keeps_what_it_says():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_document("Wage slip March"))))
    writer.add_metadata({"/Author": "Sok Dara", "/Title": "payslip of Sok Dara"})
    writer.xmp_metadata = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
        b'dc:creator="Sok Dara"/></rdf:RDF></x:xmpmeta>'
    )
    sent = io.BytesIO()
    writer.write(sent)
    assert sent.getvalue().count(b"Sok Dara") == 3
    kept = await store_one("payslip.pdf", sent.getvalue())
    assert b"Sok Dara" not in kept
    reader = PdfReader(io.BytesIO(kept))
    assert reader.metadata is None and reader.xmp_metadata is None
    assert pdf_text(kept) == "Wage slip March"


async def test_a_damaged_image_is_refused_with_its_name():
    broken = phone_photo(orientation=1)[:300]
    with pytest.raises(DomainError, match=r"contract\.jpg is damaged"):
        await uploads.check([uploads.Upload("contract.jpg", io.BytesIO(broken))], "attachments")


def _pdf_with(change) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REFUSED = [
    # 2,500,000,000 pixels in a few bytes: refused from the header, never decoded.
    ("bomb.png", png(50_000, 50_000, rows=b"\x00" * 1000), "bomb.png is too large a picture"),
    # Under Pillow's own limit, over the portal's.
    ("scan.png", png(10_000, 6_000, rows=b"\x00" * 1000), "scan.png is too large a picture"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 5000, "photo.jpg is damaged"),
    ("letter.pdf", PDF[:-40], "letter.pdf is damaged"),
    (
        "form.pdf",
        _pdf_with(lambda w: w.add_open_action(JavaScript("app.launchURL('http://x')"))),
        "form.pdf contains JavaScript or embedded files",
    ),
    (
        "bundle.pdf",
        _pdf_with(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00")),
        "bundle.pdf contains JavaScript or embedded files",
    ),
    (
        "locked.pdf",
        _pdf_with(lambda w: w.encrypt("secret", algorithm="RC4-128")),
        "locked.pdf is protected by a password",
    ),
]


@pytest.mark.parametrize(("filename", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_files_that_cannot_be_cleaned_are_refused_beside_the_field_and_nothing_is_kept(
    client, make_agency, filename, content, message
):
    before = files_on_disk()
    agency = await make_agency()
    token = await form_token(client)
    files = [
        ("attachments", ("fine.pdf", PDF, "application/pdf")),  # a good one beside it
        ("attachments", (filename, content, "application/octet-stream")),
    ]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 400
    error = response.text.split('id="e-attachments"', 1)[1].split("</", 1)[0]
    assert message in html.unescape(error)
    assert await Complaint.count() == 0 and await CaseFile.count() == 0
    assert files_on_disk() == before


async def test_other_requests_go_on_while_a_picture_is_cleaned():
    small = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(small, format="JPEG")
    # A second of Pillow's marker parsing: 750,000 empty comments before the picture.
    crafted = small.getvalue()[:2] + b"\xff\xfe\x00\x02" * 750_000 + small.getvalue()[2:]
    gaps = []

    async def ticker(done: asyncio.Event) -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            gaps.append(time.perf_counter() - last)
            last = time.perf_counter()

    done = asyncio.Event()
    ticking = asyncio.create_task(ticker(done))
    started = time.perf_counter()
    await uploads.check([uploads.Upload("crafted.jpg", io.BytesIO(crafted))], "files")
    took = time.perf_counter() - started
    done.set()
    await ticking
    assert max(gaps) < took / 4, (max(gaps), took)


async def test_a_pdf_that_only_restricts_printing_is_taken_without_its_restriction():
    restricted = _pdf_with(lambda w: w.encrypt("", owner_password="owner", algorithm="RC4-128"))
    kept = await store_one("statement.pdf", restricted)
    assert not PdfReader(io.BytesIO(kept)).is_encrypted
    assert pdf_text(kept) == pdf_text(PDF)


async def test_a_file_larger_than_litestar_keeps_in_memory_comes_back_whole(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    filler = b"0123456789abcdef" * 200_000  # about 3 MB
    contract = pdf_document("Employment contract", filler)
    name = "កិច្ចសន្យា contract.pdf"
    files = [("attachments", (name, contract, "application/pdf"))]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 200, response.text
    [stored] = await CaseFile.select()
    assert filler in stored_bytes(stored["stored_name"])

    reference, code = receipt_of(response)
    await post_form(client, "/complaints/check", {"reference": reference, "code": code})
    download = await client.get(f"/my-case/files/{stored['id']}")
    assert download.status_code == 200
    assert download.content == stored_bytes(stored["stored_name"])
    assert pdf_text(download.content) == "Employment contract"
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and quote(name) in disposition


# --- on the disk: temporary names until the commit, and the sweep ----------------------


async def test_files_wait_under_a_temporary_name_until_their_rows_commit():
    checked = await uploads.check([uploads.Upload("a.pdf", io.BytesIO(PDF))], "files")
    async with uploads.staged(checked) as staged, db.transaction():
        [name] = [file.stored_name for file in staged.files]
        assert files_on_disk() >= {name + ".part"} and name not in files_on_disk()
    assert name in files_on_disk() and name + ".part" not in files_on_disk()


@pytest.mark.parametrize(
    "failure", [RuntimeError("the disk is full"), TimeoutError()], ids=["error", "timeout"]
)
async def test_a_failure_after_the_files_are_written_leaves_neither_file_nor_row(failure):
    before = files_on_disk()
    checked = await uploads.check([uploads.Upload("a.pdf", io.BytesIO(PDF))], "files")
    with pytest.raises(type(failure)):
        async with uploads.staged(checked), db.transaction():
            await db.insert("rate_limit_event", ("key", "at"), [("upload", clock.now())])
            assert len(files_on_disk() - before) == 1  # written, not yet in place
            raise failure  # the last moment before the commit
    assert files_on_disk() == before
    assert await RateLimitEvent.count() == 0


async def test_a_form_filed_twice_at_once_keeps_only_the_first_filings_files(make_agency):
    agency = await make_agency()
    fields = complaint_fields("r" * 32, agency.licence_number)
    form = FormMultiDict(
        [
            (k, v)
            for k, values in fields.items()
            for v in (values if isinstance(values, list) else [values])
        ]
    )
    before = files_on_disk()
    # Both passed the check for an earlier filing before either was stored.
    first, second = [
        await filing.check(ComplaintForm(form), [uploads.Upload("contract.pdf", io.BytesIO(PDF))])
        for _ in range(2)
    ]
    receipt = await filing.file_complaint(first, "r" * 32, clock.now())
    assert await filing.file_complaint(second, "r" * 32, clock.now()) == receipt
    [row] = await CaseFile.select()
    assert files_on_disk() - before == {row["stored_name"]}


async def _file_with_attachment(client, make_agency) -> str:
    agency = await make_agency()
    token = await form_token(client)
    files = [("attachments", ("contract.pdf", PDF, "application/pdf"))]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 200
    [row] = await CaseFile.select()
    return row["stored_name"]


def _path(name: str):
    return uploads.files_dir() / name[:2] / name


def _orphan(age: timedelta, suffix: str = "") -> str:
    name = os.urandom(16).hex() + ".pdf" + suffix
    _path(name).parent.mkdir(parents=True, exist_ok=True)
    _path(name).write_bytes(PDF)
    written = time.time() - age.total_seconds()
    os.utime(_path(name), (written, written))
    return name


async def test_the_sweep_removes_files_no_row_lists_once_a_day_old(client, make_agency):
    listed = await _file_with_attachment(client, make_agency)
    day_and_more = timedelta(days=1, minutes=5)
    os.utime(_path(listed), (time.time() - 86_400 * 30,) * 2)  # filed a month ago
    old, old_part = _orphan(day_and_more), _orphan(day_and_more, ".part")
    fresh, fresh_part = _orphan(timedelta(hours=23)), _orphan(timedelta(minutes=1), ".part")

    assert await uploads.sweep() >= 2
    on_disk = files_on_disk()
    assert old not in on_disk and old_part not in on_disk
    assert {listed, fresh, fresh_part} <= on_disk
    for name in (fresh, fresh_part):
        _path(name).unlink()


async def test_the_sweep_finishes_a_move_a_crash_interrupted(client, make_agency):
    listed = await _file_with_attachment(client, make_agency)
    # As after a crash between the commit and the move: the row is there, the file not yet.
    shutil.move(_path(listed), _path(listed + ".part"))
    await uploads.sweep()
    assert listed in files_on_disk() and listed + ".part" not in files_on_disk()
    assert _path(listed).read_bytes().startswith(b"%PDF-")


def test_the_sweep_runs_at_start_up_and_daily(settings):
    from portal.scheduler import create_scheduler

    job = create_scheduler(settings).get_job("sweep_files")
    assert job.func is uploads.sweep
    assert job.trigger.interval == timedelta(days=1)
    assert abs(job.next_run_time - clock.now()) < timedelta(minutes=1)
