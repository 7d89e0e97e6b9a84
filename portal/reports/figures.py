"""Rebuilding the figures reports read: one pass over each month's complaints, counted in
every scope a staff report can filter on (each filter, and each combination of filters
asked for: `combinations`), and the COC picture of each cycle.

Every measure counts the complaints *received* in the month (a cohort): how many were
acknowledged in time, how many have an outcome, how long it took, what was awarded. The
job `refresh` rebuilds the months whose complaints changed since its last run (a new
complaint, or a new line on a case timeline), `rebuild_all` every month; each month is
replaced in one transaction, so either is safe to run twice or side by side."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from portal import clock, db
from portal.deadlines import PHNOM_PENH, Stage, WorkingCalendar, add, working_days_between
from portal.deadlines.services import current_rules
from portal.reports.tables import CycleFigure, ReportCombination, ReportFigure, ReportSetting

log = logging.getLogger("portal.reports")

_ID_BATCH = 200  # figure rows per insert
_YIELD_EVERY = 50  # complaints counted between turns given to the event loop
_SLICES = 30  # parts of a month read one after another: about a day each
UNUSED = timedelta(days=30)  # a combination of filters not asked for since is dropped


class RememberingCalendar(WorkingCalendar):
    """The rules' calendar, asked about each day once per pass (the holidays package's
    look-up costs more than the rest of counting a complaint)."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        super().__init__(calendar.added, calendar.removed)
        self.known: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        if day not in self.known:
            self.known[day] = super().is_working_day(day)
        return self.known[day]


def month_of(moment: datetime) -> str:
    return moment.astimezone(PHNOM_PENH).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first moment of a Phnom Penh month and of the next one."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=PHNOM_PENH)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=PHNOM_PENH)
    return start, end


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month_of(month_bounds(month)[1])
    return months


def scopes_of(complaint: dict[str, Any], grounds: Iterable[str]) -> list[str]:
    """Every scope a complaint counts in: all complaints, and each filter it matches."""
    scopes = [""]
    for name in ("agency", "organisation", "province", "destination", "channel"):
        if complaint[name]:
            scopes.append(f"{name}:{complaint[name]}")
    scopes += [f"ground:{ground}" for ground in grounds]
    return scopes


def _cents(amount: Any) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


def counts_of(
    complaint: dict[str, Any],
    grounds: list[str],
    workers: list[dict[str, Any]],
    outcome_at: datetime | None,
    acknowledge_due: datetime,
    calendar: Any,
) -> Counter[tuple[str, str]]:
    """What one complaint adds to its month's figures: (measure, category) → amount."""
    counts: Counter[tuple[str, str]] = Counter()
    counts["received", ""] += 1
    acknowledged = complaint["acknowledged_at"]
    if acknowledged is not None and acknowledged <= acknowledge_due:
        counts["acknowledged_in_time", ""] += 1
    if complaint["outcome"]:
        counts["resolved", ""] += 1
        decided = outcome_at or complaint["closed_at"] or complaint["updated_at"]
        days = working_days_between(complaint["received_at"], decided, calendar)
        counts["days", str(days)] += 1
        currency = complaint["compensation_currency"]
        if complaint["compensation"] and currency in ("USD", "KHR"):
            counts["compensation", currency] += _cents(complaint["compensation"])
            counts["compensation_cases", currency] += 1
    for ground in grounds:
        counts["ground", ground] += 1
    for name in ("destination", "sector", "province", "channel"):
        counts[name, complaint[name] or ""] += 1
    for worker in workers:
        counts["workers", worker["sex"]] += 1
        counts["disability", "yes"] += worker["disability"] == "yes"
        counts["lgbtqia", "yes"] += bool(worker["lgbtqia"])
    return counts


# How each filter of a combination is asked of the complaint table.
_CONDITIONS = {
    "agency": "agency = {}",
    "organisation": "organisation = {}",
    "province": "province = {}",
    "destination": "destination = {}",
    "channel": "channel = {}",
    "ground": "EXISTS (SELECT 1 FROM complaint_ground g WHERE g.complaint = complaint.id"
    " AND g.ground = {})",
}


