"""What officers do to a case: assign, acknowledge, ask the agency, investigate, record
the outcome, close, reopen, notes, messages, the sensitive flag.

Every status change goes through `services.move`, which refuses what
`portal.complaints.states` does not allow. Every action lands on the case timeline and in
the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portal import clock, db, uploads
from portal.access import record_id
from portal.accounts.tables import Role, User
from portal.audit import services as audit
from portal.complaints import services, states
from portal.complaints.states import Status
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    Complaint,
    Currency,
    Outcome,
    Sanction,
)
from portal.errors import DomainError, FormErrors
from portal.i18n import N_
from portal.i18n import gettext as _

MAX_TEXT = 5000


PAGE_SIZE = 50
MAX_TEXT = 5000

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
# Each takes the acting user, the case (from find_case) and the form's text fields, and
# returns the flash message (a msgid) to show after the redirect.


def _text(form: dict[str, str], name: str, required: bool = False) -> str:
    text = form.get(name, "").strip()
    if required and not text:
        raise FormErrors({name: _("Write something here.")})
    if len(text) > MAX_TEXT:
        raise FormErrors({name: _("Keep it under %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}})
    return text


async def assign(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    officer_id = record_id(form.get("officer", ""))
    officer = None
    if officer_id:
        officer = (
            await User.select(User.id, User.full_name)
            .where((User.id == officer_id) & (User.role == Role.officer) & User.is_active.eq(True))
            .first()
        )
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


async def acknowledge(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """Acknowledge in writing: the message (if any) is what the complainant reads."""
    message = _text(form, "acknowledge_message")
    await services.move(user, case, Status.acknowledged, clock.now(), message)
    return N_("The complaint has been acknowledged.")


async def request_response(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """Ask the agency for its response; the request is on the agency's side of the timeline."""
    request = _text(form, "request_message", required=True)
    if not case["agency"]:
        raise DomainError(_("This complaint is not against a registered agency."))
    now = clock.now()
    async with db.transaction():
        await services.move(user, case, Status.awaiting_agency, now)
        await services.add_event(
            case["id"], "response_requested", Audience.agency, now, user, request
        )
    return N_("The agency has been asked for its response.")


async def investigate(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    note = _text(form, "investigate_note")
    await services.move(user, case, Status.investigation, clock.now(), note)
    return N_("The case is under investigation.")


@dataclass(frozen=True)
class OutcomeInput:
    outcome: Outcome
    compensation: Decimal | None
    currency: str
    sanction: Sanction
    note: str


def check_outcome(form: dict[str, str]) -> OutcomeInput:
    """The outcome form, checked field by field (all errors at once)."""
    errors = {}
    outcome = form.get("outcome", "")
    if outcome not in Outcome.__members__:
        errors["outcome"] = _("Choose the outcome.")
    amount_text = form.get("compensation", "").strip().replace(",", "")
    amount: Decimal | None = None
    if amount_text:
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount <= 0 or amount >= 10**12:
            errors["compensation"] = _("Write the amount as a number, like 1500 or 1500.50.")
        elif amount != amount.quantize(Decimal("0.01")):
            errors["compensation"] = _("Use at most two decimals.")
    if outcome == Outcome.compensation and not amount_text:
        errors["compensation"] = _("Write the amount of compensation paid.")
    if amount_text and outcome not in (Outcome.settlement, Outcome.compensation, ""):
        errors["compensation"] = _("Only a settlement or compensation has an amount.")
    currency = form.get("currency", "")
    if amount_text and currency not in Currency.__members__:
        errors["currency"] = _("Choose the currency.")
    sanction = form.get("sanction", "") or Sanction.none
    if sanction not in Sanction.__members__:
        errors["sanction"] = _("Choose a sanction from the list.")
    if len(form.get("outcome_note", "")) > MAX_TEXT:
        errors["outcome_note"] = _("Keep it under %(n)s characters.") % {"n": f"{MAX_TEXT:,}"}
    if errors:
        raise FormErrors(errors)
    return OutcomeInput(
        outcome=Outcome(outcome),
        compensation=amount,
        currency=currency if amount is not None else "",
        sanction=Sanction(sanction),
        note=form.get("outcome_note", "").strip(),
    )


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
    user: Any, case: dict[str, Any], form: dict[str, str], minutes: list[uploads.Upload]
) -> str:
    """Record the outcome (and the mediation minutes): the case moves to the status the
    outcome implies; compensation counts in this month's figures."""
    entry = check_outcome(form)
    checked = await uploads.check(minutes, "minutes", 0)
    target = OUTCOME_STATUS[entry.outcome]
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
    stored = await uploads.store_all(checked)
    try:
        async with db.transaction():
            await services.move(
                user,
                case,
                target,
                now,
                extra={
                    "outcome": entry.outcome,
                    "compensation": entry.compensation,
                    "compensation_currency": entry.currency,
                    "sanction": entry.sanction,
                    "outcome_note": entry.note,
                },
            )
            event_id = await services.add_event(
                case["id"], "outcome", Audience.public, now, user, entry.note
            )
            await services.attach_files(case["id"], event_id, Audience.internal, stored, now)
            if entry.compensation is not None:
                key = f"compensation:{services.month_key(now)}:{entry.currency}"
                changes[key] = changes.get(key, 0) + _cents(entry.compensation)
            await services.bump(changes)
            await audit.record(
                user,
                "complaint.outcome_recorded",
                "complaint",
                case["reference"],
                f"{entry.outcome}; sanction {entry.sanction}",
            )
    except BaseException:
        uploads.remove([f.stored_name for f in stored])
        raise
    return N_("The outcome has been recorded.")


