"""The complaints' deadline watcher: each open case's current stage, due soon, overdue
and escalated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from portal.complaints.tables import Complaint
from portal.deadlines import Stage
from portal.deadlines import services as deadline_rules
from portal.notifications.services import Due
from portal.notifications.watchers import agency_staff, officers, supervisors, watcher

# A stage is "due soon" this long before its due time.
DUE_SOON = timedelta(hours=24)


def stage_thresholds(due_at: datetime, grace: timedelta, now: datetime) -> list[str]:
    """Which thresholds a stage due at `due_at` has crossed by `now`: a late scan tells
    officers only the latest ("overdue", never "due soon" with it); supervisors hear of an escalation."""
    crossed = []
    if now >= due_at:
        crossed.append("overdue")
    elif now >= due_at - DUE_SOON:
        crossed.append("due_soon")
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
    assigned_officer (or None: every officer hears, and the provincial officers of its
    province when the row has one), agency (its staff hear of the
    agency-response stage, and only of their own agency's cases)."""
    if not rows:
        return []
    everywhere = await officers()  # and each province's own, asked for once per province
    local = {p: await officers(p) for p in {row.get("province") or "" for row in rows} if p}
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
                province = row.get("province") or ""
                people = [officer] if officer else local.get(province, everywhere)
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
        Complaint.province,
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
