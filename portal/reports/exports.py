"""Downloads of a report: CSV (one long table, UTF-8 with a BOM so Excel reads Khmer) and
XLSX (one sheet per table, numbers as numbers), in the reader's language."""

from __future__ import annotations

import csv
import io
import re

import xlsxwriter

from portal.i18n import gettext as _
from portal.reports.report import Table, shown
from portal.reports.services import ReportPage
from portal.reports.suppression import Cell

# A spreadsheet takes a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def tables_of(page: ReportPage) -> list[Table]:
    """Every table of a report page, the COC pictures' with their cycle in the title."""
    tables = list(page.report.all_tables)
    for cycle in page.cycles:
        for table in (cycle.bands, cycle.articles):
            tables.append(
                Table(
                    table.key,
                    f"{table.title}: {cycle.title}",
                    table.explanation,
                    table.columns,
                    table.rows,
                    table.total,
                )
            )
    return tables


def safe(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def value_of(cell: Cell, limit: int) -> int | float | str:
    """A number as a number; a hidden one as the words the page shows."""
    if cell.hidden or cell.value is None:
        return shown(cell, limit) if cell.hidden else ""
    return cell.value


def to_csv(page: ReportPage) -> bytes:
    """One row per figure: table, category, label, column, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Table"), _("Code"), _("Category"), _("Column"), _("Value")])
    limit = page.report.threshold
    for table in tables_of(page):
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=False):
                value = value_of(cell, limit)
                writer.writerow(
                    [
                        safe(table.title),
                        safe(row.code),
                        safe(row.label),
                        safe(column),
                        safe(value) if isinstance(value, str) else value,
                    ]
                )
        if table.total is not None:
            writer.writerow(
                [
                    safe(table.title),
                    "total",
                    _("Total"),
                    safe(table.columns[0]),
                    value_of(table.total, limit),
                ]
            )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(page: ReportPage) -> bytes:
    """A workbook with a sheet per table: its title, explanation, header and rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    limit = page.report.threshold
    # Under each title: the period and every filter the report counts by.
    heading = " · ".join(filter(None, (page.report.period.label, page.scope.label)))
    for number, table in enumerate(tables_of(page), start=1):
        name = _SHEET_NAME_BAD.sub(" ", f"{number} {table.title}")[:31].strip()
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, table.title, bold)
        sheet.write_string(1, 0, table.explanation)
        sheet.write_string(2, 0, heading)
        sheet.write_row(3, 0, ["", *table.columns], bold)
        line = 4
        for row in table.rows:
            sheet.write_string(line, 0, row.label)
            for column, cell in enumerate(row.cells, start=1):
                _write(sheet, line, column, value_of(cell, limit))
            line += 1
        if table.total is not None:
            sheet.write_string(line, 0, _("Total"), bold)
            _write(sheet, line, 1, value_of(table.total, limit))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(table.columns), 18)
    book.close()
    return buffer.getvalue()


def _write(sheet: xlsxwriter.worksheet.Worksheet, line: int, column: int, value: object) -> None:
    if isinstance(value, int | float):
        sheet.write_number(line, column, value)
    else:
        sheet.write_string(line, column, str(value))
