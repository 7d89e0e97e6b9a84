"""Lists a page at a time by keyset: the "more" link carries where the last row shown
stands in the list's order (for most lists its id: ?before=<id>; for a list in time
order the row's moment and id), and the next page starts there. No OFFSET, so a deep page
costs what the first one does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from piccolo.columns import Column
from piccolo.query import Select

from portal.access import record_id


class Page(NamedTuple):
    rows: list[dict[str, Any]]
    # Where the next page starts (the cursor of the last row shown); None on the last page.
    next: Any


def _id(row: dict[str, Any]) -> Any:
    return row["id"]


async def fetch(query: Select, size: int, cursor: Callable[[dict[str, Any]], Any] = _id) -> Page:
    """One page of `query` (already ordered, and started after the previous page): one
    row more than the page is fetched, only to learn whether there is a next page."""
    rows = await query.limit(size + 1)
    page = rows[:size]
    return Page(page, cursor(page[-1]) if len(rows) > size else None)


async def newest_first(query: Select, id_column: Column, before: int | None, size: int) -> Page:
    """One page of `query`, highest id first, below `before` (the previous page's last id)."""
    if before:
        query = query.where(id_column < before)
    return await fetch(query.order_by(id_column, ascending=False), size)


def ordered_after(
    query: Select,
    order: Column,
    id_column: Column,
    cursor: tuple[Any, int] | None,
    ascending: bool = True,
) -> Select:
    """`query` in (`order`, id) order, from just after `cursor` (the previous page's last
    row: its `order` value and its id), or from the first row."""
    if cursor:
        value, last_id = cursor
        # The plain bound (>= or <=) lets the index start at the cursor, so a deep page
        # costs what the first one does; the OR breaks ties on the id.
        if ascending:
            query = query.where((order >= value) & ((order > value) | (id_column > last_id)))
        else:
            query = query.where((order <= value) & ((order < value) | (id_column < last_id)))
    return query.order_by(order, id_column, ascending=ascending)


def moment_cursor(moment: datetime, row_id: int) -> str:
    """The cursor of a row in a list in time order: its moment and its id."""
    return f"{moment.isoformat()}_{row_id}"


def parse_moment_cursor(text: str) -> tuple[datetime, int] | None:
    """A cursor of moment_cursor() read back, in UTC; None for anything else, a moment
    outside the years 1 to 9999 once in UTC included (the database would refuse it)."""
    moment_text, _sep, id_text = text.rpartition("_")
    row_id = record_id(id_text)
    try:
        moment = datetime.fromisoformat(moment_text)
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return (moment, row_id) if row_id is not None else None
