"""Sending the SMS outbox through the gateway at PORTAL_SMS_URL: one HTTP POST per text
(form-encoded `to`, `text` and `id`), with HTTP basic authentication (PORTAL_SMS_USER and
PORTAL_SMS_PASSWORD) or a bearer token (PORTAL_SMS_TOKEN), the common shape of Cambodian
and international SMS gateways. Claims and retries are the e-mail outbox's
(portal/notifications/outbox.py). Without PORTAL_SMS_URL nothing is sent: the texts wait
in the admin's outbox page.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from portal import clock, paging
from portal.notifications import outbox
from portal.notifications.tables import SmsMessage
from portal.settings import Settings

# One POST should take a second; a gateway that hangs must not hold up the scheduler.
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


async def queue(number: str, body: str, language: str) -> None:
    """Put a text in the outbox (inside the caller's transaction): the next run sends it."""
    now = clock.now().astimezone(UTC)
    await SmsMessage.insert(
        SmsMessage(
            to_number=number, body=body, language=language, next_attempt_at=now, created_at=now
        )
    )


def _client(settings: Settings) -> httpx.AsyncClient:
    auth = None
    headers = {}
    if settings.sms_token:
        headers["Authorization"] = f"Bearer {settings.sms_token}"
    elif settings.sms_user:
        auth = httpx.BasicAuth(settings.sms_user, settings.sms_password)
    return httpx.AsyncClient(auth=auth, headers=headers, timeout=TIMEOUT)


async def send_due_sms(
    settings: Settings, now: datetime, limit: int = outbox.BATCH
) -> tuple[int, int]:
    """Send the texts whose time has come; return (sent, failed) counts. A gateway that
    cannot be reached stops the batch: the rest wait for the next run, unclaimed."""
    if not settings.sms_url:
        return 0, 0
    now = now.astimezone(UTC)
    rows = await outbox.due(SmsMessage, now, limit)
    sent = failed = 0
    async with _client(settings) as client:
        for row in rows:
            if not await outbox.claim(SmsMessage, row, now):
                continue  # another sender has it
            try:
                # `id` is the same on every try: a gateway can tell a repeat from a new text.
                data = {"to": row["to_number"], "text": row["body"], "id": f"sms-{row['id']}"}
                response = await client.post(settings.sms_url, data=data)
                response.raise_for_status()
            except httpx.HTTPError as error:
                failed += 1
                await outbox.failed(SmsMessage, row, now, error)
                if isinstance(error, httpx.TransportError):
                    break  # the gateway is unreachable: the next run tries again
                continue
            sent += 1
            await outbox.sent(SmsMessage, row, now)
    return sent, failed


async def outbox_page(status: str = "", before: int | None = None) -> paging.Page:
    """The admin's SMS outbox list, newest first: waiting, sent or failed (given up)."""
    shown = ["id", "to_number", "body", "attempts", "next_attempt_at", "sent_at"]
    return await outbox.page(SmsMessage, [*shown, "last_error", "created_at"], status, before)
