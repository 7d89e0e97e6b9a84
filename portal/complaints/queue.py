"""The officers' queue and search: open cases most urgent first, filters, keyset pages,
and what a row shows of a sensitive case the reader may not open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal import db, paging
from portal.access import record_id
from portal.complaints import access, services
from portal.complaints.jobs import DUE_SOON
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    Complaint,
    Ground,
)
from portal.core.roles import Role

PAGE_SIZE = 50


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
    Complaint.is_priority,
    Complaint.assigned_officer,
    Complaint.workers_count,
    Complaint.agency.name_en.as_alias("agency_name_en"),
    Complaint.agency.name_km.as_alias("agency_name_km"),
)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as the officer chose them (empty = not filtering)."""

    status: str = ""  # "" = every open case
    due: str = ""  # "overdue" or "soon"
    agency: str = ""  # a licence number (a list of every agency would not fit a phone)
    province: str = ""
    ground: str = ""
    mine: bool = False
    sensitive: bool = False
    after: str = ""  # the keyset cursor of the previous page's last row

    @classmethod
    def from_query(cls, params: dict[str, str]) -> QueueFilters:
        status = params.get("status", "")
        return cls(
            status=status if status in Status.__members__ else "",
            due=params.get("due", "") if params.get("due") in ("overdue", "soon") else "",
            agency=params.get("agency", "").strip(),
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


def cursor_of(row: dict[str, Any], by_due_time: bool) -> str:
    moment = row["stage_due_at"] if by_due_time else row["received_at"]
    return paging.moment_cursor(moment, row["id"])


async def queue(user: Any, filters: QueueFilters, now: datetime) -> dict[str, Any]:
    """One page of the queue, and the cursor of the next page (None on the last).
    Keyset pagination on (stage_due_at, id) or (received_at, id): every page costs the
    same, however deep, and each filter has an index that serves its order."""
    query = access.within_provinces(Complaint.select(*_QUEUE_COLUMNS), user)
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
        query = query.where(Complaint.agency.licence_number == filters.agency)
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
    cursor = paging.parse_moment_cursor(filters.after) if filters.after else None
    query = paging.ordered_after(query, order, Complaint.id, cursor, ascending=filters.by_due_time)
    rows, next_cursor = await paging.fetch(
        query, PAGE_SIZE, lambda row: cursor_of(row, filters.by_due_time)
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
    query = access.within_provinces(Complaint.select(*_QUEUE_COLUMNS), user)
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
