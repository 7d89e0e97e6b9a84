"""A lease in the database: only the scheduler holding it runs the deadline jobs.

Taking and renewing is one conditional UPDATE (holder is me, or the lease has run out),
which the database applies atomically, so two schedulers can never both hold it. A holder
that dies loses the lease when it runs out, and another scheduler takes over.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from portal.notifications.tables import SchedulerLease
from portal.security import new_token

LEASE_NAME = "scheduler"
LEASE_TIME = timedelta(minutes=3)
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def holder_name() -> str:
    """Who this scheduler is: host, process and a random part (a restart is someone new)."""
    return f"{socket.gethostname()}:{os.getpid()}:{new_token()[:8]}"


async def hold(holder: str, now: datetime, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease for LEASE_TIME from `now`; False if someone else holds it."""
    now = now.astimezone(UTC)
    await SchedulerLease.insert(
        SchedulerLease(name=name, holder="", expires_at=_NEVER)
    ).on_conflict(target=SchedulerLease.name, action="DO NOTHING")
    taken = (
        await SchedulerLease.update(
            {SchedulerLease.holder: holder, SchedulerLease.expires_at: now + LEASE_TIME}
        )
        .where(
            (SchedulerLease.name == name)
            & ((SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
        )
        .returning(SchedulerLease.id)
    )
    return bool(taken)


async def release(holder: str, name: str = LEASE_NAME) -> None:
    """Give the lease up at a clean shutdown, so another scheduler need not wait."""
    await SchedulerLease.update({SchedulerLease.expires_at: _NEVER}).where(
        (SchedulerLease.name == name) & (SchedulerLease.holder == holder)
    )
