"""What every part of the complaints domain shares: references and receipt codes, the
case timeline, the running figures, and moving a case from one state to the next (the
only place a complaint's status, deadline stage and due time change)."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime
from typing import Any

from portal import db, uploads
from portal.audit import services as audit
from portal.complaints import news, states
from portal.complaints.states import Status
from portal.complaints.tables import Audience, CaseFile, Complaint, ComplaintFigure
from portal.deadlines import PHNOM_PENH, Stage, due_after_pause, due_at
from portal.errors import DomainError
from portal.i18n import gettext as _
from portal.security import keyed_hash
from portal.settings import get_settings

# Reference letters: no 0/O or 1/I/L, so a reference read over the phone is unambiguous.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_DIGITS = 20


def new_reference(received_at: datetime) -> str:
    """A case reference like C26-7K3M9Q2B: the year, then random letters (not a count,
    so references tell nobody how many complaints there are)."""
    year = received_at.astimezone(PHNOM_PENH).year % 100
    # One draw for all eight letters (secrets.choice reads the system's random source
    # once per letter); written out in base 31, each letter is still equally likely.
    base = len(_REFERENCE_ALPHABET)
    number = secrets.randbelow(base**8)
    tail = "".join(_REFERENCE_ALPHABET[number // base**i % base] for i in range(8))
    return f"C{year:02d}-{tail}"


def receipt_code_from(form_token: str) -> str:
    """The receipt code for the filing that carried `form_token`: 20 digits derived from
    the form's one-time token with the server's key. Deriving (rather than drawing) it
    lets a repeated submission of the same form show the same receipt again, although
    only its keyed hash is stored."""
    digest = keyed_hash(get_settings().secret_key, f"receipt:{form_token}")
    return str(int(digest, 16) % 10**RECEIPT_DIGITS).zfill(RECEIPT_DIGITS)


def format_receipt_code(code: str) -> str:
    """Digits in groups of four, easier to copy down: 1234 5678 ..."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_receipt_code(text: str) -> str:
    """What the complainant typed, without spaces or dashes; digits from a Khmer keyboard
    (០ to ៩) count as the same digits (0 to 9)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def receipt_hash(code: str) -> str:
    """The only form in which a receipt code is stored."""
    return keyed_hash(get_settings().secret_key, f"code:{normalise_receipt_code(code)}")


def name_key(name: str) -> str:
    """A complainant's name as the search compares it (Complaint.name_key): Unicode
    normalised and case-folded, so "élise", "Élise" and "ÉLISE" are the same name."""
    return unicodedata.normalize("NFKC", name).casefold()[:200]


def form_token_hash(token: str) -> str:
    return keyed_hash(get_settings().secret_key, f"form:{token}")


# --- figures --------------------------------------------------------------------------


def month_key(moment: datetime) -> str:
    """The Phnom Penh month of a moment, as figures are kept: 2026-11."""
    return moment.astimezone(PHNOM_PENH).strftime("%Y-%m")


async def bump(changes: dict[str, int]) -> None:
    """Add to running figures (negative to take away), creating missing ones. Call inside
    the transaction that changes the complaints counted."""
    changes = {key: n for key, n in changes.items() if n}
    if not changes:
        return
    await db.insert(
        "complaint_figure",
        ("key", "value"),
        sorted(changes.items()),
        " ON CONFLICT (key) DO UPDATE SET value = complaint_figure.value + excluded.value",
    )


async def figures(keys: list[str]) -> dict[str, int]:
    """The running figures asked for (0 for one never counted)."""
    rows = await ComplaintFigure.select(ComplaintFigure.key, ComplaintFigure.value).where(
        ComplaintFigure.key.is_in(keys)
    )
    found = {row["key"]: row["value"] for row in rows}
    return {key: found.get(key, 0) for key in keys}


# --- the timeline ---------------------------------------------------------------------


_EVENT_COLUMNS = (
    "complaint",
    "at",
    "kind",
    "audience",
    "actor",
    "by_complainant",
    "from_status",
    "to_status",
    "body",
)


async def add_event(
    complaint_id: int,
    kind: str,
    audience: Audience,
    at: datetime,
    actor: Any | None = None,
    body: str = "",
    from_status: str = "",
    to_status: str = "",
    by_complainant: bool = False,
) -> int:
    """Append one line to a case's timeline; returns its id (files attach to it)."""
    rows = await db.insert(
        "case_event",
        _EVENT_COLUMNS,
        [
            (
                complaint_id,
                at,
                kind,
                audience,
                actor.id if actor else None,
                by_complainant,
                from_status,
                to_status,
                body,
            )
        ],
        " RETURNING id",
    )
    await news.arrived(complaint_id, kind, at, actor, by_complainant)
    return rows[0]["id"]


