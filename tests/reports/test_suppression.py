"""Public figures hide small counts, and no hidden count can be worked out from a total:
an attacker who knows how each cell is shown tries every value the hidden cells could
take and must find more than one for each."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from portal.reports import figures
from portal.reports.periods import quarter
from portal.reports.report import Table, build, load
from portal.reports.suppression import SMALL, Cell, Counts, bounds, suppress

LIMIT = 5


def candidates(counts: Counts, limit: int) -> list[set[int]]:
    """For each hidden cell, every value it could have given what is shown: the hidden
    cells' ranges (1..limit-1 for "fewer than", at least limit for the others) and, when
    the total is shown, that they add up to the total less the shown cells."""
    hidden = [cell for cell in counts.cells if cell.hidden]
    if not hidden:
        return []
    total_known = counts.total is not None and counts.total.shown
    rest = (
        (counts.total.value or 0) - sum(c.value or 0 for c in counts.cells if c.shown)
        if total_known
        else None
    )
    top = (rest if rest is not None else 100) + 1
    ranges = []
    for cell in hidden:
        low, high = bounds(cell, limit)
        ranges.append(range(int(low), int(min(high, top - 1)) + 1))
    possible: list[set[int]] = [set() for _ in hidden]
    for values in itertools.product(*ranges):
        if rest is None or sum(values) == rest:
            for i, value in enumerate(values):
                possible[i].add(value)
    return possible


def assert_safe(counts: Counts, limit: int, where: str = "") -> None:
    for cell in counts.cells:
        if cell.shown and cell.value:
            assert cell.value >= limit, f"{where}: {cell.value} shown"
    for i, values in enumerate(candidates(counts, limit)):
        assert len(values) > 1, f"{where}: hidden cell {i} can only be {values}"


def test_a_small_count_is_hidden_and_one_more_so_it_cannot_be_subtracted():
    counts = suppress(Counts([Cell(40), Cell(3), Cell(12), Cell(0)], Cell(55)), LIMIT)
    assert [c.hidden for c in counts.cells][:2] == ["", SMALL]
    assert counts.cells[2].hidden  # the smallest other cell, else 55 - 40 - 12 = 3
    assert counts.cells[3].shown  # a zero tells of no one
    assert_safe(counts, LIMIT)


def test_random_tables_never_give_a_hidden_cell_away():
    rng = random.Random(5)
    for attempt in range(400):
        values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 20, 60]) for _ in range(rng.randrange(1, 6))]
        counts = suppress(Counts([Cell(v) for v in values], Cell(sum(values))), LIMIT)
        assert_safe(counts, LIMIT, f"table {attempt}: {values}")


async def test_every_public_table_is_safe(make_case):
    """A public report over random complaints: each table with its total, and the
    received and resolved per month with the headline figures."""
    rng = random.Random(11)
    for n in range(60):
        await make_case(
            datetime(2025, rng.randrange(4, 7), rng.randrange(1, 28), 5, tzinfo=UTC),
            grounds=(rng.choice(["unpaid_wages", "abuse", "excessive_fees", "other"]),),
            workers=((rng.choice(["woman", "woman", "man", "not_said"]), "no", False),),
            province=rng.choice(["Kandal"] * 8 + ["Kep", "Pailin", "Takeo"]),
            # One small channel alone: only a second hidden cell keeps it from the total.
            channel="hotline" if n < 3 else "walk_in" if n < 12 else "web",
            outcome=rng.choice(["", "dismissed"]),
            outcome_at=datetime(2025, 7, 1, tzinfo=UTC),
        )
    await figures.rebuild_all()
    report = build(quarter(2025, 2), await load(quarter(2025, 2)), LIMIT, public=True)
    tables: list[Table] = [report.workers, *report.tables]
    hidden = 0
    for table in tables:
        counts = Counts([row.cells[0] for row in table.rows], table.total)
        assert_safe(counts, LIMIT, table.key)
        hidden += sum(1 for c in counts.cells if c.hidden)
    for column, total in ((0, report.received), (1, report.resolved)):
        assert_safe(Counts([row.cells[column] for row in report.monthly.rows], total), LIMIT)
    assert hidden, "the data has small cells: some must be hidden"
    assert report.received.value == 60 and report.received.shown
