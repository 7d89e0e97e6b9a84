"""Sending the e-mail outbox through PORTAL_SMTP_URL, one connection per batch (TLS as
the URL says), with retries and exponential backoff (the claims and retries are the SMS
outbox's too: portal/notifications/outbox.py). Without PORTAL_SMTP_URL nothing is sent:
the messages stay readable in the admin's outbox page.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from portal import clock, paging
from portal.notifications import outbox
from portal.notifications.tables import OutboxMessage
from portal.settings import Settings, smtp_tls

log = logging.getLogger("portal.mail")

MAX_ATTEMPTS, LONGEST_RETRY = outbox.MAX_ATTEMPTS, outbox.LONGEST_RETRY
retry_delay = outbox.retry_delay


async def queue(to_address: str, subject: str, body: str, language: str) -> None:
    """Put an e-mail in the outbox (inside the caller's transaction): the next run sends it."""
    now = clock.now().astimezone(UTC)
    await OutboxMessage.insert(
        OutboxMessage(
            to_address=to_address,
            subject=subject[:300],
            body=body,
            language=language,
            next_attempt_at=now,
            created_at=now,
        )
    )


def _message(mail_from: str, row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = formatdate(localtime=False)
    # One stable id per outbox row: a receiving server can tell a repeat from a new mail.
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row['id']}", domain="portal")
    message.set_content(row["body"])
    # After set_content, which drops every Content-* header set before it.
    message["Content-Language"] = row["language"]
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


async def send_due_mail(
    settings: Settings, now: datetime, limit: int = outbox.BATCH
) -> tuple[int, int]:
    """Send the messages whose time has come, over one SMTP connection; return (sent,
    failed) counts. If the server cannot be reached, the rest wait for the next run."""
    if not settings.smtp_url:
        return 0, 0
    now = now.astimezone(UTC)
    rows = await outbox.due(OutboxMessage, now, limit)
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    try:
        for row in rows:
            if not await outbox.claim(OutboxMessage, row, now):
                continue  # another sender has it
            try:
                if smtp is None:
                    smtp = await asyncio.to_thread(_connect, settings.smtp_url)
                message = _message(settings.mail_from, row)
                await asyncio.to_thread(smtp.send_message, message)
            except OSError as error:  # smtplib's errors are OSErrors too
                failed += 1
                await outbox.failed(OutboxMessage, row, now, error)
                if smtp is None:
                    break  # no connection: the rest are not even claimed
                if _connection_lost(error):
                    smtp = None  # the next message opens another
                continue
            sent += 1
            await outbox.sent(OutboxMessage, row, now)
    finally:
        if smtp is not None:
            await asyncio.to_thread(_quit, smtp)
    return sent, failed


async def outbox_page(status: str = "", before: int | None = None) -> paging.Page:
    """The admin's e-mail outbox list, newest first: waiting, sent or failed (given up)."""
    shown = ["id", "to_address", "subject", "attempts", "next_attempt_at", "sent_at"]
    return await outbox.page(OutboxMessage, [*shown, "last_error", "created_at"], status, before)
