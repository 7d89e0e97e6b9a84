"""The officers' queue: open cases most urgent first, its filters (written in one place,
`where()`, which the search uses too), keyset pages, and what a row shows: a sensitive
case the reader may not open keeps only its reference, and a case with something new
since its officer last opened it says so."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal import paging
from portal.access import record_id
from portal.accounts.tables import User
from portal.complaints import access, news
from portal.complaints.jobs import DUE_SOON
from portal.complaints.states import OPEN, Status
from portal.complaints.tables import Channel, Complaint, Ground
from portal.core.roles import CASE_HANDLERS, Role
from portal.deadlines import PHNOM_PENH

PAGE_SIZE = 50
_CHANNELS = frozenset(channel.value for channel in Channel)

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
    Complaint.news_at,
    Complaint.officer_seen_at,
    Complaint.agency.name_en.as_alias("agency_name_en"),
    Complaint.agency.name_km.as_alias("agency_name_km"),
)
# The same columns, for the search's written-out SQL (search.py).
COLUMNS_SQL = ", ".join(
    [f"complaint.{c._meta.db_column_name}" for c in _QUEUE_COLUMNS[:-2]]
    + ["agency.name_en AS agency_name_en", "agency.name_km AS agency_name_km"]
)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters as the officer chose them (empty = not filtering)."""

    status: str = ""  # "" = every open case (in a search: every case)
    due: str = ""  # "overdue" or "soon"
    agency: str = ""  # a licence number (a list of every agency would not fit a phone)
    province: str = ""
    ground: str = ""
    channel: str = ""
    officer: int | None = None  # assigned to this officer
    received_from: date | None = None  # Phnom Penh days, both included
    received_to: date | None = None
    mine: bool = False
    unassigned: bool = False
    news: bool = False  # assigned to me, with something new since I last opened it
    sensitive: bool = False
    after: str = ""  # the keyset cursor of the previous page's last row

    @classmethod
    def from_query(cls, params: dict[str, str]) -> QueueFilters:
        """The filters from a query string or a form; a value that is none of the choices
        is left out, as if not chosen."""
        status = params.get("status", "")
        return cls(
            status=status if status in Status.__members__ else "",
            due=params.get("due", "") if params.get("due") in ("overdue", "soon") else "",
            agency=params.get("agency", "").strip(),
            province=params.get("province", "").strip(),
            ground=params.get("ground", "") if params.get("ground") in Ground.__members__ else "",
            channel=params.get("channel", "") if params.get("channel") in _CHANNELS else "",
            officer=record_id(params.get("officer", "")),
            received_from=_day(params.get("received_from", "")),
            received_to=_day(params.get("received_to", "")),
            mine=params.get("mine") == "1",
            unassigned=params.get("unassigned") == "1",
            news=params.get("news") == "1",
            sensitive=params.get("sensitive") == "1",
            after=params.get("after", ""),
        )

    @property
    def by_due_time(self) -> bool:
        """Open cases sort most urgent first; decided and closed ones, and cases picked by
        the date received, newest first (an index serves that range in that order)."""
        if self.received_from or self.received_to:
            return False
        return self.status == "" or Status(self.status) in OPEN


# The filters' names in a query string or form (the search's form carries them along).
FILTER_NAMES = tuple(f.name for f in fields(QueueFilters) if f.name != "after")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), PHNOM_PENH)


Clause = tuple[str, list[Any]]  # SQL with a {} for each value, and the values


