"""Case handling for officers and admins: the queue, one case with what may be done to it,
and each action (assign, acknowledge, ask the agency, investigate, record the outcome,
close, reopen, notes, messages, sensitive flag).

Every status change goes through `services.move`, which refuses what
`portal.complaints.states` does not allow. Every action lands on the case timeline and in
the audit log in the same transaction as the change itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal import clock, db, paging, uploads
from portal.access import or_404, record_id
from portal.accounts.tables import Role, User
from portal.audit import services as audit
from portal.complaints import access, services, states
from portal.complaints.jobs import DUE_SOON
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    CaseFile,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    Currency,
    Ground,
    Outcome,
    Sanction,
)
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labels import LabelledEnum

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


# The row a name search's next page starts after (its name as the index has it).
_NAME_CURSOR = "SELECT id, name_key FROM complaint WHERE id = {} AND "

# An exact reference, as printed on the receipt: C26-7K3M9Q2B.
_REFERENCE = re.compile(r"^C\d{2}-[0-9A-Z]{8}$")

_QUEUE_COLUMNS = (
    Complaint.id,
    Complaint.reference,
    Complaint.status,
    Complaint.stage,
    Complaint.stage_due_at,
    Complaint.paused_since,
    Complaint.received_at,
    Complaint.complainant_name,
    Complaint.province,
    Complaint.broker_name,
    Complaint.is_sensitive,
    Complaint.assigned_officer,
    Complaint.workers_count,
    Complaint.agency.name_en.as_alias("agency_name_en"),
    Complaint.agency.name_km.as_alias("agency_name_km"),
)


# --- the queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as the officer chose them (empty = not filtering)."""

    status: str = ""  # "" = every open case
    due: str = ""  # "overdue" or "soon"
    agency: int | None = None
    province: str = ""
    ground: str = ""
    mine: bool = False
    sensitive: bool = False
    after: str = ""  # the keyset cursor of the previous page's last row

    @classmethod
    def from_query(cls, params: dict[str, str]) -> QueueFilters:
        status = params.get("status", "")
        agency = params.get("agency", "")
        return cls(
            status=status if status in Status.__members__ else "",
            due=params.get("due", "") if params.get("due") in ("overdue", "soon") else "",
            agency=record_id(agency),
            province=params.get("province", "").strip(),
            ground=params.get("ground", "") if params.get("ground") in Ground.__members__ else "",
            mine=params.get("mine") == "1",
            sensitive=params.get("sensitive") == "1",
            after=params.get("after", ""),
        )

    @property
    def by_due_time(self) -> bool:
        """Open cases sort most urgent first; decided and closed ones newest first."""
        return self.status == "" or Status(self.status) in OPEN


def _cursor(row: dict[str, Any], by_due_time: bool) -> str:
    moment = row["stage_due_at"] if by_due_time else row["received_at"]
    return f"{moment.isoformat()}_{row['id']}"


def _parse_cursor(text: str) -> tuple[datetime, int] | None:
    moment, _sep, row_text = text.rpartition("_")
    row_id = record_id(row_text)
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if row_id is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), row_id


async def queue(user: Any, filters: QueueFilters, now: datetime) -> dict[str, Any]:
    """One page of the queue, and the cursor of the next page (None on the last).
    Keyset pagination on (stage_due_at, id) or (received_at, id): every page costs the
    same, however deep, and each filter has an index that serves its order."""
    query = Complaint.select(*_QUEUE_COLUMNS)
    if filters.status:
        query = query.where(Complaint.status == filters.status)
    else:
        query = query.where(Complaint.is_open.eq(True))
    if filters.by_due_time:
        # A paused case waits on the complainant: its clock is stopped, so it is neither.
        if filters.due == "overdue":
            query = query.where(Complaint.paused_since.is_null() & (Complaint.stage_due_at < now))
        elif filters.due == "soon":
            query = query.where(
                Complaint.paused_since.is_null()
                & (Complaint.stage_due_at >= now)
                & (Complaint.stage_due_at < now + DUE_SOON)
            )
    if filters.agency:
        query = query.where(Complaint.agency == filters.agency)
    if filters.province:
        query = query.where(Complaint.province == filters.province)
    if filters.ground:
        query = query.where(
            WhereRaw(
                "EXISTS (SELECT 1 FROM complaint_ground g "
                "WHERE g.complaint = complaint.id AND g.ground = {})",
                filters.ground,
            )
        )
    if filters.mine:
        query = query.where(Complaint.assigned_officer == user.id)
    if filters.sensitive:
        query = query.where(Complaint.is_sensitive.eq(True))
    order = Complaint.stage_due_at if filters.by_due_time else Complaint.received_at
    cursor = _parse_cursor(filters.after) if filters.after else None
    if cursor:
        moment, last_id = cursor
        # The plain bound (>= or <=) lets the index start at the cursor, so a deep page
        # costs what the first one does; the OR breaks ties on the id.
        if filters.by_due_time:
            query = query.where(
                (order >= moment) & ((order > moment) | (Complaint.id > last_id))
            ).order_by(order, Complaint.id)
        else:
            query = query.where(
                (order <= moment) & ((order < moment) | (Complaint.id < last_id))
            ).order_by(order, Complaint.id, ascending=False)
    else:
        query = query.order_by(order, Complaint.id, ascending=filters.by_due_time)
    rows, next_cursor = await paging.fetch(
        query, PAGE_SIZE, lambda row: _cursor(row, filters.by_due_time)
    )
    for row in rows:
        _mark_row(user, row, now)
    return {"rows": rows, "next_cursor": next_cursor}


