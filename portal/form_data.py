"""Reading multipart/form-data: the body is cut at its boundaries in one pass.

Litestar's parser (the `multipart` package) runs the body through a state machine written
in Python, part by part. The body is held whole here anyway (at most the app's request
limit; the portal keeps each uploaded file in memory too), so it is cut with bytes.find,
which runs in C: the complaint form's thirty fields take ~45 µs instead of ~170 µs, 3 %
of what filing a complaint costs. The results are Litestar's - a text field is a str, a
file an UploadFile - and so is the part limit; anything malformed is a 400.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.types import Empty
from multipart import parse_content_disposition, parse_options_header  # type: ignore[import-untyped]

# A part's headers: browsers send two (Content-Disposition, Content-Type).
MAX_PART_HEADERS = 8
MAX_HEADER_BYTES = 4096


class PortalRequest(Request):
    """Litestar's request, with multipart forms read by parse_multipart()."""

    async def form(self) -> FormMultiDict:
        # Litestar keeps the parsed form in the connection state, shared by every
        # Request made for the same connection (the CSRF check's and the handler's).
        if self._form is Empty and self._connection_state.form is Empty:
            content_type, options = self.content_type
            if content_type == RequestEncodingType.MULTI_PART:
                self._connection_state.form = parse_multipart(
                    await self.body(),
                    options.get("boundary", ""),
                    self.app.multipart_form_part_limit,
                )
        return await super().form()


def parse_multipart(body: bytes, boundary: str, part_limit: int) -> dict[str, Any]:
    """The fields of a multipart/form-data body, as Litestar keeps them: name -> value,
    or a list of values when the name came more than once."""
    if not boundary or len(boundary) > 70 or "\r" in boundary or "\n" in boundary:
        raise ClientException("Invalid multipart boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    separator = b"\r\n" + delimiter
    # The first delimiter opens the body, or ends a preamble (which is ignored).
    if body.startswith(delimiter):
        pos = len(delimiter)
    else:
        start = body.find(separator)
        if start < 0:
            raise ClientException("Invalid multipart/form-data")
        pos = start + len(separator)

    parts: list[tuple[str, str | None, str | None, dict[str, str], bytes]] = []
    # pos is just past a delimiter: "--" closes the body, CRLF opens the next part.
    while not body.startswith(b"--", pos):
        if not body.startswith(b"\r\n", pos):
            raise ClientException("Invalid multipart/form-data")
        if len(parts) == part_limit:
            raise ClientException("Too many parts in multipart/form-data")
        end = body.find(separator, pos)
        if end < 0:
            raise ClientException("Invalid multipart/form-data: no closing boundary")
        headers_end = body.find(b"\r\n\r\n", pos, end)
        if headers_end < 0:
            raise ClientException("Invalid multipart/form-data: a part without headers")
        name, filename, content_type, headers = _part_headers(body[pos + 2 : headers_end])
        parts.append((name, filename, content_type, headers, body[headers_end + 4 : end]))
        pos = end + len(separator)

    fields: dict[str, list[Any]] = {}
    for name, filename, content_type, headers, content in parts:
        if filename:
            value: Any = UploadFile(content_type or "text/plain", filename, content, headers)
        else:
            try:
                value = content.decode("utf-8")
            except UnicodeDecodeError:
                raise ClientException("Form field is not UTF-8") from None
        fields.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in fields.items()}


def _part_headers(block: bytes) -> tuple[str, str | None, str | None, dict[str, str]]:
    """A part's field name, file name, content type and headers."""
    lines = block.split(b"\r\n") if block else []
    if len(lines) > MAX_PART_HEADERS or any(len(line) > MAX_HEADER_BYTES for line in lines):
        raise ClientException("Too many or too long part headers")
    headers: dict[str, str] = {}
    for line in lines:
        try:
            key, colon, value = line.decode("utf-8").partition(":")
        except UnicodeDecodeError:
            raise ClientException("Part header is not UTF-8") from None
        key = key.strip().title()
        if not colon or not key or " " in key:
            raise ClientException("Malformed part header")
        headers[key] = value.strip(" \t")
    disposition, name, filename = parse_content_disposition(headers.get("Content-Disposition", ""))
    if disposition != "form-data" or not name:
        raise ClientException("Part is not a named form field")
    content_type = (
        parse_options_header(headers["Content-Type"])[0] if "Content-Type" in headers else None
    )
    return name, filename, content_type, headers
