"""The self-assessment's deadline watchers: submission and review deadlines of a cycle,
and the improvement actions agreed after a rating."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from portal.checklists import states
from portal.checklists.tables import (
    ActionStatus,
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ImprovementAction,
)
from portal.deadlines import PHNOM_PENH
from portal.notifications.services import Due
from portal.notifications.watchers import agency_staff, committee_members, watcher

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
        members = await committee_members()
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