def condition_of(filters: str) -> tuple[str, list[Any]]:
    """SQL that keeps the complaints a combination ("agency:12&channel:web") counts."""
    sql, values = "", []
    for part in filters.split("&"):
        name, value = part.split(":", 1)
        sql += " AND " + _CONDITIONS[name]
        values.append(int(value) if name in ("agency", "organisation") else value)
    return sql, values


async def combinations() -> dict[str, tuple[str, ...]]:
    """The combinations of filters counted besides the single filters: scope → parts."""
    rows = await ReportCombination.select(ReportCombination.id, ReportCombination.filters)
    return {f"combination:{row['id']}": tuple(row["filters"].split("&")) for row in rows}


async def count_month(
    month: str, combined: dict[str, tuple[str, ...]], only: str = ""
) -> tuple[list[tuple[Any, ...]], int]:
    """One month's figure rows and the number of complaints counted: in every scope and
    the combinations `combined`, or (`only`) in that one combination alone."""
    extra, more = condition_of("&".join(combined[only])) if only else ("", [])
    rules = await current_rules()
    calendar = RememberingCalendar(rules.calendar)
    start, end = month_bounds(month)
    step = (end - start) / _SLICES
    complaints: list[dict[str, Any]] = []
    grounds: dict[int, list[str]] = {}
    workers: dict[int, list[dict[str, Any]]] = {}
    decided: dict[int, Any] = {}
    for part in range(_SLICES):  # a day at a time: a few thousand rows in memory at once
        await _read(start + part * step, start + (part + 1) * step, extra, more, complaints,
                    grounds, workers, decided)  # fmt: skip
    # Each combination under its first filter: a complaint is checked against the few
    # that start with one of its own scopes.
    by_first: dict[str, list[tuple[str, set[str]]]] = {}
    for scope, parts in combined.items():
        by_first.setdefault(parts[0], []).append((scope, set(parts)))
    totals: Counter[tuple[str, str, str]] = Counter()
    for number, complaint in enumerate(complaints):
        if number % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a month can be tens of thousands: let requests in
        complaint["received_at"] = clock_aware(complaint["received_at"])
        own_grounds = grounds.get(complaint["id"], [])
        counts = counts_of(
            complaint,
            own_grounds,
            workers.get(complaint["id"], []),
            clock_aware(decided[complaint["id"]]) if complaint["id"] in decided else None,
            add(complaint["received_at"], rules.policy[Stage.ACKNOWLEDGE], calendar),
            calendar,
        )
        own = scopes_of(complaint, own_grounds)
        scopes = [] if only else list(own)
        scopes += [
            scope
            for first in own
            for scope, parts in by_first.get(first, [])
            if parts <= set(own) and (not only or scope == only)
        ]
        for scope in scopes:
            for (measure, category), amount in counts.items():
                if amount:
                    totals[scope, measure, category] += amount
    rows = [
        (month, key[0], f"{key[0]}|{month}", *key[1:], value)
        for key, value in sorted(totals.items())
    ]
    return rows, len(complaints)


async def _read(
    start: datetime,
    end: datetime,
    extra: str,
    more: list[Any],
    complaints: list[dict[str, Any]],
    grounds: dict[int, list[str]],
    workers: dict[int, list[dict[str, Any]]],
    decided: dict[int, Any],
) -> None:
    """Add the complaints received from `start` to `end` that the conditions `extra`
    keep, with their grounds, workers and when each was decided."""
    where = "received_at >= {} AND received_at < {}" + extra
    values = [start, end, *more]
    chosen = f"(SELECT id FROM complaint WHERE {where})"  # noqa: S608 - _CONDITIONS
    complaints += await db.select_aside(
        "SELECT id, received_at, acknowledged_at, closed_at, updated_at, agency,"  # noqa: S608 - _CONDITIONS
        " organisation, province, destination, sector, channel, outcome, compensation,"
        f" compensation_currency FROM complaint WHERE {where}",
        *values,
    )
    for row in await db.select_aside(
        f"SELECT complaint, ground FROM complaint_ground WHERE complaint IN {chosen}",  # noqa: S608
        *values,
    ):
        grounds.setdefault(row["complaint"], []).append(row["ground"])
    for row in await db.select_aside(
        "SELECT complaint, sex, disability, lgbtqia FROM complaint_worker"  # noqa: S608 - _CONDITIONS
        f" WHERE complaint IN {chosen}",
        *values,
    ):
        workers.setdefault(row["complaint"], []).append(row)
    for row in await db.select_aside(
        "SELECT complaint, max(at) AS at FROM case_event WHERE kind = 'outcome'"  # noqa: S608 - _CONDITIONS
        f" AND complaint IN {chosen} GROUP BY complaint",
        *values,
    ):
        decided[row["complaint"]] = row["at"]


