"""One case as staff and agencies see it: who may open it (the same 404 otherwise), what
may be done to it now, its timeline and files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.access import or_404
from portal.audit import services as audit
from portal.complaints import access, services, states
from portal.complaints.agency_side import agency_can_respond
from portal.complaints.case_actions import OUTCOME_STATUS
from portal.complaints.queue import is_overdue
from portal.complaints.referrals import referrals_of
from portal.complaints.safeguarding import restricted_for_agency
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    CaseFile,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    Outcome,
)
from portal.core.roles import CASE_HANDLERS, Role
from portal.errors import NotFound
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labels import LabelledEnum
from portal.retention.tables import AnonymisedCase


class EventKind(LabelledEnum):
    """What a timeline entry records (kinds other parts add are shown as "Update")."""

    filed = "filed", N_("Complaint received")
    status_changed = "status_changed", N_("Status changed")
    reopened = "reopened", N_("Reopened on appeal")
    assigned = "assigned", N_("Assigned")
    note = "note", N_("Internal note")
    message = "message", N_("Message to the complainant")
    reply = "reply", N_("Reply from the complainant")
    response_requested = "response_requested", N_("Agency's response requested")
    agency_response = "agency_response", N_("Response from the agency")
    outcome = "outcome", N_("Outcome recorded")
    sensitive_marked = "sensitive_marked", N_("Marked sensitive")
    sensitive_cleared = "sensitive_cleared", N_("No longer marked sensitive")
    priority_marked = "priority_marked", N_("Marked priority")
    priority_cleared = "priority_cleared", N_("No longer marked priority")
    allegation_written = "allegation_written", N_("Allegation written for the agency")
    facts_corrected = "facts_corrected", N_("Facts corrected")
    referred = "referred", N_("Referred to another authority")


# The row a name search's next page starts after (its name as the index has it).


async def find_case(user: Any, complaint_id: int) -> dict[str, Any]:
    """The complaint row if `user` may open it and read its details; the same 404 for a
    case that does not exist, is not theirs, or is sensitive and not assigned to them."""
    condition = access.visible_to(user)
    if condition is None:
        raise NotFound(_("Page not found."))
    case = or_404(
        await Complaint.select(
            *Complaint.all_columns(),
            Complaint.agency.name_en.as_alias("agency_name_en"),
            Complaint.agency.name_km.as_alias("agency_name_km"),
            Complaint.agency.licence_number.as_alias("licence_number"),
            Complaint.assigned_officer.full_name.as_alias("officer_name"),
        )
        .where((Complaint.id == complaint_id) & condition)
        .first()
    )
    if not access.sees_sensitive_details(user, case):
        raise NotFound(_("Page not found."))
    return case


async def open_case(user: Any, complaint_id: int) -> dict[str, Any]:
    """find_case for a page view or a download: opening a sensitive case is audited."""
    case = await find_case(user, complaint_id)
    if case["is_sensitive"]:
        await audit.record(user, "complaint.sensitive_opened", "complaint", case["reference"])
    return case


def permissions(user: Any, case: dict[str, Any]) -> dict[str, bool]:
    """What the officer (or the agency) may do now, from the workflow's transitions
    (templates hold no rules)."""
    status = Status(case["status"])
    staff = user.role in CASE_HANDLERS
    decided_targets = {OUTCOME_STATUS[o] for o in Outcome}
    return {
        "can_assign": staff and status != Status.closed,
        "can_acknowledge": staff and states.can_move(status, Status.acknowledged),
        "can_request_response": staff
        and bool(case["agency"])
        and states.can_move(status, Status.awaiting_agency),
        "can_investigate": staff
        and status != Status.closed
        and states.can_move(status, Status.investigation),
        "can_record_outcome": staff
        and status in OPEN
        and any(states.can_move(status, t) for t in decided_targets),
        "can_close": staff and states.can_move(status, Status.closed),
        "can_reopen": staff and status == Status.closed,
        "can_write": staff,
        "can_mark_sensitive": staff,
        "can_correct": staff,
        "can_refer": staff,
        "can_respond": user.role == Role.agency and agency_can_respond(case),
    }


async def case_page(user: Any, case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Everything the case page shows to this reader."""
    kind = access.reader_kind(user)
    audiences = sorted(access.AUDIENCES[kind])
    workers = await ComplaintWorker.select().where(ComplaintWorker.complaint == case["id"])
    grounds = await ComplaintGround.select(ComplaintGround.ground).where(
        ComplaintGround.complaint == case["id"]
    )
    events = (
        await CaseEvent.select(
            *CaseEvent.all_columns(), CaseEvent.actor.full_name.as_alias("actor_name")
        )
        .where((CaseEvent.complaint == case["id"]) & CaseEvent.audience.is_in(audiences))
        .order_by(CaseEvent.at, CaseEvent.id)
    )
    loose_files = services.files_on_timeline(events, await case_files(case["id"], audiences))
    identity = access.sees_identity(user, case)
    if not identity:
        case = {**case, "complainant_name": "", "name_key": "", "phone": "", "email": ""}
        for row in workers:
            row["name"] = row["id_number"] = ""
    allowed = permissions(user, case)
    officers_list = await access.officers_for(case) if allowed["can_assign"] else []
    view = {
        "case": case,
        "officer_options": [(str(o["id"]), o["full_name"]) for o in officers_list],
        "workers": workers,
        "grounds": [row["ground"] for row in grounds],
        "events": events,
        "loose_files": loose_files,
        "identity": identity,
        "overdue": is_overdue(case, now),
        "referrals": await referrals_of(case["id"]) if kind == "staff" else [],
        "anonymised": await anonymised(case["id"]) if kind == "staff" else None,
        "restricted": False,
        **allowed,
    }
    return restricted_for_agency(user, view)


async def anonymised(complaint_id: int) -> dict[str, Any] | None:
    """When the case's personal data was removed, and whether on request (an admin did it)."""
    row = await (
        AnonymisedCase.select(AnonymisedCase.at, AnonymisedCase.actor)
        .where(AnonymisedCase.complaint == complaint_id)
        .first()
    )
    return {"at": row["at"], "on_request": row["actor"] is not None} if row else None


async def case_files(complaint_id: int, audiences: list[Audience]) -> list[dict[str, Any]]:
    return (
        await CaseFile.select()
        .where((CaseFile.complaint == complaint_id) & CaseFile.audience.is_in(list(audiences)))
        .order_by(CaseFile.id)
    )


async def case_file(user: Any, case: dict[str, Any], file_id: int) -> dict[str, Any]:
    """One file of the case, if this reader's audiences include it (else the 404)."""
    audiences = list(access.AUDIENCES[access.reader_kind(user)])
    if user.role == Role.agency and case["is_sensitive"]:
        audiences = [Audience.agency]  # as restricted_for_agency shows the timeline
    return or_404(
        await CaseFile.select()
        .where(
            (CaseFile.id == file_id)
            & (CaseFile.complaint == case["id"])
            & CaseFile.audience.is_in(audiences)
        )
        .first()
    )
