"""The registry's CSV import: agencies added and existing ones (matched by licence number)
updated, shown row by row before anything is saved, then saved all together or not at all.

Between the preview and the admin's confirmation the file waits on the server
(`PendingImport`, named by a random token only the uploader's confirmation sends back);
the confirmation reads it again against the registry as it is then. A column the file
leaves out keeps each existing agency's value; a licence's status and dates change only by
a decision in its history, so a row that would change them is an error.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from portal import clock, db
from portal.agencies import history, licence
from portal.agencies.services import CSV_COLUMNS, LICENCE_FIELDS, PUBLIC_COLUMNS, clean_agency
from portal.agencies.tables import Agency, PendingImport
from portal.audit import services as audit
from portal.i18n import N_
from portal.i18n import gettext as _

MAX_IMPORT_BYTES = 2 * 1024 * 1024
KEPT_FOR = timedelta(hours=12)  # a preview left unconfirmed longer than this is dropped

ADDED, CHANGED, UNCHANGED, ERROR = "added", "changed", "unchanged", "error"
OUTCOMES = {
    ADDED: N_("Added"),
    CHANGED: N_("Changed"),
    UNCHANGED: N_("Unchanged"),
    ERROR: N_("Error"),
}


@dataclass
class RowPreview:
    """What one line of the file would do."""

    line: int
    licence_number: str
    outcome: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old, new
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    agency_id: int | None = None


@dataclass
class Preview:
    """The file's rows, or (and then no row) what keeps the file from being read."""

    rows: list[RowPreview] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def can_save(self) -> bool:
        return not self.problems and all(row.outcome != ERROR for row in self.rows)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


def _lines(reader: csv.DictReader, preview: Preview) -> Iterator[tuple[int, dict[str, Any]]]:
    """The file's rows with their line numbers, until one the csv module cannot read."""
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error:  # raised before the line is counted
        preview.problems.append(
            (reader.line_num + 1, _("This line cannot be read as CSV: is a cell very long?"))
        )


def _reader(content: bytes, preview: Preview) -> csv.DictReader | None:
    if len(content) > MAX_IMPORT_BYTES:
        preview.problems.append((0, _("The file is larger than 2 MB.")))
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.problems.append((0, _("Save the file as CSV in UTF-8 and try again.")))
        return None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"licence_number", "name_en"} - set(reader.fieldnames or [])
    if missing:
        preview.problems.append(
            (
                1,
                _("The first line must name the columns; missing: %(columns)s")
                % {"columns": ", ".join(sorted(missing))},
            )
        )
        return None
    return reader


async def _stored(numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The agencies with these licence numbers, their values as the file would write them."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(numbers), 500):
        rows = await Agency.select(*PUBLIC_COLUMNS).where(
            Agency.licence_number.is_in(numbers[start : start + 500])
        )
        for row in licence.with_shown_status(rows):
            found[row["licence_number"]] = row
    return found


def _compare(row: RowPreview, stored: dict[str, Any], columns: set[str]) -> None:
    """The changes the row makes to an existing agency; a licence change is an error."""
    for name in CSV_COLUMNS:
        old, new = _text(stored[name]), _text(row.values[name])
        if old == new:
            continue
        if name == "licence_status" and new == stored["shown_status"]:
            row.values[name] = stored[name]  # "expired" for a lapsed active licence: the same
        elif name in LICENCE_FIELDS:
            row.errors.append(
                _(
                    "%(column)s would change from “%(old)s” to “%(new)s”: a licence's status "
                    "and dates change by a decision in the agency's licence history."
                )
                % {"column": name, "old": old, "new": new}
            )
        elif name in columns:
            row.changes.append((name, old, new))


async def preview(content: bytes) -> Preview:
    """What importing the file would do, row by row; nothing is saved."""
    result = Preview()
    reader = _reader(content, result)
    if reader is None:
        return result
    lines = list(_lines(reader, result))
    columns = set(reader.fieldnames or []) & set(CSV_COLUMNS)
    stored = await _stored(
        sorted({(r.get("licence_number") or "").strip() for _, r in lines} - {""})
    )
    seen: dict[str, int] = {}
    for line, cells in lines:
        number = (cells.get("licence_number") or "").strip()
        existing = stored.get(number)
        given = {k: v for k, v in cells.items() if k in columns}
        base = {k: _text(existing[k]) for k in CSV_COLUMNS} if existing else {}
        values, errors = clean_agency({**base, **given})
        # An existing agency's value the file leaves out is kept, even one to fix later.
        errors = {k: v for k, v in errors.items() if k in given or not existing}
        row = RowPreview(line, number, ADDED, errors=list(errors.values()), values=values)
        if number in seen:
            row.errors.append(
                _("Licence number %(number)s is also on line %(line)s.")
                % {"number": number, "line": seen[number]}
            )
        seen.setdefault(number, line)
        if existing and not row.errors:
            row.agency_id = existing["id"]
            _compare(row, existing, columns)
            row.outcome = CHANGED if row.changes else UNCHANGED
        if row.errors:
            row.outcome = ERROR
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append((2, _("The file has no agencies in it.")))
    return result


async def keep(owner_id: int, content: bytes) -> str:
    """Keep the file for its confirmation; returns the token that names it."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    async with db.transaction():
        await PendingImport.delete().where(PendingImport.created_at < now - KEPT_FOR)
        await PendingImport(
            token=token, owner_id=owner_id, content=content.decode("utf-8-sig"), created_at=now
        ).save()
    return token


async def confirm(actor: Any, token: str) -> Preview | None:
    """Save the kept file: every row, in one transaction, or nothing. None when no file is
    kept under this token for this admin (confirmed already, or too old); the preview as
    it is now, with `can_save` false, when the registry changed meanwhile and a row no
    longer passes."""
    kept = await (
        PendingImport.select(PendingImport.id, PendingImport.content)
        .where(
            (PendingImport.token == token)
            & (PendingImport.owner_id == actor.id)
            & (PendingImport.created_at >= clock.now() - KEPT_FOR)
        )
        .first()
    )
    if kept is None:
        return None
    result = await preview(kept["content"].encode())
    async with db.transaction():
        await PendingImport.delete().where(PendingImport.id == kept["id"])
        if result.can_save:
            await _save(actor, result)
    return result


async def _save(actor: Any, result: Preview) -> None:
    now = clock.now()
    added = [row for row in result.rows if row.outcome == ADDED]
    for row in added:
        agency = Agency(**row.values, created_at=now)
        await agency.save()
        if (issued := history.issued(row.values)) is not None:
            await history.save_event(agency.id, issued, now)
    for row in result.rows:
        if row.outcome == CHANGED:
            await Agency.update(
                {getattr(Agency, name): row.values[name] for name, _old, _new in row.changes}
            ).where(Agency.id == row.agency_id)
            await audit.record(
                actor,
                "agency.import_updated",
                "agency",
                row.agency_id,
                f"{row.licence_number}: " + ", ".join(name for name, _o, _n in row.changes),
            )
    if added:
        await audit.record(actor, "agency.imported", "agency", "", f"{len(added)} agencies")
