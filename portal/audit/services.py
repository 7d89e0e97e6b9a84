"""Writing and reading the audit log: its pages, filtered by action, person, record and
date, and the same entries as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from portal import clock, db, i18n, paging
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.audit.actions import readable_summary
from portal.audit.links import add_links
from portal.audit.tables import AuditEvent
from portal.deadlines import PHNOM_PENH
from portal.security import spreadsheet_cell

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # entries in one CSV: narrow the filters for more


async def record(
    actor: Any | None, action: str, object_type: str = "", object_id: Any = "", summary: str = ""
) -> None:
    """Append one event. `actor` is the User who acted, or None for the system."""
    await db.insert(
        "audit_event",
        ("at", "actor", "actor_email", "action", "object_type", "object_id", "summary"),
        [
            (
                clock.now(),
                actor.id if actor else None,
                actor.email if actor else "",
                action,
                object_type,
                str(object_id),
                summary,
            )
        ],
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilters:
    """What the admin narrows the log to (empty = everything)."""

    action: str = ""
    person: str = ""  # who acted: their e-mail address, or part of it
    record: str = ""  # a case reference, an account's e-mail, an agency's licence number
    since: date | None = None  # Phnom Penh days, both included
    until: date | None = None

    @classmethod
    def from_query(cls, params: dict[str, str]) -> AuditFilters:
        return cls(
            action=params.get("action", "").strip()[:50],
            person=params.get("person", "").strip()[:254],
            record=params.get("record", "").strip()[:254],
            since=_day(params.get("since", "")),
            until=_day(params.get("until", "")),
        )

    def query_values(self) -> dict[str, str]:
        """The filters as the form and the links to more pages carry them."""
        values = {
            "action": self.action,
            "person": self.person,
            "record": self.record,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in values.items() if v}


async def _records(text: str) -> Any:
    """Entries about the record `text` names: a complaint by its reference, an account by
    its e-mail, an agency by its licence number, or anything by its stored id."""
    condition: Any = AuditEvent.object_id == text
    condition |= (AuditEvent.object_type == "complaint") & (AuditEvent.object_id == text.upper())
    for table, column, kind in (
        (User, User.email, "user"),
        (Agency, Agency.licence_number, "agency"),
    ):
        key = text.lower() if table is User else text
        found = await table.select(table.id).where(column == key).first()
        if found:
            condition |= (AuditEvent.object_type == kind) & (
                AuditEvent.object_id == str(found["id"])
            )
    return condition


async def _filtered(filters: AuditFilters) -> Any:
    query = AuditEvent.select()
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.person:
        query = query.where(db.icontains(AuditEvent.actor_email, filters.person))
    if filters.record:
        query = query.where(await _records(filters.record))
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), PHNOM_PENH))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), PHNOM_PENH)
        query = query.where(AuditEvent.at < end)
    return query


async def page(
    before_id: int | None = None, action: str = "", filters: AuditFilters | None = None
) -> paging.Page:
    """Newest first, PAGE_SIZE at a time; `before_id` continues from the previous page."""
    query = await _filtered(filters or AuditFilters(action=action))
    found = await paging.newest_first(query, AuditEvent.id, before_id, PAGE_SIZE)
    await add_links(found.rows)
    return found


async def export_csv(actor: Any, filters: AuditFilters, label_of: Any) -> bytes:
    """The entries the filters select, newest first, as CSV (UTF-8 with a BOM so Excel
    reads Khmer; cells never run as formulas); the download is itself audited."""
    query = await _filtered(filters)
    rows = await query.order_by(AuditEvent.id, ascending=False).limit(EXPORT_LIMIT)
    await add_links(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["when", "who", "action", "what happened", "record type", "record", "details"])
    for row in rows:
        cells = [
            i18n.local_time(row["at"]).strftime("%Y-%m-%d %H:%M:%S"),
            row["actor_email"],
            row["action"],
            label_of(row["action"]),
            row["object_type"],
            row["record"],
            readable_summary(row["action"], row["summary"]),  # as the page shows it
        ]
        writer.writerow([spreadsheet_cell(cell) for cell in cells])
    summary = ", ".join(f"{k}={v}" for k, v in filters.query_values().items()) or "everything"
    await record(actor, "audit.exported", "", "", f"{len(rows)} entries; {summary}")
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
