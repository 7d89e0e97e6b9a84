"""The SMS outbox against a real HTTP gateway on 127.0.0.1: every text arrives once
though the gateway fails some requests, retries back off, a text given up is shown to
admins as failed, and without PORTAL_SMS_URL the texts wait in the outbox."""

from __future__ import annotations

import base64
import socket
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from portal.notifications import jobs, outbox, sms
from portal.notifications.tables import SmsMessage
from portal.settings import SettingsError, load_settings
from tests import sms_gateway as gateway_fixtures

sms_gateway = gateway_fixtures.sms_gateway  # the loopback gateway, here too

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


async def _queue(n: int) -> None:
    await SmsMessage.insert(
        *[
            SmsMessage(
                to_number=f"+8551234567{i % 10}",
                body=f"Text {i}",
                next_attempt_at=START,
                created_at=START,
            )
            for i in range(n)
        ]
    )


async def test_every_text_arrives_once_though_the_gateway_fails_30_percent(settings, sms_gateway):
    gateway = sms_gateway(0.3)
    configured = replace(settings, sms_url=gateway.url)
    await _queue(30)
    now = START
    for _ in range(30):
        await sms.send_due_sms(configured, now)
        # A second sender at the same moment finds every due text claimed.
        assert await sms.send_due_sms(configured, now) == (0, 0)
        if not await SmsMessage.exists().where(SmsMessage.sent_at.is_null()):
            break
        now += outbox.LONGEST_RETRY
    assert gateway.failed >= 5
    texts = sorted(text["text"] for text in gateway.received)
    assert texts == sorted(f"Text {i}" for i in range(30))  # each once, none lost
    ids = [text["id"] for text in gateway.received]
    assert len(set(ids)) == 30
    retried = await SmsMessage.select().where(SmsMessage.attempts > 1)
    assert retried and all(row["last_error"] == "" for row in retried)


async def test_a_failed_try_waits_longer_each_time_then_shows_as_failed(
    settings, sms_gateway, client, as_role
):
    gateway = sms_gateway(1.0)
    configured = replace(settings, sms_url=gateway.url)
    await _queue(1)
    await sms.send_due_sms(configured, START)
    row = await SmsMessage.select().first()
    assert row["attempts"] == 1 and row["next_attempt_at"] == START + outbox.retry_delay(1)
    assert "500" in row["last_error"]
    # Not yet due: nothing is sent again before the delay.
    await sms.send_due_sms(configured, START + outbox.retry_delay(1) / 2)
    assert (await SmsMessage.select().first())["attempts"] == 1
    now = START
    for _ in range(outbox.MAX_ATTEMPTS + 3):
        await sms.send_due_sms(configured, now)
        now += outbox.LONGEST_RETRY
    row = await SmsMessage.select().first()
    assert row["attempts"] == outbox.MAX_ATTEMPTS and row["next_attempt_at"] is None
    assert gateway.failed == outbox.MAX_ATTEMPTS and gateway.received == []

    await as_role("admin")
    page = await client.get("/admin/outbox?channel=sms&status=failed")
    assert page.status_code == 200
    assert "+85512345670" in page.text and "Failed" in page.text
    assert "HTTPStatusError" in page.text
    detail = await client.get(f"/admin/outbox/sms/{row['id']}")
    assert "Text 0" in detail.text
    # The e-mail list does not mix the text in.
    assert "+85512345670" not in (await client.get("/admin/outbox?status=failed")).text


async def test_without_a_gateway_texts_wait_in_the_outbox(settings, client, as_role):
    await _queue(2)
    await jobs.send_mail(replace(settings, sms_url=""), "me", START)
    assert await SmsMessage.count().where(SmsMessage.attempts == 0) == 2
    await as_role("admin")
    page = await client.get("/admin/outbox?channel=sms")
    assert "No SMS gateway is set" in page.text
    assert "Text 0" in page.text and "Waiting" in page.text


async def test_the_scheduler_job_sends_texts_with_basic_or_bearer_authentication(
    settings, sms_gateway
):
    gateway = sms_gateway()
    await _queue(1)
    with_password = replace(settings, sms_url=gateway.url, sms_user="portal", sms_password="pw")
    assert await jobs.send_mail(with_password, "scheduler-1", START)
    await _queue(1)
    with_token = replace(settings, sms_url=gateway.url, sms_token="t0ken")
    assert await jobs.send_mail(with_token, "scheduler-1", START)
    assert gateway.authorizations == [
        "Basic " + base64.b64encode(b"portal:pw").decode(),
        "Bearer t0ken",
    ]
    assert len(gateway.received) == 2
    # Another scheduler, without the lease, sends nothing.
    await _queue(1)
    assert not await jobs.send_mail(with_token, "scheduler-2", START)
    assert len(gateway.received) == 2


async def test_an_unreachable_gateway_leaves_the_rest_for_later(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await _queue(3)
    configured = replace(settings, sms_url=f"http://127.0.0.1:{port}/send")
    assert await sms.send_due_sms(configured, START) == (0, 1)
    assert await SmsMessage.count().where(SmsMessage.attempts == 0) == 2


def test_the_gateway_address_must_keep_numbers_out_of_clear_text(monkeypatch):
    monkeypatch.setenv("PORTAL_SMS_URL", "http://sms.example.com/send")
    with pytest.raises(SettingsError, match="PORTAL_SMS_URL"):
        load_settings()
    monkeypatch.setenv("PORTAL_SMS_URL", "https://sms.example.com/send")
    monkeypatch.setenv("PORTAL_SMS_TOKEN", "secret-token")
    settings = load_settings()
    assert settings.sms_url == "https://sms.example.com/send"
    assert "secret-token" not in repr(settings)
