"""Safeguarding: a child, or signs of abuse, forced labour or trafficking, make a case
sensitive and priority as it is filed and alert the supervisors at once; officers set or
clear either mark with a reason; the accused agency reads a sensitive case only as the
officer words the allegation, never who complains or for whom."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms import BooleanField, StringField, ValidationError

from portal import clock, db
from portal.audit import services as audit
from portal.complaints import services
from portal.complaints.forms import KEEP_TEXT_SHORT, MAX_TEXT, WRITE_SOMETHING, YES_ONLY, _text
from portal.complaints.tables import AgeBand, Audience, Complaint, Ground
from portal.core.roles import Role
from portal.forms import PortalForm
from portal.i18n import N_
from portal.notifications import watchers
from portal.notifications.services import Due, notify

# Grounds that by themselves make a case sensitive and priority.
SAFEGUARDING_GROUNDS = frozenset({Ground.abuse, Ground.forced_labour})


def needs_safeguarding(workers: list[dict[str, Any]], grounds: list[str]) -> bool:
    """A worker under 18, or a ground of abuse, forced labour or trafficking."""
    child = any(w.get("age_band") == AgeBand.under_18 for w in workers)
    return child or bool(SAFEGUARDING_GROUNDS & set(grounds))


def marks_on_filing(workers: list[dict[str, Any]], grounds: list[str]) -> dict[str, bool]:
    """The marks a new complaint is stored with."""
    marked = needs_safeguarding(workers, grounds)
    return {"is_sensitive": marked, "is_priority": marked}


async def alert_on_filing(
    complaint_id: int, reference: str, columns: dict[str, Any], now: datetime
) -> None:
    """Alert the supervisors (in the portal and by e-mail) of a case filed as priority, in
    the filing's transaction, so the alert exists exactly when the case does."""
    if not columns.get("is_priority"):
        return
    due = Due(
        kind="safeguarding_filed",
        record_type="complaint",
        record_id=complaint_id,
        threshold="filed",
        due_at=now,
        recipients=tuple(await watchers.supervisors()),
        params={"reference": reference},
        link=f"/cases/{complaint_id}",
    )
    await notify([due], now)


# --- the officer's marks ---------------------------------------------------------------


def _reason_needed(form: Any, field: StringField) -> None:
    if not field.data:
        raise ValidationError(WRITE_SOMETHING)


class PriorityForm(PortalForm):
    priority = BooleanField(false_values=YES_ONLY)
    priority_reason = _text(MAX_TEXT, KEEP_TEXT_SHORT)
    validate_priority_reason = _reason_needed


class AllegationForm(PortalForm):
    allegation = _text(MAX_TEXT, KEEP_TEXT_SHORT)
    validate_allegation = _reason_needed


async def set_priority(user: Any, case: dict[str, Any], form: PriorityForm) -> str:
    """Mark a case priority (or clear the mark), with the reason on the timeline."""
    priority, reason = form.priority.data, form.priority_reason.data
    if priority == bool(case["is_priority"]):
        return N_("Nothing changed.")
    now = clock.now()
    kind = "priority_marked" if priority else "priority_cleared"
    async with db.transaction():
        await Complaint.update({Complaint.is_priority: priority, Complaint.updated_at: now}).where(
            Complaint.id == case["id"]
        )
        await services.add_event(case["id"], kind, Audience.internal, now, user, reason)
        await audit.record(user, f"complaint.{kind}", "complaint", case["reference"], reason)
    if priority:
        return N_("The case is marked priority.")
    return N_("The case is no longer marked priority.")


async def write_allegation(user: Any, case: dict[str, Any], form: AllegationForm) -> str:
    """The allegation in the officer's words: what the agency reads of a sensitive case."""
    text = form.allegation.data
    now = clock.now()
    async with db.transaction():
        await Complaint.update({Complaint.allegation: text, Complaint.updated_at: now}).where(
            Complaint.id == case["id"]
        )
        await services.add_event(
            case["id"], "allegation_written", Audience.internal, now, user, text
        )
        await audit.record(user, "complaint.allegation_written", "complaint", case["reference"])
    return N_("The allegation for the agency has been saved.")


# --- what the agency reads -------------------------------------------------------------

# The columns of a sensitive case the accused agency needs to respond.
AGENCY_SEES = (
    "id",
    "reference",
    "status",
    "is_open",
    "is_sensitive",
    "stage",
    "stage_due_at",
    "paused_since",
    "received_at",
    "acknowledged_at",
    "closed_at",
    "agency",
    "agency_name_en",
    "agency_name_km",
    "licence_number",
    "allegation",
    "outcome",
    "compensation",
    "compensation_currency",
    "share_identity",
)


def restricted_for_agency(user: Any, view: dict[str, Any]) -> dict[str, Any]:
    """The case page of a sensitive case as the accused agency reads it: the grounds, the
    dates and the allegation in the officer's words; nobody's name, contact or ID (even
    with consent to share identity), no description, no complainant's words."""
    case = view["case"]
    if user.role != Role.agency or not case["is_sensitive"]:
        return view
    # Entries others wrote for the complainant keep their date and status, not their words.
    events = [
        e if e["audience"] == Audience.agency else {**e, "body": "", "files": []}
        for e in view["events"]
    ]
    return {
        **view,
        "case": {key: case.get(key) for key in AGENCY_SEES} | {"share_identity": False},
        "workers": [],
        "events": events,
        "loose_files": [f for f in view["loose_files"] if f["audience"] == Audience.agency],
        "identity": False,
        "restricted": True,
    }