async def attach_files(
    complaint_id: int,
    event_id: int,
    audience: Audience,
    stored: list[uploads.StoredFile],
    now: datetime,
) -> None:
    """List files already written to disk on a case, attached to one timeline entry."""
    if not stored:
        return
    await CaseFile.insert(
        *(
            CaseFile(
                complaint=complaint_id,
                event=event_id,
                audience=audience,
                **f.columns(),
                uploaded_at=now,
            )
            for f in stored
        )
    )


def files_on_timeline(events: list[dict[str, Any]], files: list[dict[str, Any]]) -> list[dict]:
    """Puts each file on its timeline entry (`event["files"]`); returns the files whose
    entry is not among `events` (attached to none, or to one this reader does not see)."""
    by_event: dict[Any, list] = {}
    for f in files:
        by_event.setdefault(f["event"], []).append(f)
    for event in events:
        event["files"] = by_event.pop(event["id"], [])
    return [f for fs in by_event.values() for f in fs]


# --- moving through the workflow ------------------------------------------------------


async def stage_fields(status: Status, now: datetime, resolution_due_at: datetime | None) -> dict:
    """The stored deadline columns for a case entering `status` at `now`."""
    stage = states.stage_of(status)
    if stage is None:
        return {"stage": None, "stage_due_at": None, "is_open": False, "paused_since": None}
    if stage == Stage.RESOLUTION and resolution_due_at is not None:
        due = resolution_due_at  # counted from receipt, not from acknowledgement
    else:
        due = await due_at(stage, now)
    return {"stage": stage, "stage_due_at": due, "is_open": True, "paused_since": None}


async def move(
    actor: Any,
    complaint: dict[str, Any],
    target: Status,
    now: datetime,
    note: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Move a case (a row with id, reference, status, resolution_due_at) to `target`,
    refusing any move the workflow does not allow; records the timeline, audit and
    figures in the caller's transaction. `extra` holds other columns to set with it."""
    current = Status(complaint["status"])
    if not states.can_move(current, target):
        raise DomainError(
            _("A case that is “%(current)s” cannot become “%(target)s”.")
            % {"current": current.label, "target": target.label}
        )
    values = await stage_fields(target, now, complaint.get("resolution_due_at"))
    values |= {"status": target, "updated_at": now, **(extra or {})}
    if target == Status.acknowledged:
        values["acknowledged_at"] = now
    if target == Status.closed:
        values["closed_at"] = now
    if current == Status.closed:
        values["closed_at"] = None
    async with db.transaction():
        changed = (
            await Complaint.update(
                {getattr(Complaint, name): value for name, value in values.items()}
            )
            .where((Complaint.id == complaint["id"]) & (Complaint.status == current))
            .returning(Complaint.id)
        )
        if not changed:  # someone else moved it meanwhile
            raise DomainError(_("This case was changed by someone else. Reload and try again."))
        kind = "reopened" if current == Status.closed else "status_changed"
        await add_event(complaint["id"], kind, Audience.public, now, actor, note, current, target)
        await bump({f"status:{current}": -1, f"status:{target}": 1})
        await audit.record(
            actor, f"complaint.{kind}", "complaint", complaint["reference"], f"{current} → {target}"
        )


# --- waiting on the complainant -------------------------------------------------------


async def pause(complaint_id: int, now: datetime) -> None:
    """Stop the case's clock while it waits for the complainant's answer."""
    await Complaint.update({Complaint.paused_since: now}).where(
        (Complaint.id == complaint_id)
        & Complaint.paused_since.is_null()
        & Complaint.is_open.eq(True)
    )


async def resume(complaint: dict[str, Any], now: datetime) -> None:
    """Start the clock again when the complainant replies: the stage's due time moves on
    by the time waited (working days for a working-day stage)."""
    since = complaint.get("paused_since")
    if since is None or complaint.get("stage") is None:
        return
    stage = Stage(complaint["stage"])
    due = await due_after_pause(stage, complaint["stage_due_at"], since, now)
    values: dict[Any, Any] = {Complaint.paused_since: None, Complaint.stage_due_at: due}
    if complaint.get("resolution_due_at") is not None:
        values[Complaint.resolution_due_at] = await due_after_pause(
            Stage.RESOLUTION, complaint["resolution_due_at"], since, now
        )
    await Complaint.update(values).where(Complaint.id == complaint["id"])
