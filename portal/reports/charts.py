"""Bar charts drawn as SVG by a template (templates/reports/_chart.html): here only the
arithmetic, so the template places rectangles and labels and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.reports.report import Table, shown
from portal.reports.services import ReportPage
from portal.reports.suppression import Cell

WIDTH = 320  # the drawing's own units; it scales to the screen, 360 px phones included
ROW = 22  # height of one bar and its gap
LABEL = 18  # the line above each group of bars for its label


@dataclass
class Bar:
    y: int
    width: float
    series: int  # which column of the table: its colour
    text: str  # the value as shown beside the bar


@dataclass
class Group:
    label: str
    y: int  # where its label's baseline is
    bars: list[Bar]


@dataclass
class Chart:
    key: str
    title: str
    legend: list[str]
    groups: list[Group]
    height: int


def bar_chart(table: Table, shown: Callable[[Cell], str], columns: int | None = None) -> Chart:
    """A horizontal bar chart of a table's first `columns` columns (all by default);
    `shown(cell)` writes a value as the page does, and a hidden value gets no bar."""
    columns = columns or len(table.columns)
    values = [
        cell.value or 0
        for row in table.rows
        for cell in row.cells[:columns]
        if cell.shown and cell.value is not None
    ]
    biggest = max(values, default=0) or 1
    usable = WIDTH - 60  # room for the number after the longest bar
    groups: list[Group] = []
    y = 0
    for row in table.rows:
        y += LABEL
        bars = []
        label_y = y - 4
        for series, cell in enumerate(row.cells[:columns]):
            width = usable * (cell.value or 0) / biggest if cell.shown else 0
            bars.append(Bar(y, round(width, 1), series, shown(cell)))
            y += ROW
        groups.append(Group(row.label, label_y, bars))
    return Chart(table.key, table.title, table.columns[:columns], groups, y + 4)


def charts_of(page: ReportPage) -> dict[str, Chart]:
    """The charts a report shows: received and resolved per month, grounds, and each
    cycle's ratings by band."""
    limit = page.report.threshold

    def show(cell: Cell) -> str:
        return shown(cell, limit)

    found = {
        "monthly": bar_chart(page.report.monthly, show),
        "ground": bar_chart(page.report.tables[0], show, 1),
    }
    for number, cycle in enumerate(page.cycles):
        found[f"bands{number}"] = bar_chart(cycle.bands, show)
    return found
