"""When each complaint stage falls due: the one place that computes due times.

Durations are clock hours or working days, measured in Asia/Phnom_Penh time. Working days
skip weekends; public holidays and admin-edited policies extend this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.i18n import N_

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


class Stage(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    AGENCY_RESPONSE = "agency_response"
    INVESTIGATION = "investigation"
    RESOLUTION = "resolution"


STAGE_LABELS = {
    Stage.ACKNOWLEDGE: N_("Acknowledgement"),
    Stage.AGENCY_RESPONSE: N_("Agency response"),
    Stage.INVESTIGATION: N_("Investigation or mediation"),
    Stage.RESOLUTION: N_("Resolution"),
}


class Unit(StrEnum):
    HOURS = "hours"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit


# MOLVT 2024-2028 plan: acknowledged within 48 hours; Prakas 249 (as the ILO summarises
# it): dealt with within ten working days of receipt.
DEFAULT_POLICY: dict[Stage, Duration] = {
    Stage.ACKNOWLEDGE: Duration(48, Unit.HOURS),
    Stage.AGENCY_RESPONSE: Duration(5, Unit.WORKING_DAYS),
    Stage.INVESTIGATION: Duration(10, Unit.WORKING_DAYS),
    Stage.RESOLUTION: Duration(10, Unit.WORKING_DAYS),
}


async def due_at(stage: Stage, start: datetime) -> datetime:
    """When `stage` falls due if its clock starts at `start` (an aware datetime)."""
    return add(start, DEFAULT_POLICY[stage])


def add(start: datetime, duration: Duration) -> datetime:
    if duration.unit == Unit.HOURS:
        return start + timedelta(hours=duration.amount)
    local = start.astimezone(PHNOM_PENH)
    remaining = duration.amount
    while remaining:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local.astimezone(start.tzinfo)


def extend_for_pause(due: datetime, paused_since: datetime, resumed_at: datetime) -> datetime:
    """A due time moved on by the time the clock stood still (waiting on the complainant)."""
    return due + max(resumed_at - paused_since, timedelta(0))
