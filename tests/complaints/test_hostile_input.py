"""Hostile input on the public complaint form: script in every text field comes back as
text; hostile file names, oversized files, files whose content lies about their type, too
many files and too many form parts are refused with a clear 4xx - and nothing is stored:
no complaint, no figure, no file on disk. (tests/browser/test_complaint_filing.py checks
in Chromium that the payloads never run.)"""

from __future__ import annotations

import html
import io

import pytest
from litestar.datastructures import FormMultiDict
from markupsafe import escape

from portal import clock
from portal.complaints import filing
from portal.complaints.forms import ComplaintForm
from portal.complaints.tables import CaseFile, Complaint, ComplaintFigure
from portal.uploads import MAX_FILE_BYTES, Upload, files_dir
from tests.checklists.conftest import PDF, jpeg_with_gps
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint
from tests.conftest import csrf_token, sign_in

PAYLOADS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "' autofocus onfocus='alert(2)",
    "</textarea><svg onload=alert(3)>",
    "{{ 7*7 }}{% raw %}",
]
TEXT_FIELDS = [
    "agency_query",
    "representative_of",
    "complainant_name",
    "phone",
    "email",
    "description",
    "amount_claimed",
    "worker-0-name",
]


def stored_files() -> list:
    root = files_dir()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def nothing_stored(files_before: list) -> None:
    assert await Complaint.count() == 0
    assert await CaseFile.count() == 0
    assert await ComplaintFigure.count() == 0
    assert stored_files() == files_before


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_script_in_every_text_field_comes_back_as_text(client, payload):
    before = stored_files()
    token = await form_token(client)
    fields = complaint_fields(token, payload, filer="representative")
    fields.update(dict.fromkeys(TEXT_FIELDS, payload))
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    body = response.text
    for dangerous in ("<script>alert", "<img src=x", "<svg onload", "onfocus='alert"):
        assert dangerous not in body
    assert str(escape(payload)) in body  # shown, as text
    await nothing_stored(before)


async def test_script_filed_as_text_stays_text_on_the_case_pages(client, make_user):
    partner = await make_user("partner")
    await sign_in(client, partner)
    token = await form_token(client, "/partner/complaints/new")
    payload = PAYLOADS[1]
    fields = complaint_fields(
        token,
        payload,
        agency_unlisted="1",
        channel="walk_in",
        filer="representative",
        representative_of=payload,
        complainant_name=payload,
        description=payload,
        **{"worker-0-name": payload},
    )
    response = await post_complaint(client, fields, url="/partner/complaints/new")
    assert response.status_code == 200
    complaint = await Complaint.objects().first()
    assert complaint.description == payload and complaint.broker_name == payload
    for page in ("/partner/complaints", f"/partner/complaints/{complaint.id}"):
        text = (await client.get(page)).text
        assert "<img src=x" not in text
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("photo.jpg", PDF, "does not match its name"),
        ("invoice.pdf", b"<html><script>alert(1)</script></html>", "is not a PDF, JPEG or PNG"),
        ("contract.pdf", b"MZ\x90\x00 a Windows program", "is not a PDF, JPEG or PNG"),
        ("\u202efdp.exe", PDF, "does not match its name"),
        ("payslip.png", b"\x89PNG\r\n\x1a\n broken", "damaged"),
        ("big.pdf", PDF + b"0" * MAX_FILE_BYTES, "larger than 10 MB"),
    ],
)
async def test_lying_or_oversized_files_are_refused_and_nothing_is_kept(
    client, make_agency, filename, content, message
):
    before = stored_files()
    agency = await make_agency()
    token = await form_token(client)
    files = [
        ("attachments", ("fine.jpg", jpeg_with_gps(), "image/jpeg")),  # a good one beside it
        ("attachments", (filename, content, "application/pdf")),
    ]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert 'id="e-attachments"' in response.text
    await nothing_stored(before)


async def test_hostile_file_names_are_kept_only_as_display_text(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    files = [
        ("attachments", ("../../../../tmp/evil.pdf", PDF, "application/pdf")),
        ("attachments", ("<img src=x onerror=alert(1)>.pdf", PDF, "application/pdf")),
    ]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 200
    rows = await CaseFile.select().order_by(CaseFile.id)
    assert rows[0]["filename"] == "evil.pdf"
    for row in rows:
        assert row["stored_name"].endswith(".pdf") and "/" not in row["stored_name"]
    on_disk = {p.name: p for p in stored_files()}
    for row in rows:
        assert files_dir() in on_disk[row["stored_name"]].parents


async def test_too_many_files_are_refused(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    token = await form_token(client)
    files = [("attachments", (f"page{n}.pdf", PDF, "application/pdf")) for n in range(6)]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 400
    assert "You can attach at most 5 files." in response.text
    await nothing_stored(before)


async def test_too_many_form_parts_are_refused(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number)
    fields["grounds"] = ["abuse"] * 1200
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    assert "The request could not be understood." in response.text
    await nothing_stored(before)


async def test_a_body_over_the_request_limit_is_refused(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    token = await form_token(client)
    huge = PDF + b"0" * (26 * 1024 * 1024)
    response = await post_complaint(
        client,
        complaint_fields(token, agency.licence_number),
        [("attachments", ("huge.pdf", huge, "application/pdf"))],
    )
    assert response.status_code == 413
    await nothing_stored(before)


async def test_files_are_removed_when_the_database_refuses_the_complaint(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    fields = complaint_fields("t" * 32, agency.licence_number)
    form = FormMultiDict(
        [
            (k, v)
            for k, values in fields.items()
            for v in (values if isinstance(values, list) else [values])
        ]
    )
    checked = await filing.check(ComplaintForm(form), [Upload("contract.pdf", io.BytesIO(PDF))])
    await agency.remove()  # gone between the check and the insert
    with pytest.raises(Exception):  # noqa: B017 - a foreign key error, named per database
        await filing.file_complaint(checked, "t" * 32, clock.now())
    await nothing_stored(before)


async def test_a_post_without_the_csrf_token_is_refused(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number)
    response = await client.post(
        "/complaints/new", data=fields, files={"x": ("", b"", "text/plain")}
    )
    assert response.status_code == 403
    await csrf_token(client)
    await nothing_stored(before)


async def test_a_form_field_that_is_not_utf8_is_refused(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    fields = {
        "_csrf_token": await csrf_token(client),
        **complaint_fields(await form_token(client), agency.licence_number),
    }
    boundary = "----portaltestboundary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + (b"\xff\xfe kept passports" if name == "description" else str(value).encode())
        + b"\r\n"
        for name, values in fields.items()
        for value in (values if isinstance(values, list) else [values])
    )
    response = await client.post(
        "/complaints/new",
        content=body + f"--{boundary}--\r\n".encode(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400
    assert "The request could not be understood." in response.text
    await nothing_stored(before)


async def test_files_sent_under_text_field_names_count_as_missing_answers(client, make_agency):
    before = stored_files()
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    for name in ("description", "grounds", "worker-0-sex"):
        fields.pop(name)
    response = await post_complaint(
        client,
        fields,
        files={
            name: (f"{name}.txt", b"<script>alert(1)</script>", "text/plain")
            for name in ("description", "grounds", "worker-0-sex")
        },
    )
    assert response.status_code == 400
    assert 'id="e-description"' in response.text
    assert "Tick at least one thing that went wrong." in response.text
    assert "<script>alert(1)" not in response.text
    await nothing_stored(before)