async def replace_month(
    month: str, rows: list[tuple[Any, ...]], combined: list[str], singles: bool = True
) -> None:
    """Put a month's counted rows in place of its old ones, in one transaction: of the
    combinations `combined`, and (`singles`) of every other scope; a combination counted
    meanwhile by its own first count keeps its rows."""
    replaced: Any = None
    if singles:
        replaced = (ReportFigure.month == month) & ReportFigure.scope.not_like("combination:%")
    if combined:  # by their slots, an index search: a first count replaces a few rows of
        # a month that has ~100,000 at a million complaints
        listed = ReportFigure.slot.is_in([f"{scope}|{month}" for scope in combined])
        replaced = listed if replaced is None else replaced | listed
    async with db.transaction():
        if replaced is not None:
            await ReportFigure.delete().where(replaced)
        for batch in range(0, len(rows), _ID_BATCH):
            await db.insert(
                "report_figure",
                ("month", "scope", "slot", "measure", "category", "value"),
                rows[batch : batch + _ID_BATCH],
            )
            await asyncio.sleep(0)  # a month has thousands of rows: requests go in between


async def rebuild_month(month: str) -> int:
    """Count one month's complaints again and replace its figures, in every scope and
    counted combination; returns the number of complaints counted."""
    combined = await combinations()
    rows, counted = await count_month(month, combined)
    await replace_month(month, rows, list(combined))
    return counted


def clock_aware(moment: datetime | str) -> datetime:
    """A time from a query: SQLite gives an aggregate's (max, min) as the text it stored."""
    return datetime.fromisoformat(moment) if isinstance(moment, str) else moment


async def rebuild_cycles() -> None:
    """The COC picture of every cycle with assessments, computed again."""
    assessed = await db.select(
        "SELECT cycle, count(*) AS n FROM assessment WHERE submitted_at IS NOT NULL GROUP BY cycle"
    )
    # Only public ratings: a rating waits out the agency's reply window (checklists.replies).
    now = clock.now().astimezone(UTC)
    bands = await db.select(
        "SELECT cycle, band_code, band_label, count(*) AS n FROM rating"
        " WHERE published_at <= {} AND reply <> {} GROUP BY cycle, band_code, band_label",
        now,
        "contested",
    )
    # Each rated agency's share of each article's applicable points, in its rated round.
    articles = await db.select(
        "SELECT r.cycle, s.code, a.id AS assessment, sum(cs.score) AS points,"
        " sum(i.max_score) AS maximum FROM rating r"
        " JOIN assessment a ON a.id = r.assessment"
        ' JOIN consensus_score cs ON cs.assessment = a.id AND cs."round" = a."round"'
        " JOIN indicator i ON i.id = cs.indicator JOIN section s ON s.id = i.section"
        " WHERE cs.not_applicable = {} AND cs.score IS NOT NULL"
        " AND r.published_at <= {} AND r.reply <> {} GROUP BY r.cycle, s.code, a.id",
        False,
        now,
        "contested",
    )
    rows: list[tuple[Any, ...]] = [(r["cycle"], "assessed", "", "", 0, r["n"]) for r in assessed]
    rated: Counter[int] = Counter()
    for r in bands:
        rated[r["cycle"]] += r["n"]
        rows.append((r["cycle"], "band", r["band_code"], r["band_label"], 0, r["n"]))
    rows += [(cycle, "rated", "", "", 0, n) for cycle, n in rated.items()]
    per_article: Counter[tuple[int, str]] = Counter()
    agencies: Counter[tuple[int, str]] = Counter()
    for r in articles:
        if r["maximum"]:
            per_article[r["cycle"], r["code"]] += round(1000 * r["points"] / r["maximum"])
            agencies[r["cycle"], r["code"]] += 1
    rows += [
        (c, "article", code, "", total, agencies[c, code])
        for (c, code), total in per_article.items()
    ]
    async with db.transaction():
        await CycleFigure.delete(force=True)
        for batch in range(0, len(rows), _ID_BATCH):
            await db.insert(
                "cycle_figure",
                ("cycle", "measure", "category", "label", "total", "agencies"),
                rows[batch : batch + _ID_BATCH],
            )


