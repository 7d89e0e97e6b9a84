"""Staff reports that combine filters ("agency 12 and hotline"): each combination is
counted once from the complaints, in the background, into the per-month figures under
its own scope; until then its report says it is being prepared (the page reloads
itself). After that the rebuild jobs count it with every other scope, so it stays right
as complaints change, and a request only ever reads figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from portal import clock, db
from portal.reports import background, figures
from portal.reports.tables import ReportCombination

# A first count unfinished after this was stopped with its worker: it is started again.
STALE = timedelta(minutes=15)
# Being asked for is written down at most this often (the rebuild drops unasked ones).
ASKED_AGAIN = timedelta(days=1)


@dataclass(frozen=True)
class Combined:
    scope: str  # "combination:<id>", the scope its figures are kept under
    ready: bool  # False while its first count is under way


async def ask(filters: str) -> Combined:
    """The figures' scope of a combination ("agency:12&channel:web", filters in their
    order); its first count begun in the background when it has none yet."""
    now = clock.now().astimezone(UTC)  # stored and compared as UTC
    row = await _stored(filters)
    if row is None:  # written once, by the first to ask (a page view writes nothing else)
        created = await db.insert(
            "report_combination",
            ("filters", "counted", "started_at", "asked_at"),
            [(filters, False, now, now)],
            " ON CONFLICT (filters) DO NOTHING RETURNING id",
        )
        if created:
            return _started(created[0]["id"], filters)
        row = await _stored(filters)
        assert row is not None  # written by another request meanwhile
    scope = f"combination:{row['id']}"
    if not row["counted"]:
        if figures.clock_aware(row["started_at"]) >= now - STALE:
            return Combined(scope, False)  # under way
        async with db.transaction():  # one worker takes a stopped count over
            claimed = await db.select(
                "UPDATE report_combination SET started_at = {} WHERE id = {}"
                " AND counted = {} AND started_at < {} RETURNING id",
                now,
                row["id"],
                False,
                now - STALE,
            )
        return _started(row["id"], filters) if claimed else Combined(scope, False)
    if figures.clock_aware(row["asked_at"]) < now - ASKED_AGAIN:
        async with db.transaction():
            await ReportCombination.update({ReportCombination.asked_at: now}).where(
                ReportCombination.id == row["id"]
            )
    return Combined(scope, True)


async def _stored(filters: str) -> dict[str, Any] | None:
    rows = await db.select(
        "SELECT id, counted, started_at, asked_at FROM report_combination WHERE filters = {}",
        filters,
    )
    return rows[0] if rows else None


def _started(combination: int, filters: str) -> Combined:
    scope = f"combination:{combination}"
    background.start(count(scope, filters), f"counting the report filters {filters}")
    return Combined(scope, False)


async def count(scope: str, filters: str) -> None:
    """Count a combination in every month with complaints, a month at a time (the
    complaints it keeps are picked by the database), then mark it counted."""
    combined = {scope: tuple(filters.split("&"))}
    for month in await figures.all_months():
        rows, _counted = await figures.count_month(month, combined, only=scope)
        await figures.replace_month(month, rows, [scope], singles=False)
    async with db.transaction():
        await ReportCombination.update({ReportCombination.counted: True}).where(
            ReportCombination.id == int(scope.split(":")[1])
        )
