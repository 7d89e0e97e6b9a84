"""Small-cell suppression for public figures.

A count from 1 to threshold - 1 is shown as "fewer than N" (primary suppression). Where a
table's total is shown, the hidden cells' sum is known (total minus the shown cells); so
more cells are hidden (the smallest first, complementary suppression) until no hidden
cell's value follows from that sum and what the reader knows of each hidden cell (a
"fewer than N" cell is 1..N-1, any other hidden cell at least N). When no cell is left to
hide, the total is hidden too. Zeros are shown: they describe no one."""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL = "small"  # shown as "fewer than N"
COMPLEMENTARY = "complementary"  # hidden so that a small cell cannot be worked out


@dataclass
class Cell:
    value: int | float | None  # None: nothing to count (an average over no one)
    hidden: str = ""  # "", SMALL or COMPLEMENTARY

    @property
    def shown(self) -> bool:
        return not self.hidden


@dataclass
class Counts:
    """A table of counts: its cells and, when the categories add up to it, its total."""

    cells: list[Cell]
    total: Cell | None = None
    notes: list[str] = field(default_factory=list)


def bounds(cell: Cell, threshold: int) -> tuple[float, float]:
    """What a reader knows of a cell's value from how it is shown."""
    if cell.hidden == SMALL:
        return 1, threshold - 1
    if cell.hidden == COMPLEMENTARY:
        return threshold, float("inf")
    value = cell.value or 0
    return value, value


def recoverable(counts: Counts, threshold: int) -> list[int]:
    """The hidden cells whose value a reader can work out from the shown total: each cell's
    range given the hidden sum and the others' ranges collapses to one value."""
    if counts.total is None or counts.total.hidden:
        return []
    hidden = [i for i, cell in enumerate(counts.cells) if cell.hidden]
    if not hidden:
        return []
    rest = (counts.total.value or 0) - sum((cell.value or 0) for cell in counts.cells if cell.shown)
    found = []
    for i in hidden:
        lowest, highest = bounds(counts.cells[i], threshold)
        others = [bounds(counts.cells[j], threshold) for j in hidden if j != i]
        low = max(lowest, rest - sum(high for _, high in others))
        high = min(highest, rest - sum(low_ for low_, _ in others))
        if low == high:
            found.append(i)
    return found


def suppress(counts: Counts, threshold: int) -> Counts:
    """Hide the small cells, and enough others that none of them can be worked out."""
    if counts.total is not None and 0 < (counts.total.value or 0) < threshold:
        counts.total.hidden = SMALL
    for cell in counts.cells:
        if cell.value and cell.value < threshold:
            cell.hidden = SMALL
    if not any(cell.hidden for cell in counts.cells):
        return counts
    while recoverable(counts, threshold):
        candidates = [cell for cell in counts.cells if cell.shown and cell.value]
        if not candidates:
            assert counts.total is not None  # recoverable() needs a shown total
            counts.total.hidden = COMPLEMENTARY
            break
        min(candidates, key=lambda cell: cell.value or 0).hidden = COMPLEMENTARY
    return counts


def single(value: float, threshold: int) -> Cell:
    """A figure standing alone: hidden when small."""
    return Cell(value, SMALL if 0 < value < threshold else "")
