"""The agencies' deadline watcher: licences about to expire."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from portal.agencies import licence
from portal.agencies.tables import Agency, LicenceStatus
from portal.deadlines import PHNOM_PENH
from portal.notifications.services import Due
from portal.notifications.watchers import admins, agency_staff, watcher

# Licence expiry: warn this many days ahead, the nearest threshold crossed only.
LICENCE_THRESHOLDS = (60, 30)


@watcher("licence_expiry")
async def licence_expiry(now: datetime) -> list[Due]:
    """Active licences that expire within 60 days: admins and the agency's staff hear at
    60 and at 30 days ahead."""
    today = now.astimezone(PHNOM_PENH).date()
    rows = await Agency.select(
        Agency.id,
        Agency.name_en,
        Agency.name_km,
        Agency.licence_number,
        Agency.licence_expires_on,
    ).where(
        licence.status_is(LicenceStatus.active, today)
        & (Agency.licence_expires_on <= today + timedelta(days=max(LICENCE_THRESHOLDS)))
    )
    if not rows:
        return []
    admin_ids = await admins()
    staff = await agency_staff(row["id"] for row in rows)
    found = []
    for row in rows:
        days_left = (row["licence_expires_on"] - today).days
        threshold = min(t for t in LICENCE_THRESHOLDS if days_left <= t)
        found.append(
            Due(
                kind="licence_expiry",
                record_type="agency",
                record_id=row["id"],
                threshold=f"{threshold}d",
                due_at=datetime.combine(row["licence_expires_on"], time(0), PHNOM_PENH),
                recipients=(*admin_ids, *staff[row["id"]]),
                params={
                    "agency_en": row["name_en"],
                    "agency_km": row["name_km"],
                    "licence": row["licence_number"],
                    "days": days_left,
                },
                link=f"/agencies/{row['id']}",
            )
        )
    return found
