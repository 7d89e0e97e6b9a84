"""Complaint-stage alerts through a registered watcher: who hears, and when escalation
reaches supervisors. The complaints domain will register the real watcher; here a
watcher over in-memory rows shaped like its due-time columns stands in for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.complaints import jobs as complaint_jobs
from portal.deadlines import Stage, Unit
from portal.deadlines.services import current_rules, save_policies
from portal.notifications import watchers
from portal.notifications.tables import Alert
from portal.scheduler import scan

DUE = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def cases(monkeypatch):
    """Register a complaint-stage watcher over a list of rows the test fills."""
    rows: list[dict] = []

    async def complaint_stages(now):
        rules = await current_rules()
        due = [row for row in rows if row["stage_due_at"] <= now + complaint_jobs.DUE_SOON]
        return await complaint_jobs.stage_alerts(due, now, rules.grace, link="/cases/{id}")

    monkeypatch.setitem(watchers.WATCHERS, "complaint_stages", complaint_stages)
    return rows


async def _heard(kind: str) -> set[int]:
    return {r["recipient"] for r in await Alert.select(Alert.recipient).where(Alert.kind == kind)}


@pytest.fixture
async def people(make_user, make_agency):
    agency, other_agency = await make_agency(), await make_agency()
    return {
        "agency": agency,
        "assigned": await make_user("officer"),
        "officer": await make_user("officer"),
        "supervisor": await make_user("officer", is_supervisor=True),
        "admin": await make_user("admin"),
        "staff": await make_user("agency", agency=agency.id),
        "other_staff": await make_user("agency", agency=other_agency.id),
    }


async def test_an_overdue_stage_escalates_to_supervisors_only_after_the_grace_period(cases, people):
    p = people
    cases.append(
        {
            "id": 7,
            "reference": "C-2026-0007",
            "stage": Stage.AGENCY_RESPONSE.value,
            "stage_due_at": DUE,
            "assigned_officer": p["assigned"].id,
            "agency": p["agency"].id,
        }
    )
    assert await scan(DUE - timedelta(hours=25)) == []

    await scan(DUE - timedelta(hours=23))
    # The assigned officer and the agency's own staff, nobody else.
    assert await _heard("stage_due_soon") == {p["assigned"].id, p["staff"].id}

    await scan(DUE + timedelta(minutes=1))
    assert await _heard("stage_overdue") == {p["assigned"].id, p["staff"].id}
    assert await _heard("stage_escalated") == set()

    # Default grace: 24 hours. A minute before, still nobody above the officer hears.
    await scan(DUE + timedelta(hours=23, minutes=59))
    assert await _heard("stage_escalated") == set()
    await scan(DUE + timedelta(hours=24))
    assert await _heard("stage_escalated") == {p["supervisor"].id, p["admin"].id}

    # Scanning on changes nothing: one alert per threshold and person.
    before = await Alert.count()
    await scan(DUE + timedelta(days=3))
    assert await Alert.count() == before
    # The other agency's staff never heard a thing about this case.
    heard = {r["recipient"] for r in await Alert.select(Alert.recipient)}
    assert p["other_staff"].id not in heard and p["officer"].id not in heard


async def test_the_grace_period_is_the_admins_setting(cases, people):
    p = people
    await save_policies(
        None,
        [(stage, 5, Unit.WORKING_DAYS, 72 if stage == Stage.RESOLUTION else 24) for stage in Stage],
    )
    cases.append(
        {
            "id": 8,
            "reference": "C-2026-0008",
            "stage": Stage.RESOLUTION.value,
            "stage_due_at": DUE,
            "assigned_officer": None,
            "agency": p["agency"].id,
        }
    )
    await scan(DUE + timedelta(hours=71))
    assert await _heard("stage_escalated") == set()
    # An unassigned case: every officer hears it is overdue; agency staff do not (not their stage).
    assert await _heard("stage_overdue") == {p["assigned"].id, p["officer"].id, p["supervisor"].id}
    await scan(DUE + timedelta(hours=72))
    assert await _heard("stage_escalated") == {p["supervisor"].id, p["admin"].id}


def test_thresholds_are_crossed_in_order():
    grace = timedelta(hours=24)
    assert complaint_jobs.stage_thresholds(DUE, grace, DUE - timedelta(days=2)) == []
    assert complaint_jobs.stage_thresholds(DUE, grace, DUE - timedelta(hours=1)) == ["due_soon"]
    assert complaint_jobs.stage_thresholds(DUE, grace, DUE) == ["overdue"]
    assert complaint_jobs.stage_thresholds(DUE, grace, DUE + grace) == ["overdue", "escalated"]


async def test_a_catch_up_scan_of_an_overdue_stage_sends_only_the_overdue_alert(cases, people):
    p = people
    cases.append(
        {
            "id": 8,
            "reference": "C-2026-0008",
            "stage": Stage.AGENCY_RESPONSE.value,
            "stage_due_at": DUE,
            "assigned_officer": p["assigned"].id,
            "agency": p["agency"].id,
        }
    )
    await scan(DUE + timedelta(hours=2))  # the scheduler was down while it was "due soon"
    assert await _heard("stage_overdue") == {p["assigned"].id, p["staff"].id}
    assert await _heard("stage_due_soon") == set()
