"""The agencies' deadline watchers: licences about to expire, suspensions whose end has
passed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from portal.agencies import licence
from portal.agencies.tables import Agency, LicenceAction, LicenceEvent, LicenceStatus
from portal.deadlines import PHNOM_PENH
from portal.notifications.services import Due
from portal.notifications.watchers import admins, agency_staff, watcher

# Licence expiry: warn this many days ahead, the nearest threshold crossed only.
LICENCE_THRESHOLDS = (60, 30)


def _licence_alert(
    kind: str,
    agency_id: int,
    threshold: str,
    day: date,
    recipients: tuple[int, ...],
    agency: dict[str, Any],
    **params: Any,
) -> Due:
    """An alert about an agency's licence, due on `day`, naming the agency and licence."""
    return Due(
        kind=kind,
        record_type="agency",
        record_id=agency_id,
        threshold=threshold,
        due_at=datetime.combine(day, time(0), PHNOM_PENH),
        recipients=recipients,
        params={
            "agency_en": agency["name_en"],
            "agency_km": agency["name_km"],
            "licence": agency["licence_number"],
            **params,
        },
        link=f"/agencies/{agency_id}",
    )


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
            _licence_alert(
                "licence_expiry",
                row["id"],
                f"{threshold}d",
                row["licence_expires_on"],
                (*admin_ids, *staff[row["id"]]),
                row,
                days=days_left,
            )
        )
    return found


@watcher("suspension_ended")
async def suspension_ended(now: datetime) -> list[Due]:
    """Suspended licences whose suspension's end date has passed: the admins hear once
    (per suspension), to record the reinstatement or a revocation."""
    today = now.astimezone(PHNOM_PENH).date()
    suspensions = await (
        LicenceEvent.select(
            LicenceEvent.agency,
            LicenceEvent.suspended_until,
            LicenceEvent.agency.name_en.as_alias("name_en"),
            LicenceEvent.agency.name_km.as_alias("name_km"),
            LicenceEvent.agency.licence_number.as_alias("licence_number"),
        )
        .where(
            (LicenceEvent.action == LicenceAction.suspended)
            & (LicenceEvent.agency.licence_status == LicenceStatus.suspended)
        )
        .order_by(LicenceEvent.decided_on, LicenceEvent.id)
    )
    # The agency's latest suspension is the one its licence is under.
    latest = {row["agency"]: row for row in suspensions}
    ended = [r for r in latest.values() if r["suspended_until"] and r["suspended_until"] < today]
    if not ended:
        return []
    admin_ids = tuple(await admins())
    return [
        _licence_alert(
            "suspension_ended",
            row["agency"],
            f"ended {row['suspended_until'].isoformat()}",
            row["suspended_until"],
            admin_ids,
            row,
        )
        for row in ended
    ]
