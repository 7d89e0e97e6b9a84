"""Every page of the portal as each role sees it, in both languages: the corpus that the
markup tests (Nu checker, glued attributes) and the accessibility tests (axe-core) check.

The demo data is loaded, each role signs in (a demo account) and follows every link it is
shown, keeping one page per kind of address (`/cases/12` and `/cases/13` are one kind).
tests/site_extras.py adds what no link leads to (a draft checklist, a case in each state,
the SMS outbox...) and the data some pages need. Pages that only a POST shows are added:
the receipt, the complainant's case page, and each form with a field, on any page, sent
empty: the page with its errors, or the page that the POST leads to.
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
ROLES = (
    "public",
    "officer",  # first of the case handlers: its cases in each state show every case form
    "admin",
    "supervisor",
    "provincial",
    "ministry",
    "committee",
    "agency",
    "partner",
)
# The demo account of each role (portal/demo.py).
ACCOUNTS = {
    "admin": "admin@demo.example",
    "officer": "officer@demo.example",
    "supervisor": "supervisor@demo.example",
    "provincial": "province@demo.example",
    "ministry": "ministry@demo.example",
    "committee": "committee@demo.example",
    "agency": "agency@demo.example",
    "partner": "partner@demo.example",
}
# Files and downloads are not pages; /logout and the language links change nothing to see.
SKIP = re.compile(r"/download|/files/|/evidence/|/action-files/|/export|\.csv|/file$|/static/")
# Forms never sent empty: they sign out, delete, or only mark something read.
NEVER_POSTED = re.compile(r"/logout|/delete|/read(-all)?$|/lang")
MAX_PAGES_PER_ROLE = 120
# A random token in an address (paths' own words are lower case, without digits).
_TOKEN = re.compile(r"/(?=[^/]*[A-Z0-9])[A-Za-z0-9_-]{16,}(?=/|$)")


@dataclass(frozen=True)
class Document:
    """One page as a browser would get it: its name in test output, and its HTML."""

    name: str
    url: str
    language: str
    html: str


@dataclass
class _Form:
    action: str | None
    id: str | None
    fields: dict[str, str]  # each text field and list, sent empty as a browser sends a blank one
    hidden: dict[str, str]


class _Page(HTMLParser):
    """The links of a page, and the action and fields of each form that posts."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[_Form] = []
        self.hidden: dict[str, str] = {}
        self._in_form = False
        self._elsewhere: list[tuple[str, str]] = []  # fields outside their form (form="id")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        elif tag == "form":
            self._in_form = (found.get("method") or "").lower() == "post"
            if self._in_form:
                self.forms.append(_Form(found.get("action"), found.get("id"), {}, {}))
        elif tag == "input" and name and found.get("type") == "hidden":
            self.hidden[name] = found.get("value") or ""
            if self._in_form:
                self.forms[-1].hidden[name] = found.get("value") or ""
        elif tag in ("input", "select", "textarea") and name:
            if found.get("type") in ("checkbox", "radio", "file", "submit", "hidden"):
                return
            if found.get("form"):
                self._elsewhere.append((found["form"] or "", name))
            elif self._in_form:
                self.forms[-1].fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False

    def close(self) -> None:
        super().close()
        by_id = {form.id: form for form in self.forms if form.id}
        for form_id, name in self._elsewhere:
            if form_id in by_id:
                by_id[form_id].fields[name] = ""


def _parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def kind_of(url: str) -> str:
    """`/cases/12?status=x&after=5` and `/cases/13?status=y` are the same kind of page, and
    so are two addresses that differ only by a random token."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"})
    path = re.sub(r"\d+", "#", re.sub(_TOKEN, "/*", parts.path))
    return path + ("?" + "&".join(keys) if keys else "")


def with_language(url: str, language: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", language)]
    return f"{parts.path}?{urlencode(query)}"


def _local(href: str, skip: re.Pattern[str] = SKIP) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or skip.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def crawl(client: httpx.AsyncClient, start: list[str]) -> list[str]:
    """The address of one page of each kind reachable from `start` by links; each address
    of `start` is kept even when another of its kind is (a draft beside a published one)."""
    seen = {kind_of(url) for url in start}
    queue, found = deque(dict.fromkeys(start)), []
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


async def _sent_back_empty(
    client: httpx.AsyncClient, role: str, urls: list[str], seen: set[str], tried: set[str]
) -> list[Document]:
    """Each form with a field to fill in, on every page, sent empty: the page with its
    errors (400), or the page only a POST shows (200, or where its redirect leads). Each
    form once, as the first role that has it (`tried`): its errors read the same for all."""
    from tests.conftest import csrf_token

    documents, reached = [], dict.fromkeys(seen, "")
    for path in dict.fromkeys(urlsplit(url).path for url in urls):
        for form in _parsed((await client.get(path)).text).forms:
            action = _local(form.action or path, NEVER_POSTED)
            if not form.fields or not action:
                continue
            if kind_of(action) in tried:
                continue
            tried.add(kind_of(action))
            for language in LANGUAGES:
                # A new form token each time: the page again, the same form on it (unless
                # the first empty post was taken and the page changed).
                page = _parsed((await client.get(path)).text)
                same = next((f for f in page.forms if f.action == form.action), None)
                if same is None:
                    break
                data = {**form.fields, **same.hidden, "_csrf_token": await csrf_token(client)}
                response = await client.post(
                    with_language(action, language),
                    data=data,
                    files={"attachments": ("", b"", "application/octet-stream")},
                )
                name = f"{role} {kind_of(action)} with errors ({language})"
                if response.status_code == 303:
                    target = _local(response.headers["location"])
                    if not target or reached.setdefault(kind_of(target), action) != action:
                        continue
                    name = f"{role} {kind_of(target)} ({language})"
                    response = await client.get(with_language(target, language))
                elif response.status_code == 200:
                    name = f"{role} {kind_of(action)} posted ({language})"
                elif response.status_code != 400:
                    continue
                if "text/html" in response.headers["content-type"]:
                    documents.append(Document(name, action, language, response.text))
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
    from tests import site_extras

    await load_demo_data()
    documents: list[Document] = []
    tried: set[str] = set()
    for n, role in enumerate(ROLES):
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{n + 10}", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            start = ["/"]
            if role == "public":
                documents += await _complainant_pages(client)
                start.append("/my-case")
            else:
                await _sign_in(client, ACCOUNTS[role])
            # Pages no link leads to, and the data some pages need, made as the role would.
            labels, posted = await site_extras.prepared(client, role)
            start += list(labels)
            urls = await crawl(client, start)
            for url in urls:
                label = labels.get(url, kind_of(url))
                for language in LANGUAGES:
                    response = await client.get(with_language(url, language))
                    name = f"{role} {label} ({language})"
                    documents.append(Document(name, url, language, response.text))
            documents += posted
            seen = {kind_of(u) for u in urls}
            documents += await _sent_back_empty(client, role, urls, seen, tried)
            if role == "public":
                for language in LANGUAGES:
                    missing = await client.get(with_language("/no-such-page", language))
                    name = f"public page not found ({language})"
                    documents.append(Document(name, "/no-such-page", language, missing.text))
    return documents
