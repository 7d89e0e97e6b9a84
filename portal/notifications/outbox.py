"""What the e-mail and SMS outboxes share: which messages are due, claiming one before
it is sent, retries with exponential backoff, and the admin's list.

Each message is claimed before it is sent (attempts goes up by one only if nobody else
went up first), so two senders never pick the same message. A refused or failed send is
recorded (last_error) and tried again later: 1, 2, 4, ... minutes, at most 6 hours apart,
MAX_ATTEMPTS times in all; then it is given up and shown as failed to the admins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.table import Table

from portal import paging
from portal.i18n import N_
from portal.labels import LabelledEnum

log = logging.getLogger("portal.mail")

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# A claimed message not finished within this time (the sender died) is tried again.
CLAIM_TIME = timedelta(minutes=10)
BATCH = 50
OUTBOX_PAGE = 50  # messages on a page of the admin's outbox list


def _columns(table: type[Table]) -> Callable[[str], Any]:
    """The outbox tables share their column names: a column of `table` by name."""
    return lambda name: getattr(table, name)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


async def due(table: type[Table], now: datetime, limit: int = BATCH) -> list[dict[str, Any]]:
    """The messages whose time has come, longest waiting first."""
    column = _columns(table)("next_attempt_at")
    return await table.select().where(column <= now.astimezone(UTC)).order_by(column).limit(limit)


async def claim(table: type[Table], row: dict[str, Any], now: datetime) -> bool:
    """Take this message for one try; False if another sender took it first."""
    columns = _columns(table)
    claimed = (
        await table.update(
            {columns("attempts"): row["attempts"] + 1, columns("next_attempt_at"): now + CLAIM_TIME}
        )
        .where(
            (columns("id") == row["id"])
            & (columns("attempts") == row["attempts"])
            & columns("sent_at").is_null()
        )
        .returning(columns("id"))
    )
    return bool(claimed)


async def sent(table: type[Table], row: dict[str, Any], now: datetime) -> None:
    columns = _columns(table)
    await table.update(
        {columns("sent_at"): now, columns("next_attempt_at"): None, columns("last_error"): ""}
    ).where(columns("id") == row["id"])


async def failed(table: type[Table], row: dict[str, Any], now: datetime, error: Exception) -> None:
    """Record a failed try: again later, or given up after MAX_ATTEMPTS."""
    attempts = row["attempts"] + 1
    gave_up = attempts >= MAX_ATTEMPTS
    columns = _columns(table)
    await table.update(
        {
            columns("next_attempt_at"): None if gave_up else now + retry_delay(attempts),
            columns("last_error"): f"{type(error).__name__}: {error}"[:500],
        }
    ).where(columns("id") == row["id"])
    # The id only: addresses and numbers are personal data and stay out of the logs.
    log.warning("%s %s not sent (try %d): %s", table.__name__, row["id"], attempts, error)


class OutboxChannel(LabelledEnum):
    """Which outbox the admin's list shows."""

    email = "email", N_("E-mail")
    sms = "sms", N_("SMS")


class OutboxStatus(LabelledEnum):
    """What the admin's outbox list can show."""

    waiting = "waiting", N_("Waiting")
    sent = "sent", N_("Sent")
    failed = "failed", N_("Failed")  # given up after MAX_ATTEMPTS


async def page(
    table: type[Table], shown: list[str], status: str = "", before: int | None = None
) -> paging.Page:
    """The admin's outbox list, newest first: waiting, sent or failed (given up)."""
    columns = _columns(table)
    query = table.select(*(columns(name) for name in shown))
    if status == OutboxStatus.waiting:
        query = query.where(columns("next_attempt_at").is_not_null())
    elif status == OutboxStatus.sent:
        query = query.where(columns("sent_at").is_not_null())
    elif status == OutboxStatus.failed:
        query = query.where(columns("sent_at").is_null() & columns("next_attempt_at").is_null())
    return await paging.newest_first(query, columns("id"), before, OUTBOX_PAGE)


async def message(table: type[Table], message_id: int) -> dict[str, Any] | None:
    """One message of an outbox, for the admin's page."""
    return await table.select().where(_columns(table)("id") == message_id).first()