async def _setting(key: str) -> str | None:
    row = await ReportSetting.select(ReportSetting.value).where(ReportSetting.key == key).first()
    return row["value"] if row else None


async def _remember(values: dict[str, str]) -> None:
    await db.insert(
        "report_setting",
        ("key", "value"),
        sorted(values.items()),
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )


async def _high_water() -> dict[str, str]:
    # Ratings counted as they become public (their reply window closes without an edit).
    row = (
        await db.select(
            "SELECT (SELECT max(id) FROM complaint) AS complaint,"
            " (SELECT max(id) FROM case_event) AS event,"
            " (SELECT count(*) FROM rating WHERE published_at <= {} AND reply <> {}) AS rating,"
            " (SELECT count(*) FROM assessment WHERE submitted_at IS NOT NULL) AS assessed",
            clock.now().astimezone(UTC),
            "contested",
        )
    )[0]
    return {f"seen_{key}": str(value or 0) for key, value in row.items()}


async def all_months() -> list[str]:
    row = (await db.select("SELECT min(received_at) AS first FROM complaint"))[0]
    if row["first"] is None:
        return []
    return months_between(month_of(clock_aware(row["first"])), month_of(clock.now()))


async def _drop_unused(months: list[str]) -> None:
    """Forget the combinations of filters no one asked for in a while (the next ask
    counts one again), so the rebuild does not count them forever. Their figures go by
    their slots in `months` (indexed; the scope alone is not)."""
    unused = await ReportCombination.select(ReportCombination.id).where(
        ReportCombination.asked_at < clock.now() - UNUSED
    )
    if scopes := [f"combination:{row['id']}" for row in unused]:
        slots = [f"{scope}|{month}" for scope in scopes for month in months]
        async with db.transaction():
            if slots:
                await ReportFigure.delete().where(ReportFigure.slot.is_in(slots))
            ids = [row["id"] for row in unused]
            await ReportCombination.delete().where(ReportCombination.id.is_in(ids))


async def rebuild_all() -> int:
    """Rebuild every month and cycle (the nightly job, `portal rebuild-figures`)."""
    seen = await _high_water()
    months = await all_months()
    # Months no complaint is in any more (retention): two index ranges, not a NOT IN,
    # which reads every row of the table.
    if months:
        outside = (ReportFigure.month < months[0]) | (ReportFigure.month > months[-1])
        await ReportFigure.delete().where(outside)
    else:
        await ReportFigure.delete(force=True)
    await _drop_unused(months)
    counted = 0
    for month in months:
        counted += await rebuild_month(month)
        await asyncio.sleep(0)  # let requests in between months
    await rebuild_cycles()
    await _remember(seen)
    log.info("report figures rebuilt: %d months, %d complaints", len(months), counted)
    return counted


async def refresh() -> list[str]:
    """The job every few minutes: rebuild the months whose complaints are new or have a
    new timeline line since the last run, and the cycles if a rating or submission came.
    Returns the months rebuilt."""
    seen = await _high_water()
    before = {key: await _setting(key) for key in seen}
    if before["seen_complaint"] is None:
        await rebuild_all()
        return await all_months()
    # A UNION, not an OR: each half is an index search, where the OR read every complaint.
    touched = await db.select(
        "SELECT received_at FROM complaint WHERE id > {} UNION SELECT received_at"
        " FROM complaint WHERE id IN (SELECT complaint FROM case_event WHERE id > {} AND id <= {})",
        int(before["seen_complaint"] or 0),
        int(before["seen_event"] or 0),
        int(seen["seen_event"]),
    )
    months = sorted({month_of(clock_aware(row["received_at"])) for row in touched})
    for month in months:
        await rebuild_month(month)
    if (before["seen_rating"], before["seen_assessed"]) != (
        seen["seen_rating"],
        seen["seen_assessed"],
    ):
        await rebuild_cycles()
    await _remember(seen)
    return months
