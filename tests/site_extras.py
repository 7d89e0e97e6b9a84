"""What the crawl of tests/site_pages.py needs before it follows a role's links: the pages
no link leads to (given as start addresses, with a label), the data some pages need (made
through the portal's own forms, as the role would), and the pages only a POST shows."""

from __future__ import annotations

import re
from typing import Any

import httpx

from portal.complaints.states import Status
from portal.notifications import sms

# A small agency file for the import preview: one row to add, one with errors.
AGENCIES_CSV = (
    "licence_number,name_en,name_km,licence_status,licence_issued_on,licence_expires_on,"
    "association,province\n"
    "CSV-1,Siem Reap Staffing,សៀមរាប,active,2025-01-01,2027-01-01,acra,Siem Reap\n"
    ",No Licence Staffing,,sometimes,yesterday,,none,Nowhere\n"
)


def _first(pattern: str, html: str) -> str | None:
    found = re.search(pattern, html)
    return found[0] if found else None


async def _draft_checklist(client: httpx.AsyncClient) -> str:
    """A new draft version of the published checklist, started with its button."""
    from tests.conftest import post_form

    listing = (await client.get("/admin/checklists")).text
    published = _first(r"/admin/checklists/\d+(?=\")", listing)
    assert published, "no checklist in the demo data"
    started = await post_form(client, f"{published}/new-version")
    assert started.status_code == 303, started.text
    return started.headers["location"].split("?")[0]


async def _case_in_each_state(client: httpx.AsyncClient) -> dict[str, str]:
    """One case per state: each state's case page offers its own action forms."""
    cases = {}
    for status in Status:
        listing = (await client.get(f"/cases?status={status.value}")).text
        case = _first(r"/cases/\d+(?=\")", listing)
        if case and case not in cases:
            cases[case] = f"case {status.value} /cases/#"
    return cases


async def _posted_pages(client: httpx.AsyncClient, role: str, post: Any) -> list[Any]:
    from tests.site_pages import LANGUAGES, Document, with_language

    documents = []
    for language in LANGUAGES:
        response = await post(with_language("", language))
        assert response.status_code in (200, 400), response.text
        name = f"{role} {post.__doc__} ({language})"
        documents.append(Document(name, "", language, response.text))
    return documents


async def _assessment_under_review() -> dict[str, str]:
    """This year's submitted self-assessment: its review page has the scoring forms."""
    from portal.checklists.tables import Assessment, AssessmentStatus

    rows = await Assessment.select(Assessment.id).where(
        Assessment.status == AssessmentStatus.submitted.value
    )
    assert rows, "no demo self-assessment is under review"
    return {f"/reviews/{rows[0]['id']}": "under review /reviews/#"}


async def _submit_unfinished(client: httpx.AsyncClient) -> Any:
    """Submitting this year's half-filled self-assessment (the button shows once complete:
    someone else cleared an answer meanwhile): the overview lists what is left."""
    from tests.conftest import post_form

    button = None
    for link in re.findall(r"/assessments/\d+(?=\")", (await client.get("/assessments")).text):
        # The overview of one in progress has its submit section (the button once complete).
        if 'id="submit"' in (await client.get(link)).text:
            button = f"{link}/submit"
            break
    assert button, "no demo self-assessment of the agency is in progress"

    async def submit(query: str) -> Any:
        """/assessments/#/submit refused"""
        return await post_form(client, f"{button}{query}")

    return submit


async def _case_awaiting_the_agency() -> dict[str, str]:
    """A case of the demo agency that waits for its response: the page with its form."""
    from portal.accounts.tables import User
    from portal.complaints.tables import Complaint

    agency = User.select(User.agency).where(User.email == "agency@demo.example")
    rows = await Complaint.select(Complaint.id).where(
        Complaint.agency.is_in(agency), Complaint.status == Status.awaiting_agency.value
    )
    assert rows, "no demo case waits for the demo agency's response"
    return {f"/agency/complaints/{rows[0]['id']}": "case awaiting_agency /agency/complaints/#"}


async def _partner_files(client: httpx.AsyncClient) -> None:
    """A complaint the partner's organisation filed, so its own case page can be opened."""
    from tests.complaints.test_intake import complaint_fields, form_token, post_complaint

    url = "/partner/complaints/new"
    fields = complaint_fields(await form_token(client, url), "MOLVT-PRA-0101", channel="hotline")
    response = await post_complaint(client, fields, url=url)
    assert response.status_code == 200, response.text


async def prepared(client: httpx.AsyncClient, role: str) -> tuple[dict[str, str], list[Any]]:
    """The start addresses with their labels, and the pages a POST showed."""
    from tests.conftest import post_form

    labels: dict[str, str] = {}
    posted: list[Any] = []
    if role == "admin":
        labels[await _draft_checklist(client)] = "draft /admin/checklists/#"
        # A text waiting for the complainant (the demo has e-mail only): the SMS outbox page.
        await sms.queue("+85512345678", "Your complaint has been acknowledged.", "en")
        labels["/admin/outbox?channel=sms"] = "/admin/outbox?channel=sms"

        async def preview(query: str) -> Any:
            """/admin/agencies/import preview"""
            data = AGENCIES_CSV.encode()
            return await post_form(
                client,
                f"/admin/agencies/import{query}",
                files={"file": ("agencies.csv", data, "text/csv")},
            )

        posted += await _posted_pages(client, role, preview)
    if role == "officer":
        labels.update(await _case_in_each_state(client))
    if role == "committee":
        labels.update(await _assessment_under_review())
    if role == "agency":
        labels.update(await _case_awaiting_the_agency())
        posted += await _posted_pages(client, role, await _submit_unfinished(client))
    if role == "partner":
        await _partner_files(client)
    return labels, posted
