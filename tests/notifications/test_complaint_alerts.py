"""The complaint-stage watcher over real complaints: the assigned officer (or every officer
when nobody is assigned) hears of due-soon and overdue stages, supervisors hear of the
escalation after the grace period, agency staff hear only of their own agency's cases
waiting for their response; paused and finished cases stay quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.complaints.tables import Complaint
from portal.notifications.tables import Alert
from portal.scheduler import scan
from tests.complaints import conftest as complaint_fixtures

make_complaint = complaint_fixtures.make_complaint  # the complaint factory, here too

DUE = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)


async def _heard(kind: str) -> dict[int, str]:
    rows = await Alert.select(Alert.recipient, Alert.link).where(Alert.kind == kind)
    return {row["recipient"]: row["link"] for row in rows}


@pytest.fixture
async def people(make_user, make_agency):
    agency, other_agency = await make_agency(), await make_agency()
    return {
        "agency": agency,
        "other_agency": other_agency,
        "assigned": await make_user("officer"),
        "officer": await make_user("officer"),
        "supervisor": await make_user("officer", is_supervisor=True),
        "admin": await make_user("admin"),
        "staff": await make_user("agency", agency=agency.id),
        "other_staff": await make_user("agency", agency=other_agency.id),
    }


async def _due(complaint, when: datetime = DUE) -> None:
    await Complaint.update({Complaint.stage_due_at: when}).where(Complaint.id == complaint.id)


async def test_the_agency_response_stage(people, make_complaint):
    p = people
    case = await make_complaint(
        status="awaiting_agency", agency=p["agency"].id, assigned_officer=p["assigned"].id
    )
    # Another agency's case, due much later: its staff hear nothing now.
    await make_complaint(status="awaiting_agency", agency=p["other_agency"].id)
    await _due(case)
    assert await scan(DUE - timedelta(hours=25)) == []

    await scan(DUE - timedelta(hours=23))
    assert await _heard("stage_due_soon") == {
        p["assigned"].id: f"/cases/{case.id}",
        # Agency staff cannot open /cases: their alert leads to their own page.
        p["staff"].id: f"/agency/complaints/{case.id}",
    }
    await scan(DUE + timedelta(minutes=1))
    assert set(await _heard("stage_overdue")) == {p["assigned"].id, p["staff"].id}
    assert await _heard("stage_escalated") == {}
    await scan(DUE + timedelta(hours=24))
    assert set(await _heard("stage_escalated")) == {p["supervisor"].id, p["admin"].id}
    everyone = {row["recipient"] for row in await Alert.select(Alert.recipient)}
    assert p["other_staff"].id not in everyone and p["officer"].id not in everyone


async def test_an_unassigned_case_reaches_every_officer_but_not_the_agency(people, make_complaint):
    p = people
    case = await make_complaint(status="received", agency=p["agency"].id)
    await _due(case)
    await scan(DUE + timedelta(hours=1))
    officers = {p["assigned"].id, p["officer"].id, p["supervisor"].id}
    assert set(await _heard("stage_overdue")) == officers
    assert set(await _heard("stage_due_soon")) == set()  # already late: only "overdue"


async def test_paused_and_finished_cases_stay_quiet(people, make_complaint):
    p = people
    paused = await make_complaint(status="investigation", agency=p["agency"].id)
    await Complaint.update({Complaint.paused_since: DUE - timedelta(days=2)}).where(
        Complaint.id == paused.id
    )
    resolved = await make_complaint(status="resolved", agency=p["agency"].id)
    await _due(paused)
    await _due(resolved)
    assert await scan(DUE + timedelta(days=3)) == []


async def test_an_unassigned_case_reaches_the_provincial_officers_of_its_province_only(
    people, make_user, make_complaint
):
    p = people
    kandal = await make_user("provincial_officer", provinces="Takeo,Kandal")
    kampot = await make_user("provincial_officer", provinces="Kampot")
    case = await make_complaint(status="received", agency=p["agency"].id, province="Kandal")
    await _due(case)
    await scan(DUE + timedelta(hours=1))
    heard = set(await _heard("stage_overdue"))
    assert kandal.id in heard and kampot.id not in heard
    assert {p["officer"].id, p["supervisor"].id} <= heard  # the country's officers too
