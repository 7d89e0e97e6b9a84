"""The agency's side: the complaints against its own agency (names hidden unless the
complainant agreed) and its response, which sends the case back to the officer."""

from __future__ import annotations

from typing import Any

from portal import clock, db, paging, uploads
from portal.audit import services as audit
from portal.complaints import access, notices, services
from portal.complaints.case_actions import checked_files
from portal.complaints.forms import AgencyResponseForm
from portal.complaints.queue import PAGE_SIZE, cursor_of
from portal.complaints.states import Status
from portal.complaints.tables import (
    Audience,
    Complaint,
)
from portal.core.roles import Role
from portal.errors import DomainError, NotFound
from portal.i18n import N_
from portal.i18n import gettext as _


async def agency_cases(user: Any, after: str = "") -> dict[str, Any]:
    """The complaints against the user's agency, newest first (keyset on received_at, id).
    Names are left out unless the complainant agreed to share them."""
    condition = access.visible_to(user)
    if condition is None or user.role != Role.agency:
        raise NotFound(_("Page not found."))
    query = Complaint.select(
        Complaint.id,
        Complaint.reference,
        Complaint.status,
        Complaint.stage,
        Complaint.stage_due_at,
        Complaint.received_at,
        Complaint.complainant_name,
        Complaint.share_identity,
        Complaint.is_sensitive,
        Complaint.workers_count,
    ).where(condition)
    cursor = paging.parse_moment_cursor(after) if after else None
    query = paging.ordered_after(
        query, Complaint.received_at, Complaint.id, cursor, ascending=False
    )
    rows, next_cursor = await paging.fetch(query, PAGE_SIZE, lambda row: cursor_of(row, False))
    for row in rows:
        if not access.sees_identity(user, row):
            row["complainant_name"] = ""
        row["awaiting_us"] = row["status"] == Status.awaiting_agency
    return {"rows": rows, "next_cursor": next_cursor}


def agency_can_respond(case: dict[str, Any]) -> bool:
    return case["status"] == Status.awaiting_agency


async def agency_respond(
    user: Any, case: dict[str, Any], form: AgencyResponseForm, files: list[uploads.Upload]
) -> str:
    """The agency's response (text and files): it goes on the timeline the officers and the
    agency see, and the case goes back under investigation, which stops the agency's clock.
    A late response is still taken; the timeline shows when it came."""
    if not agency_can_respond(case):
        raise DomainError(_("The portal is not waiting for your response on this case."))
    body = form.response.data
    checked = await checked_files(files, "files")
    now = clock.now()
    async with uploads.staged(checked) as staged, db.transaction():
        event_id = await services.add_event(
            case["id"], "agency_response", Audience.agency, now, user, body
        )
        await services.attach_files(case["id"], event_id, Audience.agency, staged.files, now)
        await services.move(user, case, Status.investigation, now)
        await audit.record(user, "complaint.agency_responded", "complaint", case["reference"])
        await notices.agency_responded(case["id"], event_id, now)
    return N_("Your response has been sent to the case officer.")
