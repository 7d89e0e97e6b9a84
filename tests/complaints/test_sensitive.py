"""A sensitive case (trafficking, gender-based violence): only its assigned officer and
admins see its details. Another officer gets the same 404 as for a case that does not
exist, on every page, action and download, and the queue shows them only its reference,
status and due time. Every opening of a sensitive case is in the audit log."""

from __future__ import annotations

import re

import pytest

from portal import clock
from portal.audit.tables import AuditEvent
from portal.complaints import case_routes, services
from portal.complaints.tables import Audience, CaseEvent, CaseFile, Complaint
from tests.checklists.conftest import PDF
from tests.conftest import csrf_token, post_form, sign_in
from tests.files import pdf_text, stored_file

CASE_ROUTES = [
    (method, path)
    for route in case_routes.router.routes
    for handler in route.route_handlers
    for method in handler.http_methods - {"OPTIONS"}  # Litestar adds OPTIONS itself
    for path in [route.path]
    if path.startswith("/cases/{")
]


def _url(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+):int\}", lambda m: str(ids[m.group(1)]), path)


@pytest.fixture
async def sensitive(make_user, make_complaint):
    """A sensitive case assigned to one officer, with a note and the minutes on file."""
    assigned = await make_user("officer", full_name="Assigned Officer")
    complaint = await make_complaint(
        status="investigation",
        is_sensitive=True,
        assigned_officer=assigned.id,
        complainant_name="Sophea Secretname",
        description="Held against her will on a fishing boat.",
    )
    event_id = await services.add_event(
        complaint.id, "note", Audience.internal, clock.now(), assigned, "Shelter arranged."
    )
    stored = await stored_file("minutes.pdf", PDF)
    file = CaseFile(
        complaint=complaint.id,
        event=event_id,
        audience=Audience.internal,
        stored_name=stored.stored_name,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_at=clock.now(),
    )
    await file.save()
    return {
        "complaint": complaint,
        "assigned": assigned,
        "ids": {"complaint_id": complaint.id, "file_id": file.id},
    }


async def _state(complaint_id: int) -> tuple:
    return (
        await Complaint.select().where(Complaint.id == complaint_id),
        await CaseEvent.count(),
        await CaseFile.count(),
    )


async def test_every_case_route_is_covered():
    paths = {path for _, path in CASE_ROUTES}
    # page, file, outcome, the facts page and the twelve other actions
    assert len(paths) == 16, paths


async def test_an_officer_not_assigned_gets_the_404_everywhere(client, make_user, sensitive):
    before = await _state(sensitive["complaint"].id)
    await sign_in(client, await make_user("officer"))
    token = await csrf_token(client)
    results = []
    for method, path in CASE_ROUTES:
        url = _url(path, sensitive["ids"])
        if method == "GET":
            response = await client.get(url)
        else:
            response = await client.post(
                url,
                data={
                    "_csrf_token": token,
                    "officer": "1",
                    "note_body": "sneaky",
                    "message_body": "sneaky",
                    "sensitive": "0",
                    "outcome": "dismissed",
                    "reopen_reason": "sneaky",
                    "request_message": "sneaky",
                    "sensitive_reason": "sneaky",
                    "priority": "0",
                    "priority_reason": "sneaky",
                    "allegation": "sneaky",
                    "authority": "court",
                    "referred_on": "2026-01-01",
                    "correction_reason": "sneaky",
                    "broker_name": "Sneaky broker",
                },
            )
        results.append((method, url, response.status_code))
        assert "Secretname" not in response.text and "fishing boat" not in response.text
    assert {status for _, _, status in results} == {404}, results
    assert await _state(sensitive["complaint"].id) == before
    # Nothing was opened, so nothing of it is in the audit log either.
    assert not await AuditEvent.exists().where(AuditEvent.action == "complaint.sensitive_opened")


async def test_the_queue_shows_only_reference_status_and_due_time(
    client, make_user, make_complaint, sensitive
):
    await sign_in(client, await make_user("officer"))
    queue = await client.get("/cases")
    assert queue.status_code == 200
    assert sensitive["complaint"].reference in queue.text
    assert "Details shown only to the assigned officer" in queue.text
    rows = queue.text.split("<tbody>")[1]
    assert "Secretname" not in rows and "Test Agency" not in rows
    # A search by name does not tell who complained of what.
    found = await post_form(client, "/cases/search", {"q": "Sophea"})
    assert found.status_code == 200
    assert sensitive["complaint"].reference not in found.text
    # Pages go on by id (newest first), not by name: where one starts hints at no name.
    other = await make_complaint(complainant_name="Sophea Aaa")
    found = await post_form(client, "/cases/search", {"q": "Sophea"})
    assert other.reference in found.text
    assert sensitive["complaint"].reference not in found.text


@pytest.mark.parametrize("who", ["assigned", "admin"])
async def test_the_assigned_officer_and_admins_see_it_and_the_opening_is_audited(
    client, make_user, sensitive, who
):
    reader = sensitive["assigned"] if who == "assigned" else await make_user("admin")
    await sign_in(client, reader)
    page = await client.get(f"/cases/{sensitive['complaint'].id}")
    assert page.status_code == 200
    assert "Sophea Secretname" in page.text and "Shelter arranged." in page.text
    download = await client.get(
        f"/cases/{sensitive['complaint'].id}/files/{sensitive['ids']['file_id']}"
    )
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)
    queue = await client.get("/cases")
    assert "Sophea Secretname" in queue.text
    opened = await AuditEvent.select(AuditEvent.actor, AuditEvent.object_id).where(
        AuditEvent.action == "complaint.sensitive_opened"
    )
    assert opened == [{"actor": reader.id, "object_id": sensitive["complaint"].reference}] * 2


async def test_marking_a_case_sensitive_hides_it_from_other_officers(
    client, make_user, make_complaint
):
    complaint = await make_complaint(status="acknowledged", complainant_name="Dara Hidden")
    marker, other = await make_user("officer"), await make_user("officer")
    await sign_in(client, marker)
    missing = await post_form(client, f"/cases/{complaint.id}/sensitive", {"sensitive": "1"})
    assert missing.status_code == 400 and 'id="e-sensitive_reason"' in missing.text
    marked = await post_form(
        client,
        f"/cases/{complaint.id}/sensitive",
        {"sensitive": "1", "sensitive_reason": "Signs of trafficking."},
    )
    assert marked.status_code == 303
    row = await Complaint.objects().get(Complaint.id == complaint.id)
    # Whoever marks an unassigned case takes it, so that someone can still open it.
    assert row.is_sensitive and row.assigned_officer == marker.id
    assert await AuditEvent.exists().where(AuditEvent.action == "complaint.sensitive_marked")

    client.cookies.clear()
    await sign_in(client, other)
    assert (await client.get(f"/cases/{complaint.id}")).status_code == 404
