"""Due times in working days: weekends, Khmer New Year, the admin's holidays, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.deadlines import (
    PHNOM_PENH,
    Duration,
    Stage,
    Unit,
    WorkingCalendar,
    add,
    due_after_pause,
    due_at,
    extend_for_pause,
)
from tests.conftest import post_form


def pp(*args: int) -> datetime:
    return datetime(*args, tzinfo=PHNOM_PENH)


def test_working_days_skip_the_weekend():
    friday = pp(2026, 3, 13, 10, 0)
    assert add(friday, Duration(1, Unit.WORKING_DAYS)) == pp(2026, 3, 16, 10, 0)  # Monday
    assert add(friday, Duration(5, Unit.WORKING_DAYS)) == pp(2026, 3, 20, 10, 0)
    saturday = pp(2026, 3, 14, 9, 0)
    assert add(saturday, Duration(1, Unit.WORKING_DAYS)) == pp(2026, 3, 16, 9, 0)


def test_working_days_are_counted_in_phnom_penh_time():
    # 20:00 UTC on Friday is already Saturday 03:00 in Phnom Penh: the count starts there.
    start = datetime(2026, 3, 13, 20, 0, tzinfo=UTC)
    due = add(start, Duration(1, Unit.WORKING_DAYS))
    assert due.astimezone(PHNOM_PENH) == pp(2026, 3, 16, 3, 0)
    assert due.tzinfo == UTC


def test_clock_hours_ignore_weekends_and_holidays():
    friday = pp(2026, 4, 10, 12, 0)
    assert add(friday, Duration(48, Unit.HOURS)) == pp(2026, 4, 12, 12, 0)


def test_khmer_new_year_is_not_a_working_day():
    # 14-16 April 2026 (Tuesday to Thursday) are Khmer New Year.
    monday = pp(2026, 4, 13, 9, 0)
    assert add(monday, Duration(1, Unit.WORKING_DAYS)) == pp(2026, 4, 17, 9, 0)
    assert add(monday, Duration(5, Unit.WORKING_DAYS)) == pp(2026, 4, 23, 9, 0)


def test_admin_added_and_removed_holidays_change_the_count():
    monday = pp(2026, 3, 16, 9, 0)
    plain = add(monday, Duration(2, Unit.WORKING_DAYS))
    assert plain == pp(2026, 3, 18, 9, 0)
    added = WorkingCalendar(added=[date(2026, 3, 17)])
    assert add(monday, Duration(2, Unit.WORKING_DAYS), added) == pp(2026, 3, 19, 9, 0)
    # Khmer New Year made a working day: the count runs straight through it.
    removed = WorkingCalendar(removed=[date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16)])
    assert add(pp(2026, 4, 13, 9, 0), Duration(1, Unit.WORKING_DAYS), removed) == pp(
        2026, 4, 14, 9, 0
    )


def test_a_pause_moves_the_due_time_on_by_the_time_waited():
    due = pp(2026, 3, 20, 10, 0)
    paused, resumed = pp(2026, 3, 17, 9, 0), pp(2026, 3, 19, 15, 30)
    assert extend_for_pause(due, paused, resumed) == due + timedelta(days=2, hours=6, minutes=30)
    # A resume recorded before the pause (clock skew) never pulls the due time earlier.
    assert extend_for_pause(due, resumed, paused) == due


async def test_a_pause_in_working_days_counts_only_the_working_days_waited():
    due = pp(2026, 3, 17, 10, 0)  # a Tuesday
    # Waiting from Friday to Monday: one working day (Monday) passed, so one more is given.
    paused, resumed = pp(2026, 3, 13, 10, 0), pp(2026, 3, 16, 10, 0)
    assert await due_after_pause(Stage.AGENCY_RESPONSE, due, paused, resumed) == pp(
        2026, 3, 18, 10, 0
    )
    # Waiting across Khmer New Year (Friday 10 to Friday 17 April): of the days waited only
    # Monday 13 and Friday 17 were working days; the weekend and the three holidays were not.
    due = pp(2026, 4, 20, 9, 0)
    paused, resumed = pp(2026, 4, 10, 9, 0), pp(2026, 4, 17, 9, 0)
    assert await due_after_pause(Stage.AGENCY_RESPONSE, due, paused, resumed) == pp(
        2026, 4, 22, 9, 0
    )
    # The acknowledgement stage runs in clock hours: moved on by the time waited.
    due = pp(2026, 3, 15, 10, 0)
    paused, resumed = pp(2026, 3, 14, 10, 0), pp(2026, 3, 14, 22, 0)
    assert await due_after_pause(Stage.ACKNOWLEDGE, due, paused, resumed) == pp(2026, 3, 15, 22, 0)


async def test_due_at_uses_the_defaults_without_admin_changes():
    received = pp(2026, 3, 13, 10, 0)  # a Friday
    assert await due_at(Stage.ACKNOWLEDGE, received) == pp(2026, 3, 15, 10, 0)
    assert await due_at(Stage.AGENCY_RESPONSE, received) == pp(2026, 3, 20, 10, 0)
    assert await due_at(Stage.RESOLUTION, received) == pp(2026, 3, 27, 10, 0)


async def test_admin_edits_take_effect_at_once(client, as_role):
    await as_role("admin")
    received = pp(2026, 3, 16, 9, 0)  # a Monday
    assert await due_at(Stage.AGENCY_RESPONSE, received) == pp(2026, 3, 23, 9, 0)
    # A holiday on Wednesday pushes the agency response out by a day.
    response = await post_form(client, "/admin/holidays", {"day": "2026-03-18", "name": "Flood"})
    assert response.status_code == 303
    assert await due_at(Stage.AGENCY_RESPONSE, received) == pp(2026, 3, 24, 9, 0)
    # Three working days instead of five.
    form = {}
    for stage in Stage:
        form |= {f"{stage}_amount": "10", f"{stage}_unit": "working_days", f"{stage}_grace": "24"}
    form["agency_response_amount"] = "3"
    response = await post_form(client, "/admin/deadlines", form)
    assert response.status_code == 303
    assert await due_at(Stage.AGENCY_RESPONSE, received) == pp(2026, 3, 20, 9, 0)
    # Removing the holiday again.
    await post_form(client, "/admin/holidays/2026-03-18/remove")
    assert await due_at(Stage.AGENCY_RESPONSE, received) == pp(2026, 3, 19, 9, 0)
