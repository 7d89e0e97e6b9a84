"""What officers do to a case: assign, acknowledge, ask the agency, investigate, record
the outcome, close, reopen, notes, messages, the sensitive flag.

Every status change goes through `services.move`, which refuses what
`portal.complaints.states` does not allow. Every action lands on the case timeline and in
the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Awaitable
from decimal import Decimal
from typing import Any

from portal import clock, db, uploads
from portal.access import record_id
from portal.audit import services as audit
from portal.complaints import access, forms, notices, referrals, safeguarding, services, states
from portal.complaints.notices import News
from portal.complaints.states import Status
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    Complaint,
    ComplaintWorker,
    Outcome,
    Sanction,
)
from portal.core.roles import CASE_OFFICERS
from portal.errors import DomainError, FormErrors, NotFound
from portal.forms import PortalForm
from portal.i18n import N_
from portal.i18n import gettext as _

# Which status an outcome puts the case in.
OUTCOME_STATUS = {
    Outcome.settlement: Status.resolved,
    Outcome.compensation: Status.resolved,
    Outcome.court: Status.referred,
    Outcome.other_authority: Status.referred,
    Outcome.dismissed: Status.dismissed,
    Outcome.withdrawn: Status.withdrawn,
}


# --- actions --------------------------------------------------------------------------


async def assign(user: Any, case: dict[str, Any], form: forms.AssignForm) -> str:
    officer_id = record_id(form.officer.data)
    found = await access.officers_for(case, officer_id) if officer_id else []
    officer = found[0] if found else None
    if officer is None:
        raise FormErrors({"officer": _("Choose an officer from the list.")})
    now = clock.now()
    async with db.transaction():
        await Complaint.update(
            {Complaint.assigned_officer: officer["id"], Complaint.updated_at: now}
        ).where(Complaint.id == case["id"])
        await services.add_event(
            case["id"], "assigned", Audience.internal, now, user, officer["full_name"]
        )
        await audit.record(
            user, "complaint.assigned", "complaint", case["reference"], f"user {officer['id']}"
        )
    return N_("The case has been assigned.")


async def acknowledge(user: Any, case: dict[str, Any], form: forms.AcknowledgeForm) -> str:
    """Acknowledge in writing: the message (if any) is what the complainant reads."""
    message, now = form.acknowledge_message.data, clock.now()
    async with db.transaction():
        await services.move(user, case, Status.acknowledged, now, message)
        await notices.tell_complainant(case["id"], News.acknowledged, now)
    return N_("The complaint has been acknowledged.")


async def request_response(user: Any, case: dict[str, Any], form: forms.RequestResponseForm) -> str:
    """Ask the agency for its response; the request is on the agency's side of the timeline."""
    request = form.request_message.data
    if not case["agency"]:
        raise DomainError(_("This complaint is not against a registered agency."))
    if case["is_sensitive"] and not case["allegation"]:
        # On a sensitive case the allegation is all the agency reads: it must be there.
        raise DomainError(_("First write the allegation for the agency, in your own words."))
    now = clock.now()
    async with db.transaction():
        await services.move(user, case, Status.awaiting_agency, now)
        event_id = await services.add_event(
            case["id"], "response_requested", Audience.agency, now, user, request
        )
        await notices.response_requested(case["id"], event_id, now)
    return N_("The agency has been asked for its response.")


async def investigate(user: Any, case: dict[str, Any], form: forms.InvestigateForm) -> str:
    note = form.investigate_note.data
    await services.move(user, case, Status.investigation, clock.now(), note)
    return N_("The case is under investigation.")


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


