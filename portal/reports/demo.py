"""Demo history for the statistics page: two years of complaints (eight quarters and
more), added once, and the figures counted."""

from __future__ import annotations

from datetime import timedelta

from portal import clock
from portal.complaints.bulk_demo import bulk_complaints
from portal.complaints.tables import Complaint
from portal.reports.figures import rebuild_all

HISTORY = 800  # enough that most public cells clear the suppression threshold
SEED = 17  # not bulk_complaints' default: `--complaints N` must not make the same references


async def seed_history() -> list[str]:
    """Add the complaints when none is older than a year and a half; then count."""
    report = []
    long_ago = clock.now() - timedelta(days=540)
    if not await Complaint.exists().where(Complaint.received_at < long_ago):
        await bulk_complaints(HISTORY, seed=SEED)
        report.append(f"{HISTORY} complaints over the last two years")
    await rebuild_all()
    report.append("report figures counted")
    return report