def where(user: Any, filters: QueueFilters, now: datetime, searching: bool = False) -> list[Clause]:
    """The one place the queue's and the search's conditions are written: each filter
    chosen, as SQL on `complaint` (AND-ed). A search looks through closed cases too."""
    f = filters
    clauses: list[Clause] = []
    provinces = access.provinces_of(user)
    if provinces is not None:  # a provincial officer: the cases of their provinces only
        marks = ", ".join("{}" for _ in provinces) or "NULL"  # none given: nothing
        clauses.append((f"complaint.province IN ({marks})", list(provinces)))
    if f.status:
        clauses.append(("complaint.status = {}", [f.status]))
    elif not searching:
        clauses.append(("complaint.is_open = {}", [True]))
    # A paused case waits on the complainant: its clock is stopped, so it is neither.
    if f.by_due_time and f.due == "overdue":
        clauses.append(("complaint.paused_since IS NULL AND complaint.stage_due_at < {}", [now]))
    elif f.by_due_time and f.due == "soon":
        clauses.append(
            (
                "complaint.paused_since IS NULL AND complaint.stage_due_at >= {} "
                "AND complaint.stage_due_at < {}",
                [now, now + DUE_SOON],
            )
        )
    if f.agency:
        clauses.append(
            ("complaint.agency = (SELECT id FROM agency WHERE licence_number = {})", [f.agency])
        )
    if f.province:
        clauses.append(("complaint.province = {}", [f.province]))
    if f.ground:
        clauses.append(
            (
                "EXISTS (SELECT 1 FROM complaint_ground g "
                "WHERE g.complaint = complaint.id AND g.ground = {})",
                [f.ground],
            )
        )
    if f.channel:
        clauses.append(("complaint.channel = {}", [f.channel]))
    if f.received_from:
        clauses.append(("complaint.received_at >= {}", [_start_of(f.received_from)]))
    if f.received_to:
        clauses.append(
            ("complaint.received_at < {}", [_start_of(f.received_to + timedelta(days=1))])
        )
    if f.mine or f.news:
        clauses.append(("complaint.assigned_officer = {}", [user.id]))
    elif f.officer:
        clauses.append(("complaint.assigned_officer = {}", [f.officer]))
    elif f.unassigned:
        clauses.append(("complaint.assigned_officer IS NULL", []))
    if f.news:
        clauses.append((news.UNSEEN, []))
    if f.sensitive:
        clauses.append(("complaint.is_sensitive = {}", [True]))
    return clauses


def cursor_of(row: dict[str, Any], by_due_time: bool) -> str:
    moment = row["stage_due_at"] if by_due_time else row["received_at"]
    return paging.moment_cursor(moment, row["id"])


async def queue(user: Any, filters: QueueFilters, now: datetime) -> dict[str, Any]:
    """One page of the queue, and the cursor of the next page (None on the last).
    Keyset pagination on (stage_due_at, id) or (received_at, id): every page costs the
    same, however deep, and each filter has an index that serves its order."""
    query = Complaint.select(*_QUEUE_COLUMNS)
    for sql, values in where(user, filters, now):
        query = query.where(WhereRaw(sql, *values))
    order = Complaint.stage_due_at if filters.by_due_time else Complaint.received_at
    cursor = paging.parse_moment_cursor(filters.after) if filters.after else None
    query = paging.ordered_after(query, order, Complaint.id, cursor, ascending=filters.by_due_time)
    rows, next_cursor = await paging.fetch(
        query, PAGE_SIZE, lambda row: cursor_of(row, filters.by_due_time)
    )
    for row in rows:
        mark_row(user, row, now)
    return {"rows": rows, "next_cursor": next_cursor}


async def officers() -> list[tuple[str, str]]:
    """(id, name) of the officers a case can be assigned to, for the officer filter."""
    rows = (
        await User.select(User.id, User.full_name)
        .where(User.role.is_in(list(CASE_HANDLERS)) & User.is_active.eq(True))
        .order_by(User.full_name)
    )
    return [(str(row["id"]), row["full_name"]) for row in rows]


def findable(user: Any) -> Clause:
    """SQL (and its values) for the cases this user may find by their words, names or
    phone: an admin every case, an officer every case but the sensitive ones not
    assigned to them (finding one would tell who complained of what)."""
    if user.role == Role.admin:
        return "TRUE", []
    return "(complaint.is_sensitive = {} OR complaint.assigned_officer = {})", [False, user.id]


def mark_row(user: Any, row: dict[str, Any], now: datetime) -> None:
    """What the queue shows of a row: a sensitive case the reader may not open keeps only
    its reference, status and due time."""
    row["masked"] = not access.sees_sensitive_details(user, row)
    if row["masked"]:
        for name in ("complainant_name", "province", "broker_name", "agency_name_en"):
            row[name] = ""
        row["agency_name_km"] = ""
    row["overdue"] = is_overdue(row, now)
    row["due_soon"] = _clock_running(row) and now <= row["stage_due_at"] < now + DUE_SOON
    row["news"] = news.is_unseen(row)


def _clock_running(case: dict[str, Any]) -> bool:
    """Open, with a due time, and not paused waiting on the complainant."""
    return bool(case["stage_due_at"] and case["status"] in OPEN and case["paused_since"] is None)


def is_overdue(case: dict[str, Any], now: datetime) -> bool:
    return _clock_running(case) and case["stage_due_at"] < now
