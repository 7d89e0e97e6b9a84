"""The deadline scan: what is watched, and who hears.

A *watcher* is an async function `(now) -> list[Due]`, registered with `@watcher("name")`.
It reads a stored due-time column with a range query on an indexed column (so the scan's
cost grows with the number of items due, not with the size of the table) and returns one
`Due` per item and threshold crossed, with the user ids who must hear. `scan(now)` runs
every watcher and hands the result to `services.notify`, whose unique alert key (what,
which record, which threshold, who) makes a repeated scan harmless.

The complaint-stage watcher (`complaint_stages`, at the end of this file) is the model:

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

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from portal.accounts.tables import Role, User
from portal.agencies.tables import Agency, LicenceStatus
from portal.checklists import states
from portal.checklists.tables import (
    ActionStatus,
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ImprovementAction,
)
from portal.complaints.tables import Complaint
from portal.deadlines import PHNOM_PENH, Stage
from portal.deadlines import services as deadline_rules
from portal.notifications.services import Due, Sent, notify

Watcher = Callable[[datetime], Awaitable[list[Due]]]
WATCHERS: dict[str, Watcher] = {}

# A stage is "due soon" this long before its due time.
DUE_SOON = timedelta(hours=24)
# Licence expiry: warn this many days ahead, the nearest threshold crossed only.
LICENCE_THRESHOLDS = (60, 30)


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


async def officers() -> list[int]:
    return [row["id"] for row in await _active(User.role == Role.officer)]


async def supervisors() -> list[int]:
    """Who hears of an escalation: officers marked supervisor, and admins."""
    rows = await _active(
        ((User.role == Role.officer) & User.is_supervisor.eq(True)) | (User.role == Role.admin)
    )
    return [row["id"] for row in rows]


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


# --- licence expiry -------------------------------------------------------------------


@watcher("licence_expiry")
async def licence_expiry(now: datetime) -> list[Due]:
    """Active licences that expire within 60 days: admins and the agency's staff hear at
    60 and at 30 days ahead."""
    today = now.astimezone(PHNOM_PENH).date()
    rows = await Agency.select(
        Agency.id,
        Agency.name_en,
        Agency.name_km,
        Agency.licence_number,
        Agency.licence_expires_on,
    ).where(
        (Agency.licence_expires_on >= today)
        & (Agency.licence_expires_on <= today + timedelta(days=max(LICENCE_THRESHOLDS)))
        & (Agency.licence_status == LicenceStatus.active)
    )
    if not rows:
        return []
    admin_ids = await admins()
    staff = await agency_staff(row["id"] for row in rows)
    found = []
    for row in rows:
        days_left = (row["licence_expires_on"] - today).days
        threshold = min(t for t in LICENCE_THRESHOLDS if days_left <= t)
        found.append(
            Due(
                kind="licence_expiry",
                record_type="agency",
                record_id=row["id"],
                threshold=f"{threshold}d",
                due_at=datetime.combine(row["licence_expires_on"], time(0), PHNOM_PENH),
                recipients=(*admin_ids, *staff[row["id"]]),
                params={
                    "agency_en": row["name_en"],
                    "agency_km": row["name_km"],
                    "licence": row["licence_number"],
                    "days": days_left,
                },
                link=f"/agencies/{row['id']}",
            )
        )
    return found


# --- self-assessment deadlines ---------------------------------------------------------

# Days ahead of a cycle's deadline at which people hear; 0 = the deadline has passed.
ASSESSMENT_THRESHOLDS = (14, 3, 0)
# An overdue submission is reported for this long after the deadline, then left alone.
OVERDUE_WINDOW = timedelta(days=7)


def _end_of(day: date) -> datetime:
    """A deadline given as a day ends with that day, Phnom Penh time."""
    return datetime.combine(day, time(23, 59), PHNOM_PENH)


def _threshold(days_left: int) -> str:
    if days_left < 0:
        return "overdue"
    return f"{min(t for t in ASSESSMENT_THRESHOLDS if days_left <= t)}d"


async def _cycles_due(column: Any, today: date) -> list[dict[str, Any]]:
    return await AssessmentCycle.select(
        AssessmentCycle.id,
        AssessmentCycle.title_en,
        AssessmentCycle.title_km,
        column.as_alias("due"),
    ).where(
        (column >= today - OVERDUE_WINDOW)
        & (column <= today + timedelta(days=max(ASSESSMENT_THRESHOLDS)))
        & (AssessmentCycle.opens_on <= today)
    )


@watcher("assessment_deadlines")
async def assessment_deadlines(now: datetime) -> list[Due]:
    """Agencies that have not submitted hear as their cycle's submission deadline nears
    (14 and 3 days ahead) and once it has passed; committee members hear as the review
    deadline nears while submissions wait for review."""
    today = now.astimezone(PHNOM_PENH).date()
    found = []
    for cycle in await _cycles_due(AssessmentCycle.submission_deadline, today):
        waiting = await Assessment.select(Assessment.id, Assessment.agency).where(
            (Assessment.cycle == cycle["id"]) & Assessment.status.is_in(list(states.EDITABLE))
        )
        staff = await agency_staff(row["agency"] for row in waiting)
        days_left = (cycle["due"] - today).days
        for row in waiting:
            found.append(
                Due(
                    kind="submission_overdue" if days_left < 0 else "submission_due",
                    record_type="assessment",
                    record_id=row["id"],
                    threshold=_threshold(days_left),
                    due_at=_end_of(cycle["due"]),
                    recipients=tuple(staff[row["agency"]]),
                    params={"cycle_en": cycle["title_en"], "cycle_km": cycle["title_km"]},
                    link=f"/assessments/{row['id']}",
                )
            )
    for cycle in await _cycles_due(AssessmentCycle.review_deadline, today):
        to_review = await Assessment.count().where(
            (Assessment.cycle == cycle["id"]) & (Assessment.status == AssessmentStatus.submitted)
        )
        days_left = (cycle["due"] - today).days
        if not to_review or days_left < 0:
            continue
        members = [row["id"] for row in await _active(User.role == Role.committee)]
        found.append(
            Due(
                kind="review_due",
                record_type="cycle",
                record_id=cycle["id"],
                threshold=_threshold(days_left),
                due_at=_end_of(cycle["due"]),
                recipients=tuple(members),
                params={
                    "cycle_en": cycle["title_en"],
                    "cycle_km": cycle["title_km"],
                    "count": to_review,
                },
                link=f"/cycles/{cycle['id']}",
            )
        )
    return found


# --- improvement actions --------------------------------------------------------------


@watcher("improvement_actions")
async def improvement_actions(now: datetime) -> list[Due]:
    """Improvement actions still to do: the agency's staff hear 14 and 3 days ahead, on
    the day, and once overdue."""
    today = now.astimezone(PHNOM_PENH).date()
    rows = await ImprovementAction.select(
        ImprovementAction.id,
        ImprovementAction.due_on,
        ImprovementAction.action_en,
        ImprovementAction.action_km,
        ImprovementAction.rating.agency.as_alias("agency"),
        ImprovementAction.rating.assessment.as_alias("assessment"),
        ImprovementAction.rating._.cycle._.title_en.as_alias("cycle_en"),
        ImprovementAction.rating._.cycle._.title_km.as_alias("cycle_km"),
    ).where(
        (ImprovementAction.due_on >= today - OVERDUE_WINDOW)
        & (ImprovementAction.due_on <= today + timedelta(days=max(ASSESSMENT_THRESHOLDS)))
        & ImprovementAction.status.is_in([ActionStatus.open, ActionStatus.reopened])
    )
    staff = await agency_staff(row["agency"] for row in rows)
    found = []
    for row in rows:
        days_left = (row["due_on"] - today).days
        found.append(
            Due(
                kind="improvement_overdue" if days_left < 0 else "improvement_due",
                record_type="improvement_action",
                record_id=row["id"],
                threshold=_threshold(days_left),
                due_at=_end_of(row["due_on"]),
                recipients=tuple(staff[row["agency"]]),
                params={
                    "cycle_en": row["cycle_en"],
                    "cycle_km": row["cycle_km"],
                    "action_en": row["action_en"][:200],
                    "action_km": row["action_km"][:200],
                },
                link=f"/assessments/{row['assessment']}/feedback#action-{row['id']}",
            )
        )
    return found


# --- complaint stages (wired in by the complaints domain) ------------------------------


def stage_thresholds(due_at: datetime, grace: timedelta, now: datetime) -> list[str]:
    """Which thresholds a stage due at `due_at` has crossed by `now`."""
    crossed = []
    if now >= due_at - DUE_SOON:
        crossed.append("due_soon")
    if now >= due_at:
        crossed.append("overdue")
    if now >= due_at + grace:
        crossed.append("escalated")
    return crossed


_STAGE_KINDS = {
    "due_soon": "stage_due_soon",
    "overdue": "stage_overdue",
    "escalated": "stage_escalated",
}


async def stage_alerts(
    rows: list[dict[str, Any]],
    now: datetime,
    grace: Mapping[Stage, timedelta],
    record_type: str = "complaint",
    link: str = "/alerts",
) -> list[Due]:
    """Alerts for open complaint stages. Each row has: id, reference, stage, stage_due_at,
    assigned_officer (or None: every officer hears), agency (its staff hear of the
    agency-response stage, and only of their own agency's cases)."""
    if not rows:
        return []
    all_officers = await officers()
    bosses = await supervisors()
    staff = await agency_staff(row["agency"] for row in rows if row.get("agency"))
    found = []
    for row in rows:
        stage = Stage(row["stage"])
        due_at = row["stage_due_at"]
        for threshold in stage_thresholds(due_at, grace[stage], now):
            if threshold == "escalated":
                people: list[int] = bosses
            else:
                officer = row.get("assigned_officer")
                people = [officer] if officer else all_officers
                if stage == Stage.AGENCY_RESPONSE and row.get("agency"):
                    people = [*people, *staff[row["agency"]]]
            found.append(
                Due(
                    kind=_STAGE_KINDS[threshold],
                    record_type=record_type,
                    record_id=row["id"],
                    # The stage is part of the threshold: each stage of a case is watched anew.
                    threshold=f"{stage}.{threshold}",
                    due_at=due_at,
                    recipients=tuple(people),
                    params={"stage": stage.value, "reference": row["reference"]},
                    link=link.format(id=row["id"]),
                )
            )
    return found


@watcher("complaint_stages")
async def complaint_stages(now: datetime) -> list[Due]:
    """Open complaints whose current stage is due within a day or overdue: the assigned
    officer (every officer when unassigned) hears, the agency's staff for their response
    stage, supervisors after the stage's grace period. A case waiting on the complainant
    (its clock paused) is left alone until they reply."""
    rules = await deadline_rules.current_rules()
    rows = await Complaint.select(
        Complaint.id,
        Complaint.reference,
        Complaint.stage,
        Complaint.stage_due_at,
        Complaint.assigned_officer,
        Complaint.agency,
    ).where(
        Complaint.is_open.eq(True)
        & (Complaint.stage_due_at <= now + DUE_SOON)
        & Complaint.paused_since.is_null()
    )
    found = await stage_alerts(rows, now, rules.grace, link="/cases/{id}")
    # Agency staff cannot open /cases: their alert links to their own complaints page.
    staff = await agency_staff(row["agency"] for row in rows if row["agency"])
    agency_of = {row["id"]: row["agency"] for row in rows}
    result = []
    for item in found:
        theirs = set(staff.get(agency_of[item.record_id], [])) & set(item.recipients)
        if not theirs:
            result.append(item)
            continue
        result.append(replace(item, recipients=tuple(set(item.recipients) - theirs)))
        result.append(
            replace(
                item,
                recipients=tuple(sorted(theirs)),
                link=f"/agency/complaints/{item.record_id}",
            )
        )
    return result
