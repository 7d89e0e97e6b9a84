"""Scheduled jobs. In the one-process setup they run inside the web server; with several
workers, `portal scheduler` runs them in a process of their own (PORTAL_RUN_SCHEDULER=false
for the web workers)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from portal import clock
from portal.accounts import services as accounts
from portal.security import purge_throttle_events
from portal.settings import Settings

log = logging.getLogger("portal.scheduler")


async def housekeeping(settings: Settings) -> None:
    """Delete expired sessions and stale rate-limit counts; safe to run any number of times."""
    removed = await accounts.purge_expired_sessions(settings)
    await purge_throttle_events(clock.now())
    if removed:
        log.info("purged %d expired sessions", removed)


def create_scheduler(settings: Settings) -> AsyncIOScheduler:
    """Every job of every domain is registered here."""
    scheduler = AsyncIOScheduler(timezone="Asia/Phnom_Penh")
    scheduler.add_job(
        housekeeping,
        "interval",
        minutes=15,
        args=[settings],
        id="housekeeping",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
