"""Partner organisations (MRC, union, NGO): the complaints their organisation filed, and
only those."""

from __future__ import annotations

from typing import Any

from portal import paging
from portal.access import or_404
from portal.complaints import access
from portal.complaints.states import Status
from portal.complaints.tables import (
    Complaint,
)
from portal.errors import NotFound
from portal.i18n import gettext as _

PARTNER_PAGE = 25


async def partner_complaints(
    user: Any, before_id: int | None = None
) -> tuple[list[dict], int | None]:
    """The complaints the user's organisation filed, newest first, a page at a time (the
    next page starts below the last id shown)."""
    where = access.visible_to(user)
    if where is None:
        raise NotFound(_("Page not found."))
    query = Complaint.select(
        Complaint.id,
        Complaint.reference,
        Complaint.status,
        Complaint.received_at,
        Complaint.broker_name,
        Complaint.workers_count,
        Complaint.channel,
        Complaint.agency.name_en.as_alias("agency_name_en"),
        Complaint.agency.name_km.as_alias("agency_name_km"),
    ).where(where)
    rows, next_before = await paging.newest_first(query, Complaint.id, before_id, PARTNER_PAGE)
    for row in rows:
        row["status_label"] = Status(row["status"]).label
    return rows, next_before


async def partner_case_id(user: Any, complaint_id: int) -> int:
    """The id, if the user's organisation filed this complaint; otherwise NotFound."""
    where = access.visible_to(user)
    if where is None:
        raise NotFound(_("Page not found."))
    row = or_404(
        await Complaint.select(Complaint.id).where(where & (Complaint.id == complaint_id)).first()
    )
    return row["id"]
