"""Every form of every role, fuzzed: the forms a role's pages offer (found by following
the links from its pages) get, field by field, NUL, text longer than any column and a
number of 5,000 digits, then values Hypothesis generates - control characters, exponents,
odd Unicode, dates out of range, field names no form has - a few fields at a time, the
others filled in as a person would, so that a value gets as far as it can. Whatever is
sent, no answer is a 5xx, and afterwards no page the role reaches is one either.

Deterministic (derandomize=True, no example database); the world each role sees is built
once per test, and what an example changes stays (a closed case, a new user): the rule
holds in any state."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.checklists.conftest import CHECKLIST, open_cycle_for
from tests.checklists.test_reviews import _both_members_submit, _panel, _rated, _submitted
from tests.complaints.conftest import make_complaint  # noqa: F401 - a fixture
from tests.conftest import csrf_token, post_form, sign_in

EXAMPLES_PER_ROLE = 15  # each fills in every form the role has
MAX_PAGES = 60
# Pages not worth a visit (files, exports) and forms that would end the fuzzing session.
SKIPPED = ("/static/", "/files/", "/evidence/", "/action-files/", ".csv", "/export", "/logout")
LEAVING = ("/logout", "/my-case/leave", "/reset-password")


@dataclass
class PageForm:
    """A form as a browser would send it: its address, method and fields as filled in."""

    method: str
    action: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    """The forms of a page, each field with the value it shows (a field outside its form
    names it: form="id"), and the page's links."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._by_id: dict[str, PageForm] = {}
        self._form: PageForm | None = None  # the form the parser is inside
        self._open: tuple[PageForm, str] | None = None  # a select or textarea being read

    def _named(self, form_id: str) -> PageForm:
        if form_id not in self._by_id:
            self._by_id[form_id] = PageForm("get", self.url, False)
            self.forms.append(self._by_id[form_id])
        return self._by_id[form_id]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = self._named(a["id"]) if a.get("id") else PageForm("get", "", False)
            if not a.get("id"):
                self.forms.append(self._form)
            self._form.method = a.get("method", "get").lower()
            self._form.action = urljoin(self.url, a.get("action") or self.url)
            self._form.multipart = "multipart" in a.get("enctype", "")
        elif tag == "option" and self._open and self._open[1]:
            form, name = self._open  # the option selected, or else the first with a value
            if "selected" in a or not dict(form.fields).get(name):
                form.fields = [f for f in form.fields if f[0] != name]
                form.fields.append((name, a.get("value", "")))
        elif a.get("name") and a["name"] != "_csrf_token":  # send() sends the token
            form = self._named(a["form"]) if a.get("form") else self._form
            if form is not None:
                self._field(form, tag, a)

    def _field(self, form: PageForm, tag: str, a: dict[str, str]) -> None:
        name = a["name"]
        if tag == "input" and a.get("type") == "file":
            form.files.append(name)
        elif tag == "input" and a.get("type") == "radio":
            if "checked" in a or name not in dict(form.fields):
                form.fields = [f for f in form.fields if f[0] != name]
                form.fields.append((name, a.get("value", "")))
        elif tag in ("input", "button"):  # a box counts as ticked
            form.fields.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._open = (form, name)  # (a multiple select sends one of its options)
        elif tag == "textarea":
            self._open = (form, "")
            form.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._open and self._open[1] == "" and self._open[0].fields:
            form = self._open[0]
            name, value = form.fields.pop()
            form.fields.append((name, value + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            self._open = None


async def forms_of_role(
    client: Any, start: list[str], broken: list[str] | None = None
) -> list[PageForm]:
    """Every form on the pages reachable from `start` by links (the query left off); the
    pages that answer a 5xx go in `broken`."""
    seen: set[str] = set()
    queue = list(start)
    found: dict[tuple[str, str, int], PageForm] = {}
    while queue and len(seen) < MAX_PAGES:
        url = urlsplit(queue.pop(0)).path
        if url in seen or any(part in url for part in SKIPPED):
            continue
        seen.add(url)
        page = await client.get(url)
        if page.status_code >= 500 and broken is not None:
            broken.append(url)
        if page.status_code != 200 or "text/html" not in page.headers.get("content-type", ""):
            continue
        parser = _FormParser(url)
        parser.feed(page.text)
        queue += parser.links
        for form in parser.forms:
            path = urlsplit(form.action).path
            # One form of each kind (the same form on another case adds nothing).
            key = (form.method, re.sub(r"\d[\d-]*", "N", path), len(form.fields))
            if (form.fields or form.files) and not path.endswith(LEAVING):
                found.setdefault(key, form)
    return list(found.values())


# --- what the fuzzer sends --------------------------------------------------------------

HOSTILE = [
    "\x00",
    "a\x00b",
    "\x01\x08\x0b\x1f\x7f",
    "\u0085next line",
    "9" * 5000,
    "-" + "9" * 40,
    "99999999999",
    "2147483648",
    "-1",
    "0",
    "1.005",
    "1e-999999",
    "1E+5",
    "NaN",
    "-Infinity",
    "²",
    "١٢٣",
    "",
    "   ",
    "x" * 6001,
    "ក" * 5001,
    "\u202egnp.exe",
    "\ufeff\u200b",
    "😀" * 300,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "0001-01-01T00:00:00+14:00_1",
    "9999-12-31T23:59:59-12:00_1",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "a@b",
    "name@exa mple.org",
    "a: [[[[",
]
# Sent into each field of each form in turn: what reached the database and failed there.
CRITICAL = ["a\x00b", "x" * 6001, "9" * 5000]
HOSTILE_NAMES = ["worker-²-name", f"worker-{'9' * 5000}-name", "worker-99999999999-sex", "\x00"]

values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.integers().map(str))


_SOON = date.today() + timedelta(days=10)
# What a person would write where a form starts empty, so that one hostile value among
# them gets as far as it can (a new agency, user, cycle, complaint is saved).
VALID = {
    "licence_number": "L-0099",
    "name_en": "Angkor Recruitment",
    "full_name": "Sok Dara",
    "email": "dara@example.org",
    "password": "a long enough password",
    "title_en": "Cycle 2027",
    "code": "9",
    "text_en": "Fees are refunded.",
    "opens_on": _SOON.isoformat(),
    "submission_deadline": (_SOON + timedelta(days=30)).isoformat(),
    "review_deadline": (_SOON + timedelta(days=60)).isoformat(),
    "due_on": (_SOON + timedelta(days=30)).isoformat(),
    "day": _SOON.isoformat(),
    "name": "Water Festival",
    "description": "They kept my passport.",
    "complainant_name": "Sok Dara",
    "phone": "012 345 678",
    "amount_claimed": "800",
    "reference": "C26-TEST0001",
    "role": "officer",
    "destination": "TH",
    "sector": "construction",
    "worker-0-sex": "woman",
    "worker-0-age_band": "25_34",
    "worker-0-disability": "no",
    "filer": "worker",
    "contact_preference": "phone",
    "agency_query": "Mekong Manpower",
}
_TEXT = re.compile(r"(body|message|note|reason|response|action_en|(answer|question|why|note)-\d+)$")


def baseline(name: str, shown: str) -> str:
    """The value a field starts from: as the page shows it, or else a valid one."""
    if shown:
        return shown
    return VALID.get(name) or ("Written by hand." if _TEXT.search(name) else "")


@st.composite
def filled(draw: Any, form: PageForm) -> list[tuple[str, str]]:
    """The form as the page fills it in, with one to three fields replaced by hostile
    values (the others as they were, so that a value gets as far as it can), and maybe
    a field the form never had."""
    chosen = st.sets(st.integers(0, max(len(form.fields) - 1, 0)), min_size=1, max_size=3)
    hostile = draw(chosen) if form.fields else set()
    sent = [
        (n, draw(values) if i in hostile else baseline(n, v))
        for i, (n, v) in enumerate(form.fields)
    ]
    if draw(st.integers(0, 3)) == 0:
        sent.append((draw(st.sampled_from(HOSTILE_NAMES)), draw(values)))
    return sent


async def send(client: Any, form: PageForm, fields: list[tuple[str, str]]) -> Any:
    if form.method == "get":  # an address holds a few thousand characters, not more
        return await client.get(form.action, params=[(n, v[:2000]) for n, v in fields])
    data: dict[str, Any] = {}
    for name, value in [("_csrf_token", await csrf_token(client)), *fields]:
        data.setdefault(name, []).append(value)
    if form.multipart or form.files:
        files = {name: ("", b"", "application/octet-stream") for name in form.files or ["_"]}
        return await client.post(form.action, data=data, files=files)
    return await client.post(form.action, data=data)


# --- the world each role sees ------------------------------------------------------------


async def _world(role: str, client: Any, make_user: Any, make_agency: Any, complaint: Any) -> list:
    """Builds what `role` works on, signs `client` in as it; the pages to start from."""
    agency = await make_agency(name_en="Mekong Manpower")
    if role == "public":
        await complaint(agency=agency.id)
        return ["/", "/complaints/new", "/complaints/check", "/login", "/agencies/"]
    if role == "my_case":
        case = await complaint(agency=agency.id, receipt_code="1" * 20)
        sent = {"reference": case.reference, "code": "1" * 20}
        assert (await post_form(client, "/complaints/check", sent)).status_code == 303
        return ["/my-case"]
    if role == "partner":
        partner = await make_user("partner")
        await complaint(agency=agency.id, organisation=partner.organisation, filed_by=partner.id)
        await sign_in(client, partner)
        return ["/", "/partner/complaints/new"]
    officer = await make_user("officer", is_supervisor=role == "supervisor")
    for status in ("received", "acknowledged", "awaiting_agency", "investigation", "resolved"):
        await complaint(status=status, agency=agency.id, assigned_officer=officer.id)
    if role in ("officer", "supervisor"):
        await sign_in(client, officer)
        return ["/", "/cases/", "/account/password"]
    return await _checklist_world(role, client, make_user, make_agency, complaint)


async def _checklist_world(
    role: str, client: Any, make_user: Any, make_agency: Any, complaint: Any
) -> list[str]:
    """Self-assessments at the steps where the role has forms: new, being scored, scored
    and rated (one chair for all), an agency's question, a case against the agency."""
    from portal import clock
    from portal.checklists import checklist_versions
    from portal.checklists.tables import AssessmentCycle, Clarification, ImprovementAction, Rating

    if role == "admin":
        await _submitted(make_agency, make_user)  # a published checklist, a cycle
        await checklist_versions.import_template(None, CHECKLIST.replace("Test", "Draft").encode())
        await sign_in(client, await make_user("admin"))
        return ["/"]
    review = await _submitted(make_agency, make_user)
    await Clarification.insert(
        Clarification(
            cycle=(await AssessmentCycle.select(AssessmentCycle.id).first())["id"],
            indicator=review["codes"]["1.1"],
            assessment=review["id"],
            question="Does a refunded fee count?",
            asked_at=clock.now(),
        )
    )
    if role == "committee":  # a member of a panel scoring
        await _panel(client, review)
        await sign_in(client, review["union"])
        return ["/", f"/reviews/{review['id']}", "/committee/questions"]
    scored, rated = [await _submitted(make_agency, make_user) for _ in range(2)]
    await _panel(client, scored)
    await _both_members_submit(client, scored)
    await _rated(client, rated)
    await ImprovementAction.insert(
        ImprovementAction(
            rating=(await Rating.select(Rating.id).first())["id"],
            indicator=rated["codes"]["1.1"],
            action_en="Post the fee schedule.",
            due_on=clock.now().date() + timedelta(days=30),
            updated_at=clock.now(),
        )
    )
    if role == "chair":  # of a review without a panel, one scored, one rated
        await AssessmentCycle.update({AssessmentCycle.chair: rated["chair"].id}, force=True)
        await sign_in(client, rated["chair"])
        return ["/", "/committee/questions"] + [
            f"/reviews/{r['id']}" for r in (review, scored, rated)
        ]
    await open_cycle_for(rated["agency"])  # agency staff: answering a new one, rated before
    await complaint(status="awaiting_agency", agency=rated["agency"].id)
    await sign_in(client, await make_user("agency", agency=rated["agency"].id))
    return ["/", "/assessments/", "/agency/complaints/"]


ROLES = [
    "public",
    "my_case",
    "partner",
    "officer",
    "supervisor",
    "committee",
    "chair",
    "agency",
    "admin",
]


@pytest.fixture
async def role_pages(
    role,
    client,
    make_user,
    make_agency,
    make_complaint,  # noqa: F811 - the fixture imported above
) -> tuple[list[str], list[PageForm]]:
    """The pages `role` starts from and the forms it finds, in the world it works on,
    `client` signed in as it."""
    start = await _world(role, client, make_user, make_agency, make_complaint)
    forms = await forms_of_role(client, start)
    assert forms, "the crawl found no form"
    return start, forms


def _hostile_forms(role: str, forms: list[PageForm], post: Any) -> None:
    """Hypothesis fills in every form `role` has, a few fields hostile, at each example."""

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def every_form(data: Any) -> None:
        for form in forms:
            fields = data.draw(filled(form), label=form.action)
            status = post(form, fields)
            short = [(name[:40], value[:40]) for name, value in fields]
            assert status < 500, (role, form.method, form.action, short)

    every_form()


@pytest.mark.parametrize("role", ROLES)
async def test_no_input_to_any_form_is_a_server_error(client, role, role_pages):
    start, role_forms = role_pages
    # Every field of every form with each critical value, the others as a person fills them.
    failed = []
    for form in role_forms:
        for i, (name, _) in enumerate(form.fields):
            for value in CRITICAL:
                fields = [(n, baseline(n, v)) for n, v in form.fields]
                fields[i] = (name, value)
                response = await send(client, form, fields)
                if response.status_code >= 500:
                    failed.append((form.action, name, value[:10], response.status_code))
    assert not failed, "\n".join(map(str, failed))

    # Then generated values. Hypothesis runs in a thread; the requests, on this loop.
    loop = asyncio.get_running_loop()

    def post(form: PageForm, fields: list[tuple[str, str]]) -> int:
        sent = asyncio.run_coroutine_threadsafe(send(client, form, fields), loop)
        return sent.result().status_code

    await asyncio.to_thread(_hostile_forms, role, role_forms, post)

    # And what was saved shows: no page the role reaches fails on it.
    broken: list[str] = []
    await forms_of_role(client, start, broken)
    assert not broken