async def close(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    note = _text(form, "close_note")
    await services.move(user, case, Status.closed, clock.now(), note)
    return N_("The case has been closed.")


async def reopen(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """An appeal: the case goes back under investigation; the reason is on the timeline."""
    reason = _text(form, "reopen_reason", required=True)
    if case["status"] != Status.closed:
        raise DomainError(_("Only a closed case can be reopened."))
    await services.move(user, case, Status.investigation, clock.now(), reason)
    return N_("The case has been reopened.")


async def add_note(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """An internal note: officers and admins only, never the complainant or the agency."""
    body = _text(form, "note_body", required=True)
    now = clock.now()
    async with db.transaction():
        await services.add_event(case["id"], "note", Audience.internal, now, user, body)
        await audit.record(user, "complaint.note_added", "complaint", case["reference"])
    return N_("Your note has been added.")


async def send_message(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """A message the complainant reads with their receipt code. When it asks for an
    answer the case's clock stops until they reply."""
    body = _text(form, "message_body", required=True)
    asks = form.get("asks_answer") == "1"
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
    if asks and case["is_open"]:
        return N_("Your message has been sent. The clock stops until the complainant answers.")
    return N_("Your message has been sent.")


async def set_sensitive(user: Any, case: dict[str, Any], form: dict[str, str]) -> str:
    """Mark a case sensitive (trafficking, gender-based violence): from then on only its
    assigned officer and admins see its details. Clearing the mark needs the same people."""
    sensitive = form.get("sensitive") == "1"
    reason = _text(form, "sensitive_reason", required=sensitive)
    if sensitive == bool(case["is_sensitive"]):
        return N_("Nothing changed.")
    now = clock.now()
    kind = "sensitive_marked" if sensitive else "sensitive_cleared"
    async with db.transaction():
        values: dict[Any, Any] = {Complaint.is_sensitive: sensitive, Complaint.updated_at: now}
        if sensitive and user.role == Role.officer and not case["assigned_officer"]:
            # Whoever marks an unassigned case takes it, so someone can still open it.
            values[Complaint.assigned_officer] = user.id
        await Complaint.update(values).where(Complaint.id == case["id"])
        await services.add_event(case["id"], kind, Audience.internal, now, user, reason)
        await audit.record(user, f"complaint.{kind}", "complaint", case["reference"])
    if sensitive:
        return N_("The case is marked sensitive: only its officer and admins see its details.")
    return N_("The case is no longer marked sensitive.")


ACTIONS = {
    "assign": assign,
    "acknowledge": acknowledge,
    "request-response": request_response,
    "investigate": investigate,
    "close": close,
    "reopen": reopen,
    "note": add_note,
    "message": send_message,
    "sensitive": set_sensitive,
}
