"""The deadline scan: what is watched, and who hears.

A *watcher* is an async function `(now) -> list[Due]`, registered with `@watcher("name")`.
It reads a stored due-time column with a range query on an indexed column (so the scan's
cost grows with the number of items due, not with the size of the table) and returns one
`Due` per item and threshold crossed, with the user ids who must hear. `scan(now)` runs
every watcher and hands the result to `services.notify`, whose unique alert key (what,
which record, which threshold, who) makes a repeated scan harmless.

Each domain registers its own watchers in its `jobs.py` (imported by portal/scheduler.py,
which assembles every domain's jobs); this module knows no domain's tables. The
complaint-stage watcher (portal/complaints/jobs.py) is the model:

    @watcher("complaint_stages")
    async def complaint_stages(now: datetime) -> list[Due]:
        rules = await deadline_rules.current_rules()
        rows = await Complaint.select(
            Complaint.id, Complaint.reference, Complaint.stage, Complaint.stage_due_at,
            Complaint.assigned_officer, Complaint.agency,
        ).where(Complaint.is_open.eq(True) & (Complaint.stage_due_at <= now + DUE_SOON))
        return await stage_alerts(rows, now, rules.grace, link="/cases/{id}")

(the real one also leaves paused cases alone and links agency staff to their own page).
`stage_alerts` already knows the thresholds (due soon, overdue, escalated after the
stage's grace period) and the people (the assigned officer or every officer; the agency's
own staff for the agency-response stage; supervisors and admins for an escalation).
Self-assessment deadlines follow the licence-expiry pattern: a date column, the
days-ahead thresholds, the agency's staff and the committee as recipients.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from portal.accounts.services import provinces_of
from portal.accounts.tables import User
from portal.core.roles import Role
from portal.notifications.services import Due, Sent, notify

Watcher = Callable[[datetime], Awaitable[list[Due]]]
WATCHERS: dict[str, Watcher] = {}


def watcher(name: str) -> Callable[[Watcher], Watcher]:
    """Register a watcher under `name` (a second registration under a name replaces it)."""

    def register(function: Watcher) -> Watcher:
        WATCHERS[name] = function
        return function

    return register


async def scan(now: datetime) -> list[Sent]:
    """Run every watcher as of `now` and make the alerts that are new; safe to repeat."""
    due: list[Due] = []
    for find in WATCHERS.values():
        due += await find(now)
    return await notify(due, now)


# --- who hears ------------------------------------------------------------------------


async def _active(condition: Any) -> list[dict[str, Any]]:
    return await User.select(User.id, User.role, User.agency).where(
        User.is_active.eq(True) & condition
    )


async def admins() -> list[int]:
    return [row["id"] for row in await _active(User.role == Role.admin)]


async def officers(province: str = "") -> list[int]:
    """The case officers, and the provincial officers of `province` (an unassigned case's
    worker's home province): who hears of a case nobody is assigned to yet."""
    rows = await User.select(User.id, User.role, User.provinces).where(
        User.is_active.eq(True) & User.role.is_in([Role.officer, Role.provincial_officer])
    )
    return [
        row["id"]
        for row in rows
        if row["role"] == Role.officer or province in provinces_of(row["provinces"])
    ]


async def supervisors() -> list[int]:
    """Who hears of an escalation: officers marked supervisor, and admins."""
    rows = await _active(
        ((User.role == Role.officer) & User.is_supervisor.eq(True)) | (User.role == Role.admin)
    )
    return [row["id"] for row in rows]


async def committee_members() -> list[int]:
    return [row["id"] for row in await _active(User.role == Role.committee)]


async def agency_staff(agency_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each agency's own users. Agency staff hear only of their own agency's deadlines:
    the recipients of an item come from its agency id, never from a wider list."""
    ids = sorted(set(agency_ids))
    staff: dict[int, list[int]] = {agency_id: [] for agency_id in ids}
    if ids:
        rows = await _active((User.role == Role.agency) & User.agency.is_in(ids))
        for row in rows:
            staff[row["agency"]].append(row["id"])
    return staff


async def partner_staff(organisation_id: int) -> list[int]:
    """The staff of a partner organisation (they hear of the cases it filed)."""
    rows = await _active((User.role == Role.partner) & (User.organisation == organisation_id))
    return [row["id"] for row in rows]
