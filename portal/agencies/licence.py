"""An agency's licence status as everyone sees it: the one place that says when a licence
counts as expired.

An active licence whose expiry date has passed (in Asia/Phnom_Penh: a licence expiring on
3 December is Expired from 4 December) shows Expired without anyone editing the row; a
suspended or revoked licence keeps the status the ministry decided. `shown_status` says it
for a fetched row, `status_is` for a query (a date comparison, so the registry filter stays
an indexed search).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from portal import clock
from portal.agencies.tables import Agency, LicenceStatus
from portal.deadlines import PHNOM_PENH

# What a row needs for `shown_status`: select these with the rest.
COLUMNS = (Agency.licence_status, Agency.licence_expires_on)


def today() -> date:
    """Today in Cambodia, where licences expire."""
    return clock.now().astimezone(PHNOM_PENH).date()


def shown_status(stored: str, expires_on: date | None, on: date) -> LicenceStatus:
    """The licence status on day `on`."""
    status = LicenceStatus(stored)
    if status is LicenceStatus.active and expires_on is not None and expires_on < on:
        return LicenceStatus.expired
    return status


def with_shown_status(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows, each with `shown_status` (a LicenceStatus: `.label` is its name) as of
    today; the stored `licence_status` is left as it is, for the admin's form."""
    on = today()
    return [
        {**row, "shown_status": shown_status(row["licence_status"], row["licence_expires_on"], on)}
        for row in rows
    ]


def status_is(status: str, on: date) -> Any:
    """A query condition: the agencies whose licence shows `status` on day `on`."""
    lapsed = Agency.licence_expires_on < on
    if status == LicenceStatus.expired:
        return (Agency.licence_status == LicenceStatus.expired) | (
            (Agency.licence_status == LicenceStatus.active) & lapsed
        )
    if status == LicenceStatus.active:
        return (Agency.licence_status == LicenceStatus.active) & (
            Agency.licence_expires_on.is_null() | (Agency.licence_expires_on >= on)
        )
    return Agency.licence_status == status
