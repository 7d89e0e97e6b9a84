"""Two schedulers, a restart, 30 simulated days: each alert exactly once, none missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal import db, display
from portal.deadlines import PHNOM_PENH
from portal.notifications import jobs, lease, messages
from portal.notifications.services import Due
from portal.notifications.tables import Alert, OutboxMessage
from portal.scheduler import create_scheduler

START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)


async def test_thirty_days_with_two_schedulers_and_a_restart_alert_once_per_threshold(
    make_agency, make_user, monkeypatch
):
    # Hourly ticks and a three-hour lease: the lease, not luck, keeps the two apart.
    monkeypatch.setattr(lease, "LEASE_TIME", timedelta(hours=3))
    admins = [await make_user("admin"), await make_user("admin")]
    # Licences expiring all through the next 100 days: many cross 60 and 30 days ahead
    # during the simulated month.
    agencies = []
    for n in range(0, 100, 3):
        agency = await make_agency(licence_expires_on=date(2026, 6, 1) + timedelta(days=n))
        staff = await make_user("agency", agency=agency.id)
        agencies.append((agency, staff))

    first, second = lease.holder_name(), lease.holder_name()
    acted_by: list[str | None] = []
    scan_days = set()
    now = START
    while now < START + timedelta(days=30):
        if now == START + timedelta(days=15):
            first = lease.holder_name()  # the first scheduler restarts: a new holder
        acted = [h for h in (first, second) if await jobs.deadline_scan(h, now) is not None]
        assert len(acted) <= 1, now
        acted_by.append(acted[0] if acted else None)
        if acted:
            scan_days.add(now.astimezone(PHNOM_PENH).date())
        now += timedelta(hours=1)

    # Until the restart one scheduler did all the work; the dead one's lease ran out within
    # three hours and someone took over.
    assert len(set(acted_by[: 15 * 24])) == 1
    assert acted_by.count(None) <= 3
    assert None not in acted_by[15 * 24 + 3 :]

    # Expected: on each day scanned, each licence 31-60 days from expiry crosses "60d",
    # 0-30 days from expiry "30d"; told to both admins and the agency's own user.
    expected = set()
    for agency, staff in agencies:
        for day in scan_days:
            days_left = (agency.licence_expires_on - day).days
            if 0 <= days_left <= 60:
                threshold = "30d" if days_left <= 30 else "60d"
                for person in (*admins, staff):
                    expected.add(f"licence_expiry:agency:{agency.id}:{threshold}:{person.id}")
    keys = [row["key"] for row in await Alert.select(Alert.key)]
    assert len(keys) == len(set(keys)) == len(expected)
    assert set(keys) == expected
    assert await OutboxMessage.count() == len(expected)


async def test_a_lease_passes_on_only_when_it_runs_out():
    a, b = "scheduler-a", "scheduler-b"
    assert await lease.hold(a, START)
    assert not await lease.hold(b, START + timedelta(minutes=1))
    assert await lease.hold(a, START + timedelta(minutes=2))  # renewed
    assert not await lease.hold(b, START + timedelta(minutes=4))
    assert await lease.hold(b, START + timedelta(minutes=6))  # a stopped renewing
    assert not await lease.hold(a, START + timedelta(minutes=6, seconds=1))
    await lease.release(b)
    assert await lease.hold(a, START + timedelta(minutes=7))


async def test_a_scheduler_of_its_own_writes_khmer_with_the_admins_digits(settings):
    await db.insert("report_setting", ("key", "value"), [(display.KEY, display.LATIN)])
    display.forget()  # a fresh process: Khmer digits until it reads the setting
    alert = Due(
        kind="licence_expiry",
        record_type="agency",
        record_id=1,
        threshold="30d",
        due_at=datetime(2026, 7, 1, tzinfo=PHNOM_PENH),
        recipients=(),
        params={"agency_en": "Lotus", "agency_km": "ឡូតុស", "licence": "L-1", "days": 25},
    )
    # What the scheduler runs first when it starts (not started here: its other jobs
    # would run against the test database too).
    job = create_scheduler(settings).get_job("display_digits")
    assert job is not None and job.next_run_time is not None
    await job.func(*job.args)
    try:
        with messages.in_language("km"):
            body = messages.render(alert.kind, alert.params, alert.due_at).body
    finally:
        display.forget()
    assert "25" in body and "២៥" not in body
