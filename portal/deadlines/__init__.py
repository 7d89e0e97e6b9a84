"""When each complaint stage falls due: the one place that computes due times.

Durations are clock hours or working days, measured in Asia/Phnom_Penh time. Working days
skip weekends, Cambodia's public holidays (the `holidays` package's calendar) and the days
an admin added for a year; a public holiday the admin removed counts as a working day.
The admin edits durations (DeadlinePolicy) and the calendar (Holiday) at /admin/deadlines;
`due_at` and `due_after_pause` (the clock stood still while the case waited on the
complainant) read both through a small cache in `portal.deadlines.services`.

Callers store the result (a due-time column), so queues sort and filter on it and the
deadline scan in `portal.notifications` finds what is due with an index range query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from portal.i18n import N_
from portal.labels import LabelledEnum

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


class Stage(LabelledEnum):
    ACKNOWLEDGE = "acknowledge", N_("Acknowledgement")
    AGENCY_RESPONSE = "agency_response", N_("Agency response")
    INVESTIGATION = "investigation", N_("Investigation or mediation")
    RESOLUTION = "resolution", N_("Resolution")


class Unit(LabelledEnum):
    HOURS = "hours", N_("hours")
    WORKING_DAYS = "working_days", N_("working days")


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit


# MOLVT 2024-2028 plan: acknowledged within 48 hours; Prakas 249 (as the ILO summarises
# it): dealt with within ten working days of receipt.
DEFAULT_POLICY: dict[Stage, Duration] = {
    Stage.ACKNOWLEDGE: Duration(48, Unit.HOURS),
    Stage.AGENCY_RESPONSE: Duration(5, Unit.WORKING_DAYS),
    Stage.INVESTIGATION: Duration(10, Unit.WORKING_DAYS),
    Stage.RESOLUTION: Duration(10, Unit.WORKING_DAYS),
}

# An overdue stage escalates to supervisors this long after it fell due, unless changed.
DEFAULT_GRACE_HOURS = 24


class WorkingCalendar:
    """Which days are working days: Monday to Friday, less Cambodia's public holidays,
    less the days an admin added, plus the public holidays an admin removed."""

    def __init__(self, added: Iterable[date] = (), removed: Iterable[date] = ()) -> None:
        self.added = frozenset(added)
        self.removed = frozenset(removed)
        # Years are filled in on first look-up, so any year works.
        self.public = holidays.country_holidays("KH", language="en_US")

    def is_holiday(self, day: date) -> bool:
        if day in self.removed:
            return False
        return day in self.added or day in self.public

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)


PUBLIC_CALENDAR = WorkingCalendar()


async def due_at(stage: Stage, start: datetime) -> datetime:
    """When `stage` falls due if its clock starts at `start` (an aware datetime), under
    the admin's current policy and holiday calendar."""
    from portal.deadlines.services import current_rules  # the tables import this module

    rules = await current_rules()
    return add(start, rules.policy[stage], rules.calendar)


def add(start: datetime, duration: Duration, calendar: WorkingCalendar | None = None) -> datetime:
    """`start` moved on by `duration`. Working days keep the time of day and count only
    days the calendar has as working days (Phnom Penh dates); a start on a weekend or
    holiday therefore falls due at the same time on the n-th working day after it."""
    if duration.unit == Unit.HOURS:
        return start + timedelta(hours=duration.amount)
    calendar = calendar or PUBLIC_CALENDAR
    local = start.astimezone(PHNOM_PENH)
    remaining = duration.amount
    while remaining:
        local += timedelta(days=1)
        if calendar.is_working_day(local.date()):
            remaining -= 1
    return local.astimezone(start.tzinfo)


def extend_for_pause(due: datetime, paused_since: datetime, resumed_at: datetime) -> datetime:
    """A due time moved on by the time the clock stood still (waiting on the complainant)."""
    return due + max(resumed_at - paused_since, timedelta(0))


def working_days_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> int:
    """Working days after `start`'s date up to and including `end`'s (Phnom Penh dates)."""
    day, last = start.astimezone(PHNOM_PENH).date(), end.astimezone(PHNOM_PENH).date()
    count = 0
    while day < last:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


async def due_after_pause(
    stage: Stage, due: datetime, paused_since: datetime, resumed_at: datetime
) -> datetime:
    """The stage's due time once the complainant has replied. A stage counted in hours
    moves on by the time waited; one counted in working days by the working days that
    passed while waiting (a weekend spent waiting costs the case nothing)."""
    from portal.deadlines.services import current_rules

    rules = await current_rules()
    if rules.policy[stage].unit == Unit.HOURS:
        return extend_for_pause(due, paused_since, resumed_at)
    waited = working_days_between(paused_since, resumed_at, rules.calendar)
    return add(due, Duration(waited, Unit.WORKING_DAYS), rules.calendar)