async def search(user: Any, text: str, after: str, now: datetime) -> dict[str, Any]:
    """An exact reference, or the start of the complainant's name, through every case,
    in name order (keyset on name and id, so the name index serves it). The page after
    is asked for by the last row's id, never by a name: names stay out of URLs. A name
    never finds a sensitive case the officer may not open (that would tell who complained
    of what)."""
    text = text.strip()[:200]
    query = Complaint.select(*_QUEUE_COLUMNS)
    if _REFERENCE.match(text.upper()):
        query = query.where(Complaint.reference == text.upper())
    else:
        # In any case ("sok", "SOK", "Sok", "élise", "ÉLISE"): a range on the folded name
        # (not LIKE), so its index serves it, in order, on both databases.
        key = services.name_key(text)
        query = query.where((Complaint.name_key >= key) & (Complaint.name_key < key + "\uffff"))
        findable, values = _findable_by_name(user)
        query = query.where(WhereRaw(findable, *values))
        cursor = record_id(after)
        previous = (  # held to the same rule, or its place in name order would hint at a name
            await db.select(_NAME_CURSOR + findable, cursor, *values) if cursor else []
        )
        for last in previous:  # the previous page's last row: start after it
            query = query.where(
                WhereRaw(
                    "name_key >= {} AND (name_key > {} OR complaint.id > {})",
                    last["name_key"],
                    last["name_key"],
                    last["id"],
                )
            )
        query = query.order_by(Complaint.name_key, Complaint.id)
    rows, next_cursor = await paging.fetch(query, PAGE_SIZE, lambda row: str(row["id"]))
    for row in rows:
        _mark_row(user, row, now)
    return {"rows": rows, "next_cursor": next_cursor}


def _findable_by_name(user: Any) -> tuple[str, list[Any]]:
    """SQL (and its values) for the cases this user may find by name: an admin every case,
    an officer every case but the sensitive ones not assigned to them."""
    if user.role == Role.admin:
        return "TRUE", []
    return "(complaint.is_sensitive = {} OR complaint.assigned_officer = {})", [False, user.id]


def _mark_row(user: Any, row: dict[str, Any], now: datetime) -> None:
    """What the queue shows of a row: a sensitive case the reader may not open keeps only
    its reference, status and due time."""
    row["masked"] = not access.sees_sensitive_details(user, row)
    if row["masked"]:
        for name in ("complainant_name", "province", "broker_name", "agency_name_en"):
            row[name] = ""
        row["agency_name_km"] = ""
    row["overdue"] = is_overdue(row, now)
    row["due_soon"] = _clock_running(row) and now <= row["stage_due_at"] < now + DUE_SOON


def _clock_running(case: dict[str, Any]) -> bool:
    """Open, with a due time, and not paused waiting on the complainant."""
    return bool(case["stage_due_at"] and case["status"] in OPEN and case["paused_since"] is None)


def is_overdue(case: dict[str, Any], now: datetime) -> bool:
    return _clock_running(case) and case["stage_due_at"] < now


