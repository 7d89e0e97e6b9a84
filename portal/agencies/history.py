"""An agency's licence history: the ministry's decisions (issued, renewed, a warning,
suspended, reinstated, revoked), each with its date, reference, reason and an optional
decision document, and the licence status each one leaves.

A decision is the only way a licence's status or expiry changes once the agency is in the
registry: the admin records it with a reason, the audit log names it. A suspension that
reached its end date stays Suspended until an admin records the reinstatement (or a
revocation): the licence is valid again only on the ministry's decision, which the page
reminds admins of.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal import clock, db, uploads
from portal.access import or_404
from portal.agencies import licence
from portal.agencies.tables import (
    Agency,
    LicenceAction,
    LicenceDocument,
    LicenceEvent,
    LicenceStatus,
)
from portal.audit import services as audit
from portal.core.roles import Role
from portal.errors import DomainError, FormErrors
from portal.i18n import gettext as _

# Who sees a decision's reference, reason and document (the public: what and when).
STAFF_ROLES = (Role.admin, Role.officer, Role.committee)
STAFF = {role.value for role in STAFF_ROLES}
# Who may open the complaint behind a confirmed sanction.
CASE_READERS = {Role.admin.value, Role.officer.value}

S = LicenceStatus  # short, for the table below
# Each decision: the statuses (as shown today) it may follow, and the status it leaves
# (None: unchanged).
RULES: dict[LicenceAction, tuple[set[LicenceStatus], LicenceStatus | None]] = {
    LicenceAction.renewed: ({S.active, S.expired}, S.active),
    LicenceAction.warning: ({S.active, S.suspended, S.expired}, None),
    LicenceAction.suspended: ({S.active}, S.suspended),
    LicenceAction.reinstated: ({S.suspended}, S.active),
    LicenceAction.revoked: ({S.active, S.suspended, S.expired}, S.revoked),
}


@dataclass(frozen=True)
class Decision:
    """A decision as the admin's form (or a confirmed sanction) gives it."""

    action: LicenceAction
    decided_on: date
    reference: str
    reason: str
    expires_on: date | None = None
    suspended_until: date | None = None
    complaint_id: int | None = None
    complaint_reference: str = ""


def _refusals(decision: Decision, shown: LicenceStatus) -> dict[str, str]:
    allowed, _leaves = RULES[decision.action]
    errors: dict[str, str] = {}
    if shown not in allowed:
        errors["action"] = _("A licence that is “%(status)s” cannot be “%(action)s”.") % {
            "status": shown.label,
            "action": decision.action.label,
        }
    if decision.decided_on > licence.today():
        errors["decided_on"] = _("A decision cannot be dated in the future.")
    if decision.action is LicenceAction.renewed:
        if decision.expires_on is None:
            errors["expires_on"] = _("Enter the date the renewed licence expires.")
        elif decision.expires_on <= decision.decided_on:
            errors["expires_on"] = _("The renewed licence must expire after the decision.")
    if decision.suspended_until is not None and (
        decision.action is not LicenceAction.suspended
        or decision.suspended_until <= decision.decided_on
    ):
        errors["suspended_until"] = _(
            "A suspension's end is a date after the decision, for a suspension only."
        )
    return errors


async def checked_document(files: list[uploads.Upload]) -> list[uploads.CheckedFile]:
    """The decision document, cleaned like every upload, and a PDF; FormErrors if not."""
    if len(files) > 1:
        raise FormErrors({"document": _("Attach one PDF file.")})
    try:
        checked = await uploads.check(files, "document")
    except DomainError as error:
        raise FormErrors({"document": error.message}) from error
    if any(file.content_type != "application/pdf" for file in checked):
        for file in checked:
            file.content.close()
        raise FormErrors({"document": _("The decision document must be a PDF file.")})
    return checked


