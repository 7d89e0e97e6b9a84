"""The complaint export for officers and admins: every case received in a period with its
facts, stage, due and done times and outcome, as CSV or XLSX. Personal data (names and
contacts) only for admins, in columns marked so.

The file is written in the background into the data directory; the person who asked
sees a page that reloads itself until it is ready (any web worker can tell, the file is
the state)."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
from pathlib import Path
from typing import Any

import xlsxwriter

from portal import db, i18n
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.core.roles import Role
from portal.i18n import gettext as _
from portal.reports import background
from portal.reports.exports import safe
from portal.reports.figures import month_bounds
from portal.reports.periods import Period
from portal.settings import get_settings

BATCH = 2000  # complaints read per query (keyset on id)
KINDS = ("csv", "xlsx")
EXPORTED = Action.report_cases_exported.value

_FACTS = (
    "reference", "status", "received_at", "acknowledged_at", "stage", "stage_due_at",
    "resolution_due_at", "closed_at", "agency", "broker_name", "filer", "channel",
    "province", "destination", "sector", "grounds", "women", "men", "others",
    "outcome", "compensation", "compensation_currency", "sanction",
)  # fmt: skip
_PERSONAL = ("complainant_name", "phone", "email")


def headers(personal: bool) -> list[str]:
    """Column names; personal ones marked so a reader knows what to protect."""
    names = list(_FACTS)
    if personal:
        names += [_("%(column)s (personal data)") % {"column": name} for name in _PERSONAL]
    return names


async def rows(period: Period, personal: bool) -> list[list[Any]]:
    """The period's cases, oldest first, read a batch at a time."""
    start, end = month_bounds(period.first)[0], month_bounds(period.last)[1]
    found: list[list[Any]] = []
    last_id = 0
    while True:
        batch = await db.select(
            "SELECT c.*, a.licence_number AS licence,"
            " (SELECT count(*) FROM complaint_worker w WHERE w.complaint = c.id"
            "  AND w.sex = 'woman') AS women,"
            " (SELECT count(*) FROM complaint_worker w WHERE w.complaint = c.id"
            "  AND w.sex = 'man') AS men,"
            " (SELECT count(*) FROM complaint_worker w WHERE w.complaint = c.id) AS workers"
            " FROM complaint c LEFT JOIN agency a ON a.id = c.agency"
            " WHERE c.received_at >= {} AND c.received_at < {} AND c.id > {}"
            " ORDER BY c.id LIMIT {}",
            start,
            end,
            last_id,
            BATCH,
        )
        if not batch:
            return found
        grounds: dict[int, list[str]] = {}
        for row in await db.select(
            "SELECT complaint, ground FROM complaint_ground WHERE complaint >= {}"
            " AND complaint <= {}",
            batch[0]["id"],
            batch[-1]["id"],
        ):
            grounds.setdefault(row["complaint"], []).append(row["ground"])
        for case in batch:
            found.append(_line(case, grounds.get(case["id"], []), personal))
        last_id = batch[-1]["id"]
        await asyncio.sleep(0)  # other requests between batches


def _time(value: Any) -> str:
    return i18n.local_time(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _line(case: dict[str, Any], grounds: list[str], personal: bool) -> list[Any]:
    values = {
        **case,
        "agency": case["licence"] or "",
        "grounds": " ".join(sorted(grounds)),
        "others": case["workers"] - case["women"] - case["men"],
        "compensation": float(case["compensation"]) if case["compensation"] else None,
        **{k: _time(case[k]) for k in ("received_at", "acknowledged_at", "stage_due_at",
                                       "resolution_due_at", "closed_at")},
    }  # fmt: skip
    names = list(_FACTS) + (list(_PERSONAL) if personal else [])
    return [values[name] if values[name] is not None else "" for name in names]


def to_csv(names: list[str], lines: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for line in lines:
        writer.writerow([safe(v) if isinstance(v, str) else v for v in line])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def to_xlsx(names: list[str], lines: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(_("Complaints"))
    sheet.write_row(0, 0, names, book.add_format({"bold": True}))
    for number, line in enumerate(lines, start=1):
        for column, value in enumerate(line):
            if isinstance(value, int | float):
                sheet.write_number(number, column, value)
            else:
                sheet.write_string(number, column, str(value))
    book.close()
    return buffer.getvalue()


def _folder() -> Path:
    folder = get_settings().data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_of(user_id: int, token: str, kind: str) -> Path:
    """Where an export is written: its owner's id in the name, so no one else finds it."""
    return _folder() / f"{user_id}-{token}.{kind}"


async def start(user: Any, period: Period, kind: str) -> str:
    """Begin writing the export in the background; returns its token."""
    token = secrets.token_urlsafe(16)
    personal = user.role == Role.admin
    target = file_of(user.id, token, kind)
    target.with_suffix(".part").touch()
    await audit.record(
        user, EXPORTED, "report", period.key,
        f"complaint export, {kind.upper()}, {period.key}, all complaints"
        f"{', with personal data' if personal else ''}",
    )  # fmt: skip
    language = i18n.current_language.get()

    async def write() -> None:
        i18n.current_language.set(language)
        try:
            lines = await rows(period, personal)
            writer = to_csv if kind == "csv" else to_xlsx
            content = await asyncio.to_thread(writer, headers(personal), lines)
            target.write_bytes(content)
        finally:
            target.with_suffix(".part").unlink(missing_ok=True)

    background.start(write(), f"complaint export {token}")
    return token


def state(user_id: int, token: str, kind: str) -> str:
    """ "ready", "preparing", or "" when there is no such export (or it failed)."""
    target = file_of(user_id, token, kind)
    if target.exists():
        return "ready"
    return "preparing" if target.with_suffix(".part").exists() else ""