async def _previous_compensation(case: dict[str, Any]) -> dict[str, int]:
    """The figure change that takes back an earlier outcome's compensation (a case decided
    again after going back to investigation or an appeal), in the month it was counted."""
    if not case["compensation"] or not case["compensation_currency"]:
        return {}
    earlier = (
        await CaseEvent.select(CaseEvent.at)
        .where((CaseEvent.complaint == case["id"]) & (CaseEvent.kind == "outcome"))
        .order_by(CaseEvent.id, ascending=False)
        .first()
    )
    if earlier is None:
        return {}
    month = services.month_key(earlier["at"])
    return {
        f"compensation:{month}:{case['compensation_currency']}": -_cents(
            Decimal(case["compensation"])
        )
    }


async def record_outcome(
    user: Any, case: dict[str, Any], form: forms.OutcomeForm, minutes: list[uploads.Upload]
) -> str:
    """Record the outcome (and the mediation minutes): the case moves to the status the
    outcome implies; compensation counts in this month's figures."""
    outcome = Outcome(form.outcome.data)
    compensation, currency = form.total_paid(), form.currency_paid()
    sanction, note = Sanction(form.sanction.data), form.outcome_note.data
    checked = await checked_files(minutes, "minutes")
    target = OUTCOME_STATUS[outcome]
    if not states.can_move(case["status"], target):
        # Before moving, so the message names the outcome, not just a status.
        raise FormErrors(
            {
                "outcome": _("A case that is “%(current)s” cannot be closed with this outcome.")
                % {"current": Status(case["status"]).label}
            }
        )
    now = clock.now()
    changes = await _previous_compensation(case)
    async with uploads.staged(checked) as staged, db.transaction():
        await services.move(
            user,
            case,
            target,
            now,
            extra={
                "outcome": outcome,
                "compensation": compensation,
                "compensation_currency": currency,
                "sanction": sanction,
                "outcome_note": note,
            },
        )
        await _worker_shares(case["id"], form.shares())
        event_id = await services.add_event(case["id"], "outcome", Audience.public, now, user, note)
        await services.attach_files(case["id"], event_id, Audience.internal, staged.files, now)
        if compensation is not None:
            key = f"compensation:{services.month_key(now)}:{currency}"
            changes[key] = changes.get(key, 0) + _cents(compensation)
        await services.bump(changes)
        await audit.record(
            user,
            "complaint.outcome_recorded",
            "complaint",
            case["reference"],
            f"{outcome}; sanction {sanction}",
        )
        await notices.tell_complainant(case["id"], News.outcome, now)
    return N_("The outcome has been recorded.")


async def _worker_shares(complaint_id: int, shares: list[Decimal | None]) -> None:
    """Each worker's share of the compensation (none for a worker left out), by the order
    the case page lists them; a case decided again forgets the earlier shares."""
    workers = (
        await ComplaintWorker.select(ComplaintWorker.id)
        .where(ComplaintWorker.complaint == complaint_id)
        .order_by(ComplaintWorker.id)
    )
    for worker, share in zip(workers, [*shares, *[None] * len(workers)], strict=False):
        await ComplaintWorker.update({ComplaintWorker.compensation: share}).where(
            ComplaintWorker.id == worker["id"]
        )


async def close(user: Any, case: dict[str, Any], form: forms.CloseForm) -> str:
    note, now = form.close_note.data, clock.now()
    async with db.transaction():
        await services.move(user, case, Status.closed, now, note)
        await notices.tell_complainant(case["id"], News.closed, now)
    return N_("The case has been closed.")


async def reopen(user: Any, case: dict[str, Any], form: forms.ReopenForm) -> str:
    """An appeal: the case goes back under investigation; the reason is on the timeline."""
    reason = form.reopen_reason.data
    if case["status"] != Status.closed:
        raise DomainError(_("Only a closed case can be reopened."))
    now = clock.now()
    async with db.transaction():
        await services.move(user, case, Status.investigation, now, reason)
        await notices.tell_complainant(case["id"], News.reopened, now)
    return N_("The case has been reopened.")


async def add_note(user: Any, case: dict[str, Any], form: forms.NoteForm) -> str:
    """An internal note: officers and admins only, never the complainant or the agency."""
    body = form.note_body.data
    now = clock.now()
    async with db.transaction():
        await services.add_event(case["id"], "note", Audience.internal, now, user, body)
        await audit.record(user, "complaint.note_added", "complaint", case["reference"])
    return N_("Your note has been added.")