async def record(
    actor: Any,
    agency_id: int,
    decision: Decision,
    files: list[uploads.Upload],
    linked: Callable[[LicenceEvent], Awaitable[None]] | None = None,
) -> LicenceEvent:
    """Record a decision on the agency's licence and change its status (and expiry) to what
    it leaves; FormErrors when the decision does not follow from the licence as it is.
    `linked` saves what the decision answers (a sanction's confirmation) in its transaction."""
    agency = or_404(
        await Agency.select(Agency.licence_number, *licence.COLUMNS)
        .where(Agency.id == agency_id)
        .first()
    )
    shown = licence.shown_status(
        agency["licence_status"], agency["licence_expires_on"], licence.today()
    )
    errors = _refusals(decision, shown)
    if errors:
        raise FormErrors(errors)
    checked = await checked_document(files)
    async with uploads.staged(checked) as staged, db.transaction():
        event = await save_event(agency_id, decision, clock.now(), staged.files)
        _allowed, leaves = RULES[decision.action]
        changes: dict[Any, Any] = {Agency.licence_status: leaves} if leaves else {}
        if decision.expires_on is not None:
            changes[Agency.licence_expires_on] = decision.expires_on
        if changes:
            await Agency.update(changes).where(Agency.id == agency_id)
        await audit.record(
            actor,
            f"agency.licence_{decision.action.value}",
            "agency",
            agency_id,
            f"{agency['licence_number']}: {decision.reference}; {decision.reason}",
        )
        if linked is not None:
            await linked(event)
    return event


async def save_event(
    agency_id: int, decision: Decision, now: datetime, files: Sequence[uploads.StoredFile] = ()
) -> LicenceEvent:
    """The history entry (and its document), in the caller's transaction."""
    event = LicenceEvent(
        agency=agency_id,
        action=decision.action,
        decided_on=decision.decided_on,
        decision_reference=decision.reference,
        reason=decision.reason,
        expires_on=decision.expires_on,
        suspended_until=decision.suspended_until,
        complaint_id=decision.complaint_id,
        complaint_reference=decision.complaint_reference,
        recorded_at=now,
    )
    await event.save()
    for file in files:
        await LicenceDocument(event=event.id, uploaded_at=now, **file.columns()).save()
    return event


def issued(values: dict[str, Any]) -> Decision | None:
    """The "issued" entry of an agency added with these values (None without an issue
    date: the history starts with the first decision recorded)."""
    if values.get("licence_issued_on") is None:
        return None
    return Decision(
        LicenceAction.issued,
        values["licence_issued_on"],
        reference="",
        reason="",
        expires_on=values.get("licence_expires_on"),
    )


async def entries(agency_id: int, role: str | None) -> list[dict[str, Any]]:
    """The history, newest decision first, with what the reader's role may see: the public
    the action and its dates; staff the reference, reason and document too; admins and
    officers the case behind a sanction."""
    rows = await (
        LicenceEvent.select(
            LicenceEvent.id,
            LicenceEvent.action,
            LicenceEvent.decided_on,
            LicenceEvent.expires_on,
            LicenceEvent.suspended_until,
            LicenceEvent.decision_reference,
            LicenceEvent.reason,
            LicenceEvent.complaint_id,
            LicenceEvent.complaint_reference,
        )
        .where(LicenceEvent.agency == agency_id)
        .order_by(LicenceEvent.decided_on, ascending=False)
        .order_by(LicenceEvent.id, ascending=False)
    )
    staff, case_reader = role in STAFF, role in CASE_READERS
    documents: dict[int, dict[str, Any]] = {}
    if staff and rows:
        found = await LicenceDocument.select(LicenceDocument.event, LicenceDocument.filename).where(
            LicenceDocument.event.is_in([row["id"] for row in rows])
        )
        documents = {doc["event"]: doc for doc in found}
    shown = []
    for row in rows:
        entry = {
            "id": row["id"],
            "action": LicenceAction(row["action"]),
            "decided_on": row["decided_on"],
            "expires_on": row["expires_on"],
            "suspended_until": row["suspended_until"],
        }
        if staff:
            entry |= {
                "reference": row["decision_reference"],
                "reason": row["reason"],
                "document": documents.get(row["id"]),
            }
        if case_reader and row["complaint_id"]:
            entry |= {"complaint_id": row["complaint_id"], "case": row["complaint_reference"]}
        shown.append(entry)
    return shown


def suspension_ended(agency: dict[str, Any], history: list[dict[str, Any]]) -> date | None:
    """The end date of the agency's current suspension when it has passed (the admin is
    reminded to record the reinstatement or a revocation), else None."""
    if agency["licence_status"] != LicenceStatus.suspended:
        return None
    last = next((e for e in history if e["action"] is LicenceAction.suspended), None)
    until = last["suspended_until"] if last else None
    return until if until is not None and until < licence.today() else None


async def document(agency_id: int, event_id: int) -> dict[str, Any]:
    """A decision document of this agency's history, or the 404."""
    return or_404(
        await LicenceDocument.select(
            LicenceDocument.stored_name, LicenceDocument.filename, LicenceDocument.content_type
        )
        .where((LicenceDocument.event == event_id) & (LicenceDocument.event.agency == agency_id))
        .first()
    )
