"""Scheduled jobs. In the one-process setup they run inside the web server; with several
workers, `portal scheduler` runs them in a process of their own (PORTAL_RUN_SCHEDULER=false
for the web workers)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from portal import clock, uploads
from portal.accounts import services as accounts
from portal.agencies import jobs as agency_jobs
from portal.checklists import jobs as checklist_jobs
from portal.complaints import jobs as complaint_jobs
from portal.notifications import jobs as notification_jobs
from portal.notifications.lease import holder_name
from portal.notifications.watchers import scan
from portal.security import purge_rate_limit_events
from portal.settings import Settings

log = logging.getLogger("portal.scheduler")

# Each domain's deadline watchers register themselves when its jobs module is imported:
# `scan` (portal alerts, the deadline_scan job) runs them all.
DOMAIN_JOBS = (agency_jobs, checklist_jobs, complaint_jobs)
__all__ = ["DOMAIN_JOBS", "create_scheduler", "housekeeping", "scan"]


async def housekeeping(settings: Settings) -> None:
    """Delete expired sessions and stale rate-limit counts; safe to run any number of times."""
    removed = await accounts.purge_expired_sessions(settings)
    await purge_rate_limit_events(clock.now())
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
    # At start-up, then daily: the files a crash or a failed request left behind.
    scheduler.add_job(
        uploads.sweep,
        "interval",
        days=1,
        next_run_time=clock.now(),
        id="sweep_files",
        coalesce=True,
        max_instances=1,
    )
    # Deadline alerts and e-mail: every process may register them, only the holder of
    # the lease in the database runs them (see portal/notifications/lease.py).
    holder = holder_name()
    scheduler.add_job(
        notification_jobs.deadline_scan,
        "interval",
        minutes=5,
        args=[holder],
        id="deadline_scan",
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        notification_jobs.send_mail,
        "interval",
        minutes=1,
        args=[settings, holder],
        id="send_mail",
        coalesce=True,
        max_instances=1,
    )
    return scheduler