# --- one case -------------------------------------------------------------------------


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
    """What the officer may do now, from the workflow's transitions (templates hold no rules)."""
    status = Status(case["status"])
    staff = user.role in (Role.officer, Role.admin)
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
    files = await case_files(case["id"], audiences)
    by_event: dict[int, list] = {}
    for f in files:
        by_event.setdefault(f["event"], []).append(f)
    for event in events:
        event["files"] = by_event.pop(event["id"], [])
    identity = access.sees_identity(user, case)
    if not identity:
        case = {**case, "complainant_name": "", "name_key": "", "phone": "", "email": ""}
        for row in workers:
            row["name"] = ""
    return {
        "case": case,
        "workers": workers,
        "grounds": [row["ground"] for row in grounds],
        "events": events,
        "loose_files": [f for fs in by_event.values() for f in fs],
        "identity": identity,
        "overdue": is_overdue(case, now),
        **permissions(user, case),
    }


async def case_files(complaint_id: int, audiences: list[Audience]) -> list[dict[str, Any]]:
    return (
        await CaseFile.select()
        .where((CaseFile.complaint == complaint_id) & CaseFile.audience.is_in(list(audiences)))
        .order_by(CaseFile.id)
    )


async def case_file(user: Any, case: dict[str, Any], file_id: int) -> dict[str, Any]:
    """One file of the case, if this reader's audiences include it (else the 404)."""
    audiences = list(access.AUDIENCES[access.reader_kind(user)])
    return or_404(
        await CaseFile.select()
        .where(
            (CaseFile.id == file_id)
            & (CaseFile.complaint == case["id"])
            & CaseFile.audience.is_in(audiences)
        )
        .first()
    )


async def officers() -> list[dict[str, Any]]:
    """Active officers, for the assign list."""
    return (
        await User.select(User.id, User.full_name)
        .where((User.role == Role.officer) & User.is_active.eq(True))
        .order_by(User.full_name)
    )


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


# --- the agency's side ----------------------------------------------------------------


async def agency_cases(user: Any, after: str = "") -> dict[str, Any]:
    """The complaints against the user's agency, newest first (keyset on received_at, id).
    Names are left out unless the complainant agreed to share them."""
    condition = access.visible_to(user)
    if condition is None or user.role != Role.agency:
        raise NotFound(_("Page not found."))
    query = (
        Complaint.select(
            Complaint.id,
            Complaint.reference,
            Complaint.status,
            Complaint.stage,
            Complaint.stage_due_at,
            Complaint.received_at,
            Complaint.complainant_name,
            Complaint.share_identity,
            Complaint.workers_count,
        )
        .where(condition)
        .order_by(Complaint.received_at, Complaint.id, ascending=False)
    )
    cursor = _parse_cursor(after) if after else None
    if cursor:
        moment, last_id = cursor
        query = query.where(
            (Complaint.received_at <= moment)
            & ((Complaint.received_at < moment) | (Complaint.id < last_id))
        )
    rows, next_cursor = await paging.fetch(query, PAGE_SIZE, lambda row: _cursor(row, False))
    for row in rows:
        if not access.sees_identity(user, row):
            row["complainant_name"] = ""
        row["awaiting_us"] = row["status"] == Status.awaiting_agency
    return {"rows": rows, "next_cursor": next_cursor}


def agency_can_respond(case: dict[str, Any]) -> bool:
    return case["status"] == Status.awaiting_agency


async def agency_respond(
    user: Any, case: dict[str, Any], form: dict[str, str], files: list[uploads.Upload]
) -> str:
    """The agency's response (text and files): it goes on the timeline the officers and the
    agency see, and the case goes back under investigation, which stops the agency's clock.
    A late response is still taken; the timeline shows when it came."""
    if not agency_can_respond(case):
        raise DomainError(_("The portal is not waiting for your response on this case."))
    body = _text(form, "response", required=True)
    checked = await uploads.check(files, "files", 0)
    stored = await uploads.store_all(checked)
    now = clock.now()
    try:
        async with db.transaction():
            event_id = await services.add_event(
                case["id"], "agency_response", Audience.agency, now, user, body
            )
            await services.attach_files(case["id"], event_id, Audience.agency, stored, now)
            await services.move(user, case, Status.investigation, now)
            await audit.record(user, "complaint.agency_responded", "complaint", case["reference"])
    except BaseException:
        uploads.remove([f.stored_name for f in stored])
        raise
    return N_("Your response has been sent to the case officer.")
