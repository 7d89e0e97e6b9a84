"""The public agency registry: search and one agency's public record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import db
from portal.access import or_404
from portal.agencies.tables import Agency, LicenceStatus

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
    query = Agency.select(*PUBLIC_COLUMNS).order_by(Agency.licence_number).limit(PAGE_SIZE + 1)
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
        query = query.where(Agency.licence_status == filters.status)
    if after:
        query = query.where(Agency.licence_number > after)
    rows = await query
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1]["licence_number"] if more else None)


async def provinces() -> list[str]:
    rows = await Agency.select(Agency.province).distinct().order_by(Agency.province)
    return [r["province"] for r in rows if r["province"]]


async def public_record(agency_id: int) -> dict[str, Any]:
    return or_404(await Agency.select(*PUBLIC_COLUMNS).where(Agency.id == agency_id).first())
