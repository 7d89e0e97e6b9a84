"""`portal demo-data` gives the statistics page eight quarters to show, once."""

from __future__ import annotations

from portal.complaints.tables import Complaint
from portal.reports import demo, periods
from portal.reports.report import load


async def test_demo_history_fills_eight_quarters_once(make_agency, make_user):
    for _ in range(3):
        await make_agency()
    await make_user("officer")
    await demo.seed_history()
    await demo.seed_history()  # safe to repeat: nothing added twice
    assert await Complaint.count() == demo.HISTORY
    quarter = periods.last_complete_quarter()
    for _ in range(8):
        assert (await load(quarter)).sums["received", ""] > 20, quarter.key
        quarter = quarter.previous()
