"""Which record an audit entry is about: its name and the page that shows it."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from portal import i18n
from portal.accounts.tables import User
from portal.agencies.tables import Agency
from portal.checklists.tables import Clarification
from portal.complaints.tables import Complaint
from portal.i18n import N_

# object_type → the page of that record; "{id}" is the stored id (or the id looked up below).
PAGES = {
    "complaint": "/cases/{id}",
    "agency": "/admin/agencies/{id}/edit",
    "user": "/admin/users/{id}",
    "checklist": "/admin/checklists/{id}",
    "cycle": "/cycles/{id}",
    "assessment": "/assessments/{id}",
    "clarification": "/assessments/{id}",
    "holiday": "/admin/holidays",
    "report": "/reports?period={id}",
}

# A record without a page of its own (a setting, a whole list): the page that shows it.
SETTINGS = {
    "agency": ("/admin/agencies", N_("Agencies")),
    "deadline_policy": ("/admin/deadlines", N_("Deadlines")),
    "report_setting": ("/admin/statistics", N_("Statistics")),
    "retention": ("/admin/personal-data", N_("Personal data")),
}

# object_type → (table, key column, page id column, name column): entries store a complaint
# by its reference and a clarification by its own id, whose page is its assessment's.
LOOKUPS: dict[str, tuple[type[Table], Column, Column, Column]] = {
    "complaint": (Complaint, Complaint.reference, Complaint.id, Complaint.reference),
    "user": (User, User.id, User.id, User.email),
    "agency": (Agency, Agency.id, Agency.id, Agency.licence_number),
    "clarification": (Clarification, Clarification.id, Clarification.assessment, Clarification.id),
}


async def _found(object_type: str, keys: set[str]) -> dict[str, tuple[Any, Any]]:
    table, key, page_id, name = LOOKUPS[object_type]
    wanted: list[Any] = (
        list(keys) if key is Complaint.reference else [int(k) for k in keys if k.isdigit()]
    )
    if not wanted:
        return {}
    rows = await table.select(key.as_alias("k"), page_id.as_alias("p"), name.as_alias("n")).where(
        key.is_in(wanted)
    )
    return {str(row["k"]): (row["p"], row["n"]) for row in rows}


async def add_links(events: list[dict[str, Any]]) -> None:
    """Give each entry `record` (what it names) and `record_url` (its page)."""
    found: dict[str, dict[str, tuple[Any, Any]]] = {}
    for object_type in LOOKUPS:
        keys = {
            e["object_id"] for e in events if e["object_type"] == object_type and e["object_id"]
        }
        found[object_type] = await _found(object_type, keys) if keys else {}
    for event in events:
        kind, key = event["object_type"], event["object_id"]
        if kind in SETTINGS and (kind != "agency" or not key):
            page, name = SETTINGS[kind]
            event["record"], event["record_url"] = i18n.gettext(name), page
            continue
        page_id, label = found.get(kind, {}).get(key, (key, key))
        event["record"] = label
        event["record_url"] = PAGES[kind].format(id=page_id) if kind in PAGES and key else ""
