"""Sending the outbox through PORTAL_SMTP_URL, one connection per batch (TLS as the URL
says), with retries and exponential backoff.

Each message is claimed before it is sent (attempts goes up by one only if nobody else
went up first), so two senders never pick the same message. A refused or failed send is
recorded (last_error) and tried again later: 1, 2, 4, ... minutes, at most 6 hours apart,
MAX_ATTEMPTS times in all. Without PORTAL_SMTP_URL nothing is sent: the messages stay
readable in the admin's outbox page.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from portal import paging
from portal.i18n import N_
from portal.labels import LabelledEnum
from portal.notifications.tables import OutboxMessage
from portal.settings import Settings, smtp_tls

log = logging.getLogger("portal.mail")

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# A claimed message not finished within this time (the sender died) is tried again.
CLAIM_TIME = timedelta(minutes=10)
BATCH = 50
OUTBOX_PAGE = 50  # messages on a page of the admin's outbox list


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _message(mail_from: str, row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=False)
    # One stable id per outbox row: a receiving server can tell a repeat from a new mail.
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row['id']}", domain="portal")
    message["Content-Language"] = row["language"]
    message.set_content(row["body"])
    return message


def _connect(smtp_url: str) -> smtplib.SMTP:
    """A connection as PORTAL_SMTP_URL says: TLS from the start (smtps://) or after
    STARTTLS (?starttls=1), the server's certificate checked, then the login if any.
    Runs in a thread: smtplib blocks."""
    parts = urlsplit(smtp_url)
    host = parts.hostname or "127.0.0.1"
    tls = smtp_tls(smtp_url)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if tls == "smtps":
        smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(host, parts.port or (587 if tls else 25), timeout=30)
    try:
        if tls == "starttls":
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _connection_lost(error: OSError) -> bool:
    """A refused message leaves the connection usable (smtplib resets it); a network
    error, a disconnection or a server closing (421) does not."""
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    return not isinstance(error, smtplib.SMTPException) or isinstance(
        error, smtplib.SMTPServerDisconnected
    )


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


async def _claim(row: dict[str, Any], now: datetime) -> bool:
    claimed = (
        await OutboxMessage.update(
            {
                OutboxMessage.attempts: row["attempts"] + 1,
                OutboxMessage.next_attempt_at: now + CLAIM_TIME,
            }
        )
        .where(
            (OutboxMessage.id == row["id"])
            & (OutboxMessage.attempts == row["attempts"])
            & OutboxMessage.sent_at.is_null()
        )
        .returning(OutboxMessage.id)
    )
    return bool(claimed)


async def send_due_mail(settings: Settings, now: datetime, limit: int = BATCH) -> tuple[int, int]:
    """Send the messages whose time has come, over one SMTP connection; return (sent,
    failed) counts. If the server cannot be reached, the rest wait for the next run."""
    if not settings.smtp_url:
        return 0, 0
    now = now.astimezone(UTC)
    rows = (
        await OutboxMessage.select()
        .where(OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        for row in rows:
            if not await _claim(row, now):
                continue  # another sender has it
            try:
                if smtp is None:
                    smtp = await asyncio.to_thread(_connect, settings.smtp_url)
                message = _message(settings.mail_from, row)
                await asyncio.to_thread(smtp.send_message, message)
            except OSError as error:  # smtplib's errors are OSErrors too
                failed += 1
                await _failed(row, now, error)
                if smtp is None:
                    break  # no connection: the rest are not even claimed
                if _connection_lost(error):
                    smtp = None  # the next message opens another
                continue
            sent += 1
            await OutboxMessage.update(
                {
                    OutboxMessage.sent_at: now,
                    OutboxMessage.next_attempt_at: None,
                    OutboxMessage.last_error: "",
                }
            ).where(OutboxMessage.id == row["id"])
    finally:
        if smtp is not None:
            await asyncio.to_thread(_quit, smtp)
    return sent, failed


async def _failed(row: dict[str, Any], now: datetime, error: Exception) -> None:
    """Record a failed try: again later, or given up after MAX_ATTEMPTS."""
    attempts = row["attempts"] + 1
    gave_up = attempts >= MAX_ATTEMPTS
    await OutboxMessage.update(
        {
            OutboxMessage.next_attempt_at: None if gave_up else now + retry_delay(attempts),
            OutboxMessage.last_error: f"{type(error).__name__}: {error}"[:500],
        }
    ).where(OutboxMessage.id == row["id"])
    # The id only: addresses are personal data and stay out of the logs.
    log.warning("outbox message %s not sent (try %d): %s", row["id"], attempts, error)


class OutboxStatus(LabelledEnum):
    """What the admin's outbox list can show."""

    waiting = "waiting", N_("Waiting")
    sent = "sent", N_("Sent")
    failed = "failed", N_("Failed")  # given up after MAX_ATTEMPTS


async def outbox_page(status: str = "", before: int | None = None) -> paging.Page:
    """The admin's outbox list, newest first: waiting, sent or failed (given up)."""
    query = OutboxMessage.select(
        OutboxMessage.id,
        OutboxMessage.to_address,
        OutboxMessage.subject,
        OutboxMessage.attempts,
        OutboxMessage.next_attempt_at,
        OutboxMessage.sent_at,
        OutboxMessage.last_error,
        OutboxMessage.created_at,
    )
    if status == OutboxStatus.waiting:
        query = query.where(OutboxMessage.next_attempt_at.is_not_null())
    elif status == OutboxStatus.sent:
        query = query.where(OutboxMessage.sent_at.is_not_null())
    elif status == OutboxStatus.failed:
        query = query.where(
            OutboxMessage.sent_at.is_null() & OutboxMessage.next_attempt_at.is_null()
        )
    return await paging.newest_first(query, OutboxMessage.id, before, OUTBOX_PAGE)


async def outbox_message(message_id: int) -> dict[str, Any] | None:
    return await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
