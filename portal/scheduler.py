"""Scheduled jobs. In the one-process setup they run inside the web server; with several
workers, `portal scheduler` runs them in a process of their own (PORTAL_RUN_SCHEDULER=false
for the web workers)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from portal import clock, display, uploads
from portal.accounts import services as accounts
from portal.agencies import jobs as agency_jobs
from portal.checklists import jobs as checklist_jobs
from portal.complaints import jobs as complaint_jobs
from portal.notifications import jobs as notification_jobs
from portal.notifications.lease import holder_name
from portal.notifications.watchers import scan
from portal.reports import figures as report_figures
from portal.retention import services as retention
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
    # Missed runs make one run, and a job never runs twice at once.
    once = {"coalesce": True, "max_instances": 1}
    scheduler = AsyncIOScheduler(timezone="Asia/Phnom_Penh", job_defaults=once)
    scheduler.add_job(housekeeping, "interval", minutes=15, args=[settings], id="housekeeping")
    # The admin's digits on Khmer pages, for the e-mails and texts written here too (a
    # scheduler in a process of its own serves no request that would read it).
    scheduler.add_job(
        display.refresh,
        "interval",
        seconds=display.REFRESH_SECONDS,
        next_run_time=clock.now(),
        id="display_digits",
    )
    # At start-up, then daily: the files a crash or a failed request left behind.
    scheduler.add_job(
        uploads.sweep, "interval", days=1, next_run_time=clock.now(), id="sweep_files"
    )
    # Deadline alerts and e-mail: every process may register them, only the holder of
    # the lease in the database runs them (see portal/notifications/lease.py).
    holder = holder_name()
    scan_job, mail_job = notification_jobs.deadline_scan, notification_jobs.send_mail
    scheduler.add_job(scan_job, "interval", minutes=5, args=[holder], id="deadline_scan")
    scheduler.add_job(mail_job, "interval", minutes=1, args=[settings, holder], id="send_mail")
    # Personal data past the retention period, anonymised once a night (under its lease).
    scheduler.add_job(
        retention.scheduled_run, "cron", hour=2, minute=40, args=[holder], id="retention"
    )
    # The report figures: the months that changed every few minutes, and every month each
    # night (what changed without a timeline line: a holiday, an edited fact).
    scheduler.add_job(report_figures.refresh, "interval", minutes=5, id="report_figures")
    scheduler.add_job(
        report_figures.rebuild_all, "cron", hour=3, minute=10, id="report_figures_nightly"
    )
    # At start-up: what changed while the portal was down (everything, the first time).
    scheduler.add_job(report_figures.refresh, id="report_figures_start")
    return scheduler
