"""The outbox sender against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import random
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal import i18n
from portal.notifications import mail
from portal.notifications.tables import OutboxMessage

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class FlakyServer:
    """Accepts mail, but refuses a share of the messages with a temporary error."""

    def __init__(self, refuse_share: float) -> None:
        self.refuse_share = refuse_share
        self.random = random.Random(6)
        self.received: list = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        if self.random.random() < self.refuse_share:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    servers = []

    def start(refuse_share: float) -> tuple[FlakyServer, str]:
        handler = FlakyServer(refuse_share)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return handler, f"smtp://127.0.0.1:{port}"

    yield start
    for controller in servers:
        controller.stop()


async def _queue(n: int) -> None:
    await OutboxMessage.insert(
        *[
            OutboxMessage(
                to_address=f"person{i}@test.example",
                subject=f"Message {i}",
                body=f"Body {i}",
                language="en",
                next_attempt_at=START,
                created_at=START,
            )
            for i in range(n)
        ]
    )


async def test_every_message_arrives_once_though_the_server_refuses_30_percent(
    settings, smtp_server
):
    handler, url = smtp_server(0.3)
    configured = replace(settings, smtp_url=url)
    await _queue(40)
    now = START
    for _ in range(200):
        await mail.send_due_mail(configured, now)
        if not await OutboxMessage.exists().where(OutboxMessage.sent_at.is_null()):
            break
        now += timedelta(minutes=1)
    subjects = [m["Subject"] for m in handler.received]
    assert sorted(subjects) == sorted(f"Message {i}" for i in range(40))  # all, none twice
    assert handler.refused >= 5  # the server really did refuse some
    retried = await OutboxMessage.select().where(OutboxMessage.attempts > 1)
    assert len(retried) >= 5
    assert all(row["sent_at"] is not None and row["last_error"] == "" for row in retried)


async def test_a_refused_message_waits_longer_each_time(settings, smtp_server):
    _, url = smtp_server(1.0)
    configured = replace(settings, smtp_url=url)
    await _queue(1)
    assert await mail.send_due_mail(configured, START) == (0, 1)
    row = await OutboxMessage.select().first()
    assert row["attempts"] == 1 and "451" in row["last_error"]
    assert row["next_attempt_at"] == START + timedelta(minutes=1)
    assert await mail.send_due_mail(configured, START + timedelta(seconds=30)) == (0, 0)
    await mail.send_due_mail(configured, START + timedelta(minutes=1))
    row = await OutboxMessage.select().first()
    assert row["next_attempt_at"] == START + timedelta(minutes=3)  # 1 + 2 minutes
    assert mail.retry_delay(20) == mail.LONGEST_RETRY


async def test_after_the_last_try_the_message_is_marked_failed(settings, smtp_server):
    _, url = smtp_server(1.0)
    configured = replace(settings, smtp_url=url)
    await _queue(1)
    now = START
    for _ in range(mail.MAX_ATTEMPTS + 3):
        await mail.send_due_mail(configured, now)
        now += mail.LONGEST_RETRY
    row = await OutboxMessage.select().first()
    assert row["attempts"] == mail.MAX_ATTEMPTS
    assert row["sent_at"] is None and row["next_attempt_at"] is None
    assert (await mail.outbox_page("failed")).rows[0]["id"] == row["id"]


async def test_without_a_mail_server_messages_stay_in_the_outbox(settings, client, as_role):
    await _queue(2)
    assert await mail.send_due_mail(replace(settings, smtp_url=""), START) == (0, 0)
    assert await OutboxMessage.count().where(OutboxMessage.attempts == 0) == 2
    await as_role("admin")
    page = await client.get("/admin/outbox")
    assert page.status_code == 200
    assert "Message 0" in page.text and "person1@test.example" in page.text
    assert "No mail server is set" in page.text
    row = await OutboxMessage.select().first()
    detail = await client.get(f"/admin/outbox/{row['id']}")
    assert "Body 0" in detail.text


async def test_the_outbox_is_for_admins_only(client, as_role):
    await _queue(1)
    await as_role("officer")
    assert (await client.get("/admin/outbox")).status_code == 404
    assert (await client.get("/admin/outbox/1")).status_code == 404


async def test_the_outbox_filter_is_in_the_readers_language(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/outbox?lang=km")
    for status in ("Waiting", "Sent", "Failed"):
        assert f">{i18n.catalog('km').gettext(status)}</option>" in page.text
