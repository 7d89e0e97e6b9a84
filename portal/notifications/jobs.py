"""The scheduler's deadline jobs: the scan and the sender (e-mail and SMS), run only
under the lease."""

from __future__ import annotations

import logging
from datetime import datetime

from portal import clock
from portal.notifications import lease, mail, sms, watchers
from portal.notifications.services import Sent
from portal.settings import Settings

log = logging.getLogger("portal.scheduler")


async def deadline_scan(holder: str, now: datetime | None = None) -> list[Sent] | None:
    """One deadline scan if this scheduler holds the lease (None when it does not)."""
    now = now or clock.now()
    if not await lease.hold(holder, now):
        return None
    sent = await watchers.scan(now)
    if sent:
        log.info("deadline scan: %d alerts", len(sent))
    return sent


async def send_mail(settings: Settings, holder: str, now: datetime | None = None) -> bool:
    """Send the e-mail and SMS outboxes' due messages if this scheduler holds the lease;
    True if it did."""
    now = now or clock.now()
    if not await lease.hold(holder, now):
        return False
    sent, failed = await mail.send_due_mail(settings, now)
    if sent or failed:
        log.info("outbox: %d sent, %d failed", sent, failed)
    sent, failed = await sms.send_due_sms(settings, now)
    if sent or failed:
        log.info("sms outbox: %d sent, %d failed", sent, failed)
    return True