async def send_message(user: Any, case: dict[str, Any], form: forms.MessageForm) -> str:
    """A message the complainant reads with their receipt code. When it asks for an
    answer the case's clock stops until they reply."""
    body = form.message_body.data
    asks = form.asks_answer.data
    now = clock.now()
    async with db.transaction():
        await services.add_event(case["id"], "message", Audience.complainant, now, user, body)
        if asks:
            await services.pause(case["id"], now)
        await audit.record(
            user,
            "complaint.message_sent",
            "complaint",
            case["reference"],
            "asks for an answer" if asks else "",
        )
        asked = asks and case["is_open"]
        await notices.tell_complainant(case["id"], News.question if asked else News.message, now)
    if asks and case["is_open"]:
        return N_("Your message has been sent. The clock stops until the complainant answers.")
    return N_("Your message has been sent.")


async def set_sensitive(user: Any, case: dict[str, Any], form: forms.SensitiveForm) -> str:
    """Mark a case sensitive (trafficking, gender-based violence): from then on only its
    assigned officer and admins see its details. Clearing the mark needs the same people."""
    sensitive = form.sensitive.data
    reason = form.sensitive_reason.data
    if sensitive == bool(case["is_sensitive"]):
        return N_("Nothing changed.")
    now = clock.now()
    kind = "sensitive_marked" if sensitive else "sensitive_cleared"
    async with db.transaction():
        values: dict[Any, Any] = {Complaint.is_sensitive: sensitive, Complaint.updated_at: now}
        if sensitive and user.role in CASE_OFFICERS and not case["assigned_officer"]:
            # Whoever marks an unassigned case takes it, so someone can still open it.
            values[Complaint.assigned_officer] = user.id
        await Complaint.update(values).where(Complaint.id == case["id"])
        await services.add_event(case["id"], kind, Audience.internal, now, user, reason)
        await audit.record(user, f"complaint.{kind}", "complaint", case["reference"], reason)
    if sensitive:
        return N_("The case is marked sensitive: only its officer and admins see its details.")
    return N_("The case is no longer marked sensitive.")


REFUSED = "refused"  # a refusal that belongs to no field: the page shows it at the top


async def refusal_shown(step: Awaitable[str]) -> str:
    """The action's message; a refusal (the workflow does not allow it now) comes back as
    FormErrors under REFUSED, so the page is shown again with the reason."""
    try:
        return await step
    except (FormErrors, NotFound):
        raise
    except DomainError as refusal:
        raise FormErrors({REFUSED: refusal.message}) from refusal


async def checked_files(files: list[uploads.Upload], field: str) -> list[uploads.CheckedFile]:
    """The files with their types, or FormErrors beside their field."""
    try:
        return await uploads.check(files, field, 0)
    except DomainError as error:
        raise FormErrors({field: error.message}) from error


# Each action's URL under /cases/<id>/, the form it reads, and what it does (it returns the
# message shown after the redirect).
ACTIONS: dict[str, tuple[type[PortalForm], Any]] = {
    "assign": (forms.AssignForm, assign),
    "acknowledge": (forms.AcknowledgeForm, acknowledge),
    "request-response": (forms.RequestResponseForm, request_response),
    "investigate": (forms.InvestigateForm, investigate),
    "close": (forms.CloseForm, close),
    "reopen": (forms.ReopenForm, reopen),
    "note": (forms.NoteForm, add_note),
    "message": (forms.MessageForm, send_message),
    "sensitive": (forms.SensitiveForm, set_sensitive),
    "priority": (safeguarding.PriorityForm, safeguarding.set_priority),
    "allegation": (safeguarding.AllegationForm, safeguarding.write_allegation),
    "referral": (referrals.ReferralForm, referrals.record_referral),
}
