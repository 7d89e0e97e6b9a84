"""Every page of the portal as each role sees it, in both languages: the corpus that the
markup tests (Nu checker, glued attributes) and the accessibility tests (axe-core) check.

The demo data is loaded, each role signs in (a demo account) and follows every link it is
shown, keeping one page per kind of address (`/cases/12` and `/cases/13` are one kind).
Pages that only a POST shows are added: the receipt, the complainant's case page, and each
form of the portal sent back empty, so with its errors.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

LANGUAGES = ("en", "km")
ROLES = ("public", "admin", "officer", "committee", "agency", "partner")
# The demo account of each role (portal/demo.py).
ACCOUNTS = {
    "admin": "admin@demo.example",
    "officer": "officer@demo.example",
    "committee": "committee@demo.example",
    "agency": "agency@demo.example",
    "partner": "partner@demo.example",
}
# Files and downloads are not pages; /logout and the language links change nothing to see.
SKIP = re.compile(r"/download|/files/|/evidence/|/action-files/|/export|\.csv|/file$|/static/")
MAX_PAGES_PER_ROLE = 120


@dataclass(frozen=True)
class Document:
    """One page as a browser would get it: its name in test output, and its HTML."""

    name: str
    url: str
    language: str
    html: str


class _Page(HTMLParser):
    """The links of a page, and the action and text fields of each form that posts."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str | None, dict[str, str]]] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        elif tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action"), {}))
        elif tag == "input" and name == "form_token":
            self.hidden["form_token"] = found.get("value") or ""
        elif tag in ("input", "select", "textarea") and name and self.forms:
            if found.get("type") not in ("checkbox", "radio", "file", "submit", "hidden"):
                self.forms[-1][1][name] = ""  # sent empty, as a browser sends a blank field


def _parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def kind_of(url: str) -> str:
    """`/cases/12?status=x&after=5` and `/cases/13?status=y` are the same kind of page."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def with_language(url: str, language: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", language)]
    return f"{parts.path}?{urlencode(query)}"


def _local(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def crawl(client: httpx.AsyncClient, start: list[str]) -> list[str]:
    """The address of one page of each kind reachable from `start` by links."""
    seen = {kind_of(url) for url in start}
    queue, found = deque(start), []
    while queue and len(found) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        response = await client.get(url)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        found.append(url)
        for href in _parsed(response.text).links:
            local = _local(href)
            if local and kind_of(local) not in seen:
                seen.add(kind_of(local))
                queue.append(local)
    return found


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    from portal.demo import DEMO_PASSWORD
    from tests.conftest import post_form

    response = await post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303, f"{email} could not sign in"


async def _sent_back_empty(client: httpx.AsyncClient, role: str, urls: list[str]) -> list[Document]:
    """Each form that posts to its own page, sent empty: the page with its errors."""
    from tests.conftest import csrf_token

    documents = []
    for path in dict.fromkeys(urlsplit(url).path for url in urls):
        page = _parsed((await client.get(path)).text)
        fields = next((f for action, f in page.forms if (action or path) == path), None)
        if fields is None:
            continue
        for language in LANGUAGES:
            fresh = _parsed((await client.get(path)).text).hidden  # a new form token each time
            data = {**fields, "_csrf_token": await csrf_token(client), **fresh}
            response = await client.post(
                with_language(path, language),
                data=data,
                files={"attachments": ("", b"", "application/octet-stream")},
            )
            if response.status_code == 400 and "text/html" in response.headers["content-type"]:
                name = f"{role} {kind_of(path)} with errors ({language})"
                documents.append(Document(name, path, language, response.text))
    return documents


async def _complainant_pages(client: httpx.AsyncClient) -> list[Document]:
    """The receipt (the answer to a filed complaint) and the complainant's own case page."""
    from tests.complaints.test_intake import complaint_fields, post_complaint, receipt_of

    documents = []
    for language in LANGUAGES:
        token = _parsed((await client.get("/complaints/new")).text).hidden["form_token"]
        fields = complaint_fields(token, "MOLVT-PRA-0101")
        receipt = await post_complaint(
            client, fields, url=with_language("/complaints/new", language)
        )
        assert receipt.status_code == 200, receipt.text
        documents.append(
            Document(f"public receipt ({language})", "/complaints/new", language, receipt.text)
        )
        # "Add another worker" without JavaScript: the form again, one worker more.
        token = _parsed((await client.get("/complaints/new")).text).hidden["form_token"]
        fields = {**complaint_fields(token, "MOLVT-PRA-0101"), "action": "add_worker"}
        more = await post_complaint(client, fields, url=with_language("/complaints/new", language))
        name = f"public complaint form, a worker added ({language})"
        documents.append(Document(name, "/complaints/new", language, more.text))
    from tests.conftest import post_form

    reference, code = receipt_of(receipt)
    opened = await post_form(client, "/complaints/check", {"reference": reference, "code": code})
    assert opened.status_code == 303, opened.text
    return documents


async def collect(app: Any) -> list[Document]:
    """Load the demo data, then every page of every role in both languages."""
    from portal.demo import load_demo_data

    await load_demo_data()
    documents: list[Document] = []
    for n, role in enumerate(ROLES):
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{n + 10}", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            start = ["/"]
            if role == "public":
                documents += await _complainant_pages(client)
                start.append("/my-case")
            else:
                await _sign_in(client, ACCOUNTS[role])
            urls = await crawl(client, start)
            for url in urls:
                for language in LANGUAGES:
                    response = await client.get(with_language(url, language))
                    name = f"{role} {kind_of(url)} ({language})"
                    documents.append(Document(name, url, language, response.text))
            documents += await _sent_back_empty(client, role, urls)
            if role == "public":
                for language in LANGUAGES:
                    missing = await client.get(with_language("/no-such-page", language))
                    name = f"public page not found ({language})"
                    documents.append(Document(name, "/no-such-page", language, missing.text))
    return documents
