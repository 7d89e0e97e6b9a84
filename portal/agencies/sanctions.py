"""Sanctions recommended in complaints' outcomes (a warning, a suspension or a revocation
under Prakas 251), waiting for an admin: confirmed, the sanction enters the agency's
licence history with a link to the case (for staff); dismissed, the reason is kept. The
public sees only a confirmed sanction's history entry, never the complaint behind it."""

from __future__ import annotations

from typing import Any

from portal import clock, db, uploads
from portal.access import or_404
from portal.agencies import history
from portal.agencies.forms import DecisionFields
from portal.agencies.tables import Agency, LicenceAction, LicenceEvent, SanctionDecision
from portal.audit import services as audit
from portal.complaints.tables import Complaint, Sanction
from portal.errors import DomainError
from portal.i18n import gettext as _

# The licence decision each recommended sanction becomes when confirmed.
DECISIONS = {
    Sanction.warning.value: LicenceAction.warning,
    Sanction.suspension.value: LicenceAction.suspended,
    Sanction.revocation.value: LicenceAction.revoked,
}


async def pending(agency_id: int) -> list[dict[str, Any]]:
    """The agency's recommended sanctions no admin has confirmed or dismissed yet, oldest
    first. A case decided again with another sanction recommends anew."""
    recommended = await (
        Complaint.select(Complaint.id, Complaint.reference, Complaint.sanction)
        .where((Complaint.agency == agency_id) & Complaint.sanction.is_in(list(DECISIONS)))
        .order_by(Complaint.id)
    )
    if not recommended:
        return []
    decided = await SanctionDecision.select(
        SanctionDecision.complaint_id, SanctionDecision.sanction
    ).where(SanctionDecision.agency == agency_id)
    answered = {(row["complaint_id"], row["sanction"]) for row in decided}
    return [
        {**row, "label": Sanction.label_of(row["sanction"]), "action": DECISIONS[row["sanction"]]}
        for row in recommended
        if (row["id"], row["sanction"]) not in answered
    ]


async def _pending_one(agency_id: int, complaint_id: int) -> dict[str, Any]:
    return or_404(next((p for p in await pending(agency_id) if p["id"] == complaint_id), None))


async def confirm(
    actor: Any,
    agency_id: int,
    complaint_id: int,
    form: DecisionFields,
    files: list[uploads.Upload],
) -> None:
    """The sanction enters the licence history (and changes the licence's status), linked to
    the case; FormErrors when the licence as it is now cannot take it."""
    recommendation = await _pending_one(agency_id, complaint_id)
    decision = history.Decision(
        recommendation["action"],
        form.decided_on.data,
        form.decision_reference.data,
        form.reason.data,
        suspended_until=form.suspended_until.data,
        complaint_id=complaint_id,
        complaint_reference=recommendation["reference"],
    )

    async def answered(event: LicenceEvent) -> None:
        await _answer(agency_id, recommendation, True, form.reason.data, event.id)

    await history.record(actor, agency_id, decision, files, linked=answered)


async def dismiss(actor: Any, agency_id: int, complaint_id: int, reason: str) -> None:
    """The recommendation is answered without a sanction; the reason stays in the audit log."""
    recommendation = await _pending_one(agency_id, complaint_id)
    number = await Agency.select(Agency.licence_number).where(Agency.id == agency_id).first()
    async with db.transaction():
        await _answer(agency_id, recommendation, False, reason, None)
        await audit.record(
            actor,
            "agency.sanction_dismissed",
            "agency",
            agency_id,
            f"{number['licence_number'] if number else ''}: {recommendation['label']} "
            f"({recommendation['reference']}); {reason}",
        )


async def _answer(
    agency_id: int, recommendation: dict[str, Any], confirmed: bool, reason: str, event: Any
) -> None:
    """Save the answer, in the caller's transaction, if the recommendation is still pending;
    of two admins answering at once, the second's whole decision is undone."""
    # Holds the complaint's row (PostgreSQL; SQLite writes one transaction at a time) so
    # the pending check below sees an answer another admin has just committed.
    still_recommended = (
        await Complaint.update({Complaint.sanction: recommendation["sanction"]})
        .where(
            (Complaint.id == recommendation["id"])
            & (Complaint.sanction == recommendation["sanction"])
        )
        .returning(Complaint.id)
    )
    answered = await SanctionDecision.exists().where(
        (SanctionDecision.complaint_id == recommendation["id"])
        & (SanctionDecision.sanction == recommendation["sanction"])
    )
    if not still_recommended or answered:
        raise DomainError(_("Another administrator has just answered this recommendation."))
    await SanctionDecision(
        agency=agency_id,
        complaint_id=recommendation["id"],
        sanction=recommendation["sanction"],
        confirmed=confirmed,
        reason=reason,
        licence_event=event,
        decided_at=clock.now(),
    ).save()
