"""The officers' dashboard: counts by status, overdue cases by stage, this month's
complaints and compensation, complainants by sex.

Counts come from the running figures (`ComplaintFigure`) kept up to date as complaints
change, so the page never scans the complaints table. "Overdue by stage" is the one
count over complaints: an index range on open, running (not paused) cases already past
their due time, whose cost grows with the overdue cases, not with the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.complaints import services
from portal.complaints.states import Status
from portal.complaints.tables import Complaint, Currency, Sex
from portal.deadlines import Stage


async def overdue_by_stage(now: datetime) -> dict[Stage, int]:
    """One count per stage, each a range of the (is_open, stage, paused_since,
    stage_due_at) index. A paused case waits on the complainant: it is not overdue."""
    return {
        stage: await Complaint.count().where(
            Complaint.is_open.eq(True)
            & (Complaint.stage == stage)
            & Complaint.paused_since.is_null()
            & (Complaint.stage_due_at < now)
        )
        for stage in Stage
    }


async def figures(now: datetime) -> dict[str, Any]:
    month = services.month_key(now)
    keys = (
        [f"status:{s}" for s in Status]
        + [f"received:{month}"]
        + [f"compensation:{month}:{c}" for c in Currency]
        + [f"workers:{s}" for s in Sex]
        + [f"workers:{month}:{s}" for s in Sex]
    )
    counted = await services.figures(keys)
    by_status = {s: counted[f"status:{s}"] for s in Status}
    return {
        "month": now,
        "by_status": by_status,
        "total": sum(by_status.values()),
        "overdue": await overdue_by_stage(now),
        "received_this_month": counted[f"received:{month}"],
        # Kept in cents (or riel hundredths) so sums stay exact.
        "compensation_this_month": {
            c: counted[f"compensation:{month}:{c}"] / 100 for c in Currency
        },
        "workers": {s: counted[f"workers:{s}"] for s in Sex},
        "workers_this_month": {s: counted[f"workers:{month}:{s}"] for s in Sex},
    }
