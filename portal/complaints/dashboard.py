"""The officers' dashboard: counts by status, overdue cases by stage, this month's
complaints and compensation, complainants by sex.

Counts come from the running figures (`ComplaintFigure`) kept up to date as complaints
change, so the page never scans the complaints table. "Overdue by stage" is the one
count over complaints: an index range on open, running (not paused) cases already past
their due time, whose cost grows with the overdue cases, not with the table.

A provincial officer's dashboard counts their provinces' complaints instead (the running
figures are kept for the whole country only): a few grouped counts over those cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from portal.complaints import access, services
from portal.complaints.states import Status
from portal.complaints.tables import CaseEvent, Complaint, ComplaintWorker, Currency, Sex
from portal.deadlines import PHNOM_PENH, Stage


async def overdue_by_stage(now: datetime, user: Any = None) -> dict[Stage, int]:
    """One count per stage, each a range of the (is_open, stage, paused_since,
    stage_due_at) index. A paused case waits on the complainant: it is not overdue."""
    return {
        stage: await access.within_provinces(Complaint.count(), user).where(
            Complaint.is_open.eq(True)
            & (Complaint.stage == stage)
            & Complaint.paused_since.is_null()
            & (Complaint.stage_due_at < now)
        )
        for stage in Stage
    }


async def figures(now: datetime, user: Any = None) -> dict[str, Any]:
    """The dashboard's numbers, for every complaint or the user's provinces'."""
    if access.provinces_of(user) is not None:
        return await _provincial_figures(now, user)
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


async def _provincial_figures(now: datetime, user: Any) -> dict[str, Any]:
    """The same numbers, counted over the complaints of the user's provinces."""
    local = now.astimezone(PHNOM_PENH)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def scoped(query: Any) -> Any:
        return access.within_provinces(query, user)

    by_status = {s: 0 for s in Status}
    for row in await scoped(Complaint.select(Complaint.status, Count())).group_by(Complaint.status):
        by_status[Status(row["status"])] = row["count"]
    decided_this_month = CaseEvent.select(CaseEvent.complaint).where(
        (CaseEvent.kind == "outcome") & (CaseEvent.at >= month_start)
    )
    compensation = {c: 0.0 for c in Currency}
    for row in (
        await scoped(Complaint.select(Complaint.compensation_currency, Sum(Complaint.compensation)))
        .where(Complaint.id.is_in(decided_this_month))
        .group_by(Complaint.compensation_currency)
    ):
        if row["compensation_currency"] in compensation:
            compensation[row["compensation_currency"]] = float(row["sum"] or 0)
    workers = {s: 0 for s in Sex}
    this_month = {s: 0 for s in Sex}
    for row in await _workers(user).group_by(ComplaintWorker.sex):
        workers[Sex(row["sex"])] = row["count"]
    for row in (
        await _workers(user)
        .where(ComplaintWorker.complaint.received_at >= month_start)
        .group_by(ComplaintWorker.sex)
    ):
        this_month[Sex(row["sex"])] = row["count"]
    return {
        "month": now,
        "by_status": by_status,
        "total": sum(by_status.values()),
        "overdue": await overdue_by_stage(now, user),
        "received_this_month": await scoped(Complaint.count()).where(
            Complaint.received_at >= month_start
        ),
        "compensation_this_month": compensation,
        "workers": workers,
        "workers_this_month": this_month,
    }


def _workers(user: Any) -> Any:
    """The workers of the user's provinces' complaints, counted by sex."""
    provinces = access.provinces_of(user) or ()
    return ComplaintWorker.select(ComplaintWorker.sex, Count()).where(
        ComplaintWorker.complaint.province.is_in(list(provinces) or ["-"])
    )
