"""Suppression across periods: no hidden count follows from two public periods side by side.

Every public period is a union of whole calendar quarters (see `periods`), and each
quarter is suppressed on its own. A longer period (a year, the last four quarters) then
shows a figure only when that figure is shown in every one of its quarters, and hides it
otherwise. What it shows is then the sum of figures the quarters already show, so no
combination of periods tells a reader more than the quarters do one by one; and quarters
share no complaint, so none can be subtracted from another."""

from __future__ import annotations

from collections.abc import Iterable

from portal.reports.report import Report, Row, Table
from portal.reports.suppression import COMPLEMENTARY, SMALL, Cell


def _follow(cell: Cell, parts: Iterable[Cell | None], limit: int) -> None:
    """Hide `cell` when any of its parts is hidden (a part not counted is a shown zero)."""
    if any(part is not None and part.hidden for part in parts):
        cell.hidden = SMALL if 0 < (cell.value or 0) < limit else COMPLEMENTARY
    else:
        cell.hidden = ""


def _row_cell(table: Table, code: str, column: int = 0) -> Cell | None:
    found: list[Row] = [row for row in table.rows if row.code == code]
    return found[0].cells[column] if found else None


def _follow_table(table: Table, parts: list[Table], limit: int) -> None:
    for row in table.rows:
        for column, cell in enumerate(row.cells):
            _follow(cell, [_row_cell(part, row.code, column) for part in parts], limit)
    if table.total is not None:
        _follow(table.total, [part.total for part in parts], limit)


def follow_quarters(report: Report, quarters: list[Report], limit: int) -> None:
    """Suppress a longer period's (unsuppressed) report as its quarters are suppressed."""
    for name in ("received", "resolved", "acknowledged_in_time", "disability", "lgbtqia"):
        _follow(getattr(report, name), [getattr(q, name) for q in quarters], limit)
    _follow_table(report.workers, [q.workers for q in quarters], limit)
    for table in report.tables:
        _follow_table(table, [_table(q, table.key) for q in quarters], limit)
    # A month is in one quarter: shown as that quarter shows it.
    months = {row.code: row for q in quarters for row in q.monthly.rows}
    for row in report.monthly.rows:
        for cell, part in zip(row.cells, months[row.code].cells, strict=True):
            _follow(cell, [part], limit)
    for money in report.money:
        cases = [m.cases for q in quarters for m in q.money if m.currency == money.currency]
        _follow(money.cases, cases, limit)
    if report.resolved.hidden or (report.resolved.value or 0) < limit:
        report.median_days = None


def _table(report: Report, key: str) -> Table:
    return next(table for table in report.tables if table.key == key)
