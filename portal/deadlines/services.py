"""The admin's deadline rules: stage durations, escalation grace periods, the holidays.

Rules change a few times a year and are read on every due-time computation, so they are
cached per process. An edit here drops this process's cache at once; other processes (a
separate `portal scheduler`, other web workers) pick it up within RULES_TTL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays

from portal import clock, db, i18n
from portal.audit import services as audit
from portal.deadlines import (
    DEFAULT_GRACE_HOURS,
    DEFAULT_POLICY,
    PUBLIC_CALENDAR,
    Duration,
    Stage,
    Unit,
    WorkingCalendar,
)
from portal.deadlines.tables import DeadlinePolicy, Holiday
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import gettext as _

# Reading the rules takes two small queries; doing that every few seconds keeps the other
# processes at most that far behind an edit, without a query on every due-time computation.
RULES_TTL = 10.0  # seconds
MAX_HOURS = 24 * 90
MAX_WORKING_DAYS = 120


@dataclass(frozen=True)
class Rules:
    """Everything a due-time computation needs, read once from the database."""

    policy: dict[Stage, Duration]
    grace: dict[Stage, timedelta]
    calendar: WorkingCalendar


_cache: tuple[float, Rules] | None = None


def invalidate() -> None:
    """Forget the cached rules (after an admin edit)."""
    global _cache
    _cache = None


async def current_rules() -> Rules:
    """The policies and calendar in force, from the cache when it is fresh."""
    global _cache
    if _cache is not None and time.monotonic() - _cache[0] < RULES_TTL:
        return _cache[1]
    rules = await _load_rules()
    _cache = (time.monotonic(), rules)
    return rules


async def _load_rules() -> Rules:
    policy = dict(DEFAULT_POLICY)
    grace = {stage: timedelta(hours=DEFAULT_GRACE_HOURS) for stage in Stage}
    for row in await DeadlinePolicy.select():
        stage = Stage(row["stage"])
        policy[stage] = Duration(row["amount"], Unit(row["unit"]))
        grace[stage] = timedelta(hours=row["escalate_after_hours"])
    changes = await Holiday.select(Holiday.day, Holiday.is_closed)
    calendar = WorkingCalendar(
        added=[c["day"] for c in changes if c["is_closed"]],
        removed=[c["day"] for c in changes if not c["is_closed"]],
    )
    return Rules(policy=policy, grace=grace, calendar=calendar)


# --- policies -------------------------------------------------------------------------


async def policy_form() -> dict[str, str]:
    """The policy page's form values: `<stage>_amount`, `<stage>_unit`, `<stage>_grace`."""
    rules = await _load_rules()
    form: dict[str, str] = {}
    for stage in Stage:
        form[f"{stage}_amount"] = str(rules.policy[stage].amount)
        form[f"{stage}_unit"] = rules.policy[stage].unit.value
        form[f"{stage}_grace"] = str(int(rules.grace[stage].total_seconds() // 3600))
    return form


async def save_policies(actor: Any, rows: list[tuple[Stage, int, Unit, int]]) -> None:
    """Store every stage's (amount, unit, grace hours), checked by PolicyForm; all or nothing."""
    now = clock.now()
    async with db.transaction():
        await DeadlinePolicy.delete(force=True)
        await DeadlinePolicy.insert(
            *[
                DeadlinePolicy(
                    stage=stage,
                    amount=amount,
                    unit=unit,
                    escalate_after_hours=grace,
                    updated_at=now,
                )
                for stage, amount, unit, grace in rows
            ]
        )
        summary = "; ".join(f"{s}: {a} {u}, +{g}h" for s, a, u, g in rows)
        await audit.record(actor, "deadlines.policy_changed", "deadline_policy", "", summary)
    invalidate()


# --- holidays -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarDay:
    """One line of the holiday page."""

    day: date
    name: str
    public: bool  # from Cambodia's public calendar (else added by an admin)
    closed: bool  # False: a public holiday the admin turned into a working day


async def holidays_of(year: int) -> list[CalendarDay]:
    """The year's public holidays and the admin's changes, by date."""
    changes = {
        row["day"]: row
        for row in await Holiday.select().where(
            (Holiday.day >= date(year, 1, 1)) & (Holiday.day <= date(year, 12, 31))
        )
    }
    language = "km" if i18n.current_language.get() == "km" else "en_US"
    public = holidays.country_holidays("KH", years=year, language=language)
    days: dict[date, CalendarDay] = {}
    for day, name in public.items():
        change = changes.get(day)
        closed = change["is_closed"] if change else True
        days[day] = CalendarDay(day, name, public=True, closed=closed)
    for day, change in changes.items():
        if day not in days:
            days[day] = CalendarDay(day, change["name"], public=False, closed=True)
    return [days[d] for d in sorted(days)]


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def add_holiday(actor: Any, day: date, name: str) -> None:
    """Make a day a holiday (or restore a public holiday that was turned into a working day)."""
    rules = await _load_rules()
    if rules.calendar.is_holiday(day):
        raise FormErrors({"day": _("That day is already a holiday.")})
    async with db.transaction():
        await Holiday.delete().where(Holiday.day == day)
        if day not in PUBLIC_CALENDAR.public:
            await Holiday.insert(
                Holiday(day=day, name=name, is_closed=True, created_at=clock.now())
            )
        await audit.record(actor, "deadlines.holiday_added", "holiday", day.isoformat(), name)
    invalidate()


async def remove_holiday(actor: Any, day: date) -> None:
    """Make a holiday a working day: an added one is deleted, a public one is overridden."""
    rules = await _load_rules()
    if not rules.calendar.is_holiday(day):
        raise NotFound(_("Page not found."))
    async with db.transaction():
        await Holiday.delete().where(Holiday.day == day)
        if day in PUBLIC_CALENDAR.public:
            await Holiday.insert(Holiday(day=day, name="", is_closed=False, created_at=clock.now()))
        await audit.record(actor, "deadlines.holiday_removed", "holiday", day.isoformat())
    invalidate()


async def restore_holiday(actor: Any, day: date) -> None:
    """Undo the removal of a public holiday."""
    if day not in PUBLIC_CALENDAR.public:
        raise NotFound(_("Page not found."))
    removed = await Holiday.exists().where((Holiday.day == day) & (Holiday.is_closed.eq(False)))
    if not removed:
        raise DomainError(_("That day is already a holiday."))
    async with db.transaction():
        await Holiday.delete().where(Holiday.day == day)
        await audit.record(actor, "deadlines.holiday_added", "holiday", day.isoformat())
    invalidate()
