"""The public agency registry: search and one agency's public record."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal import clock, db, i18n, paging
from portal.access import or_404
from portal.agencies import licence
from portal.agencies.tables import Agency, Association, LicenceStatus
from portal.audit import services as audit
from portal.errors import FormErrors
from portal.forms import (
    CONTROL_CHARACTER_MESSAGE,
    has_control_character,
    is_email_address,
    too_long,
)
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, SECTORS

PAGE_SIZE = 25

# What anyone may see of an agency: nothing here is personal data.
PUBLIC_COLUMNS = (
    Agency.id,
    Agency.licence_number,
    Agency.name_en,
    Agency.name_km,
    Agency.licence_status,
    Agency.licence_issued_on,
    Agency.licence_expires_on,
    Agency.association,
    Agency.province,
    Agency.address,
    Agency.phone,
    Agency.email,
    Agency.destinations,
    Agency.sectors,
)


@dataclass(frozen=True)
class RegistryFilters:
    text: str = ""
    province: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.text or self.province or self.status)


async def search(filters: RegistryFilters, after: str = "") -> tuple[list[dict], str | None]:
    """One page of agencies in licence-number order, and the licence number to continue
    after (None on the last page). The text matches English or Khmer names and licence
    numbers."""
    query = Agency.select(*PUBLIC_COLUMNS).order_by(Agency.licence_number)
    text = filters.text.strip()
    if text:
        query = query.where(
            db.icontains(Agency.name_en, text)
            | db.icontains(Agency.name_km, text)
            | db.icontains(Agency.licence_number, text)
        )
    if filters.province:
        query = query.where(Agency.province == filters.province)
    if filters.status in {s.value for s in LicenceStatus}:
        query = query.where(licence.status_is(filters.status, licence.today()))
    if after:
        query = query.where(Agency.licence_number > after)
    rows, next_after = await paging.fetch(query, PAGE_SIZE, lambda row: row["licence_number"])
    return licence.with_shown_status(rows), next_after


async def provinces() -> list[str]:
    rows = await Agency.select(Agency.province).distinct().order_by(Agency.province)
    return [r["province"] for r in rows if r["province"]]


async def public_record(agency_id: int) -> dict[str, Any]:
    row = or_404(await Agency.select(*PUBLIC_COLUMNS).where(Agency.id == agency_id).first())
    return licence.with_shown_status([row])[0]


def codes(stored: str) -> list[str]:
    """The codes kept in `destinations` or `sectors` ("TH,MY"; a form sends "TH;MY")."""
    return [code.strip() for code in stored.replace(";", ",").split(",") if code.strip()]


def _clean_codes(text: str, allowed: dict[str, str]) -> tuple[str, list[str]]:
    """Codes written "TH;MY" (a CSV cell) or "TH,MY", kept in the list's order, and the
    ones that are not in the list."""
    given = set(codes(text))
    return ",".join(code for code in allowed if code in given), sorted(given - set(allowed))


# --- the admin's registry management ---------------------------------------------------

CSV_COLUMNS = (
    "licence_number",
    "name_en",
    "name_km",
    "licence_status",
    "licence_issued_on",
    "licence_expires_on",
    "association",
    "province",
    "address",
    "phone",
    "email",
    "destinations",
    "sectors",
)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# The longest each text may be: what its column holds (the address, free text: 1,000).
TEXT_LIMITS = {
    name: getattr(Agency, name).length for name in ("name_en", "name_km", "province", "phone")
} | {"address": 1000}


def clean_agency(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The agency's fields from a form or CSV row, and an error message per wrong field."""
    values: dict[str, Any] = {c: (form.get(c) or "").strip() for c in CSV_COLUMNS}
    errors: dict[str, str] = {}
    control = i18n.gettext(CONTROL_CHARACTER_MESSAGE)  # a CSV cell is no form field
    refused = {name: control for name, value in values.items() if has_control_character(value)}
    if not values["licence_number"]:
        errors["licence_number"] = _("Enter the licence number.")
    elif len(values["licence_number"]) > 50:
        errors["licence_number"] = _("A licence number has at most 50 characters.")
    if not values["name_en"]:
        errors["name_en"] = _("Enter the agency's name in English.")
    values["licence_status"] = values["licence_status"] or LicenceStatus.active.value
    if values["licence_status"] not in {s.value for s in LicenceStatus}:
        errors["licence_status"] = _(
            "Licence status must be active, suspended, revoked or expired."
        )
    values["association"] = values["association"] or Association.none.value
    if values["association"] not in {a.value for a in Association}:
        errors["association"] = _("Association must be acra, mac or none.")
    for name in ("licence_issued_on", "licence_expires_on"):
        if values[name]:
            try:
                values[name] = date.fromisoformat(values[name])
            except ValueError:
                errors[name] = _("Write the date as YYYY-MM-DD, for example 2026-01-31.")
        else:
            values[name] = None
    issued, expires = values["licence_issued_on"], values["licence_expires_on"]
    if isinstance(issued, date) and isinstance(expires, date) and expires < issued:
        errors["licence_expires_on"] = _("The licence cannot expire before it was issued.")
    if values["email"] and not is_email_address(values["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    errors = too_long(values, TEXT_LIMITS) | errors | refused
    values["destinations"], unknown = _clean_codes(values["destinations"], DESTINATIONS)
    if unknown:
        errors["destinations"] = _(
            "Unknown destination code: %(codes)s. Use codes from this list: %(allowed)s."
        ) % {"codes": ", ".join(unknown), "allowed": ", ".join(DESTINATIONS)}
    values["sectors"], unknown = _clean_codes(values["sectors"], SECTORS)
    if unknown:
        errors["sectors"] = _(
            "Unknown sector code: %(codes)s. Use codes from this list: %(allowed)s."
        ) % {"codes": ", ".join(unknown), "allowed": ", ".join(SECTORS)}
    return values, errors


async def _licence_taken(licence_number: str, except_id: int | None = None) -> bool:
    query = Agency.exists().where(Agency.licence_number == licence_number)
    if except_id is not None:
        query = query.where(Agency.id != except_id)
    return await query


async def create_agency(actor: Any, form: dict[str, str]) -> Agency:
    values, errors = clean_agency(form)
    if "licence_number" not in errors and await _licence_taken(values["licence_number"]):
        errors["licence_number"] = _("Another agency already has this licence number.")
    if errors:
        raise FormErrors(errors)
    agency = Agency(**values, created_at=clock.now())
    async with db.transaction():
        await agency.save()
        await audit.record(actor, "agency.created", "agency", agency.id, values["licence_number"])
    return agency


async def update_agency(actor: Any, agency_id: int, form: dict[str, str]) -> None:
    or_404(await Agency.select(Agency.id).where(Agency.id == agency_id).first())
    values, errors = clean_agency(form)
    if "licence_number" not in errors and await _licence_taken(values["licence_number"], agency_id):
        errors["licence_number"] = _("Another agency already has this licence number.")
    if errors:
        raise FormErrors(errors)
    async with db.transaction():
        await Agency.update({getattr(Agency, k): v for k, v in values.items()}).where(
            Agency.id == agency_id
        )
        await audit.record(actor, "agency.updated", "agency", agency_id, values["licence_number"])


@dataclass
class ImportReport:
    """What an import did: rows added, or (and then nothing was added) what was wrong."""

    added: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def _rows(reader: csv.DictReader, report: ImportReport) -> Iterator[dict[str, Any]]:
    """The file's rows, until one the csv module cannot read (a cell over 128 KB)."""
    try:
        yield from reader
    except csv.Error:  # raised before the line is counted
        report.problems.append(
            (reader.line_num + 1, _("This line cannot be read as CSV: is a cell very long?"))
        )


async def import_csv(actor: Any, content: bytes) -> ImportReport:
    """Add every agency in a CSV file, or none: each refused row is reported with its line."""
    report = ImportReport()
    if len(content) > MAX_IMPORT_BYTES:
        report.problems.append((0, _("The file is larger than 2 MB.")))
        return report
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append((0, _("Save the file as CSV in UTF-8 and try again.")))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = {"licence_number", "name_en"} - set(reader.fieldnames or [])
    if missing:
        report.problems.append(
            (
                1,
                _("The first line must name the columns; missing: %(columns)s")
                % {"columns": ", ".join(sorted(missing))},
            )
        )
        return report
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in _rows(reader, report):
        line = reader.line_num
        values, errors = clean_agency(row)
        number = values["licence_number"]
        if number in seen:
            errors["licence_number"] = _("Licence number %(number)s is also on line %(line)s.") % {
                "number": number,
                "line": seen[number],
            }
        elif number and await _licence_taken(number):
            errors["licence_number"] = _(
                "Licence number %(number)s is already in the registry."
            ) % {"number": number}
        seen.setdefault(number, line)
        report.problems.extend((line, message) for message in errors.values())
        rows.append(values)
    if not rows and not report.problems:
        report.problems.append((2, _("The file has no agencies in it.")))
    if report.problems:
        return report
    now = clock.now()
    async with db.transaction():
        await Agency.insert(*(Agency(**values, created_at=now) for values in rows))
        await audit.record(actor, "agency.imported", "agency", "", f"{len(rows)} agencies")
    report.added = len(rows)
    return report
