"""Multipart forms (portal/form_data.py): the portal's parser reads what a browser sends
exactly as Litestar's own parser does, keeps its limits, and refuses anything malformed
with a 400 instead of guessing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar._multipart import parse_multipart_form
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.exceptions import ClientException

from portal.form_data import parse_multipart
from tests.checklists.conftest import PDF

KHMER = "ភ្នាក់ងារបានរក្សាលិខិតឆ្លងដែនរបស់យើង"


BOUNDARY = "----WebKitFormBoundaryq3S8gkxNUXv9k2rA"


def _quoted(name: str) -> str:
    # how browsers write a field or file name (HTML's form-data encoding)
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def encoded(data: dict[str, Any], files: list[tuple[str, Any]]) -> tuple[bytes, str]:
    """The body and boundary a browser sends for a form."""
    body = b""
    for name, values in data.items():
        for value in values if isinstance(values, list) else [values]:
            body += (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{_quoted(name)}"'
                f"\r\n\r\n{value}\r\n"
            ).encode()
    for name, (filename, content, content_type) in files:
        body += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{_quoted(name)}"; '
            f'filename="{_quoted(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'
        ).encode()
        body += content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode(), BOUNDARY


async def stock(body: bytes, boundary: str, part_limit: int = 1000) -> dict[str, Any]:
    async def chunks():
        # a body arrives in pieces; cut inside delimiters on purpose
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    return await parse_multipart_form(chunks(), boundary.encode(), part_limit)


async def readable(form: dict[str, Any]) -> list[tuple[str, Any]]:
    items = []
    for name, value in FormMultiDict.from_form_data(form).multi_items():
        if isinstance(value, UploadFile):
            value = (value.filename, value.content_type, await value.read())
        items.append((name, value))
    return items


FORMS = [
    pytest.param({"name": "Sok Dara", "amount": "1600"}, [], id="text"),
    pytest.param({"description": KHMER, "empty": ""}, [], id="khmer and empty"),
    pytest.param({"grounds": ["abuse", "unpaid_wages", "abuse"]}, [], id="repeated name"),
    pytest.param(
        {"description": "line one\r\nline two\r\n--not a boundary\r\n\r\nend\r\n"},
        [],
        id="line breaks and dashes in a value",
    ),
    pytest.param(
        {"title": "contract"},
        [
            ("attachments", ("contract.pdf", PDF, "application/pdf")),
            ("attachments", (f"{KHMER}.png", b"\x89PNG\r\n\x1a\n\r\n\r\n--x", "image/png")),
        ],
        id="files, one with a Khmer name and line breaks in its content",
    ),
    pytest.param(
        {"a": "1"},
        [("attachments", ('evil"; name="x.pdf', PDF, "application/pdf"))],
        id="quotes in a file name",
    ),
    pytest.param(
        {"a": "1"}, [("attachments", ("", b"", "application/octet-stream"))], id="no file"
    ),
]


@pytest.mark.parametrize(("data", "files"), FORMS)
async def test_a_form_reads_as_litestar_reads_it(data, files):
    body, boundary = encoded(data, files)
    ours = parse_multipart(body, boundary, 1000)
    assert await readable(ours) == await readable(await stock(body, boundary))
    assert ours  # the form was not read as empty


async def test_a_preamble_before_the_first_boundary_is_ignored():
    body, boundary = encoded({"a": "1"}, [("f", ("a.pdf", PDF, "application/pdf"))])
    body = b"a preamble no one reads\r\n" + body
    assert await readable(parse_multipart(body, boundary, 1000)) == await readable(
        await stock(body, boundary)
    )


async def test_the_part_limit_is_kept():
    body, boundary = encoded({"grounds": ["abuse"] * 10}, [])
    assert len(parse_multipart(body, boundary, 10)["grounds"]) == 10
    with pytest.raises(ClientException):
        parse_multipart(body, boundary, 9)
    with pytest.raises(ClientException):
        await stock(body, boundary, 9)  # Litestar's parser refuses it too


def _one_part(headers: str, content: bytes = b"value") -> bytes:
    return b"--b\r\n" + headers.encode() + b"\r\n\r\n" + content + b"\r\n--b--\r\n"


MALFORMED = [
    pytest.param(b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue', id="cut off"),
    pytest.param(b"", id="empty"),
    pytest.param(_one_part("Content-Type: text/plain"), id="no content-disposition"),
    pytest.param(_one_part('Content-Disposition: attachment; name="a"'), id="not form-data"),
    pytest.param(_one_part("Content-Disposition: form-data"), id="no field name"),
    pytest.param(_one_part('Content-Disposition form-data; name="a"'), id="header without colon"),
    pytest.param(
        _one_part('Content-Disposition: form-data; name="a"', b"\xff\xfe"), id="not utf-8"
    ),
    pytest.param(
        _one_part('Content-Disposition: form-data; name="a"\r\n' + "X-Pad: 1\r\n" * 8),
        id="too many part headers",
    ),
    pytest.param(
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n--b--\r\n', id="headers never end"
    ),
    pytest.param(
        b'--bXContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--b--', id="no line break"
    ),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_a_malformed_body_is_refused(body):
    with pytest.raises(ClientException) as refused:
        parse_multipart(body, "b", 1000)
    assert refused.value.status_code == 400


@pytest.mark.parametrize("boundary", ["", "x" * 71, "a\r\nb"])
def test_an_invalid_boundary_is_refused(boundary):
    with pytest.raises(ClientException):
        parse_multipart(_one_part('Content-Disposition: form-data; name="a"'), boundary, 1000)
