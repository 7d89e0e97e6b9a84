"""Addresses, phone numbers and bodies of e-mails and texts are not kept for ever: the
nightly retention run deletes what was sent more than 30 days ago and what was given up
more than 90 days ago, and leaves the recent, the waiting and the newly failed alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.audit.tables import AuditEvent
from portal.notifications.tables import OutboxMessage, SmsMessage
from portal.retention import services as retention

NOW = datetime(2026, 9, 1, 3, tzinfo=UTC)


def _state(state: str, age: timedelta) -> dict:
    """The sending columns of a message queued `age` before NOW."""
    queued = NOW - age
    return {
        "sent": {"sent_at": queued + timedelta(minutes=1), "next_attempt_at": None},
        "waiting": {"sent_at": None, "next_attempt_at": NOW},
        "failed": {"sent_at": None, "next_attempt_at": None, "attempts": 12},
    }[state] | {"created_at": queued}


CASES = {
    "sent 31 days ago": ("sent", timedelta(days=31), False),
    "sent 29 days ago": ("sent", timedelta(days=29), True),
    "given up 91 days ago": ("failed", timedelta(days=91), False),
    "given up 60 days ago": ("failed", timedelta(days=60), True),
    "waiting for 40 days": ("waiting", timedelta(days=40), True),
}


async def _fill() -> None:
    for name, (state, age, _kept) in CASES.items():
        columns = _state(state, age)
        await OutboxMessage.insert(
            OutboxMessage(to_address="srey@example.org", subject=name, body=name, **columns)
        )
        await SmsMessage.insert(SmsMessage(to_number="+85512345678", body=name, **columns))


async def test_old_sent_and_given_up_messages_are_deleted_the_rest_kept():
    await _fill()
    report = await retention.anonymise_expired(NOW)
    expected = sorted(name for name, (_s, _a, kept) in CASES.items() if kept)
    mails = await OutboxMessage.select(OutboxMessage.body)
    texts = await SmsMessage.select(SmsMessage.body)
    assert sorted(row["body"] for row in mails) == expected
    assert sorted(row["body"] for row in texts) == expected
    assert report.messages == 4
    entry = await AuditEvent.objects().where(AuditEvent.action == "retention.run").first()
    assert "4 old e-mails and texts deleted" in entry.summary
    again = await retention.anonymise_expired(NOW)  # nothing more to delete
    assert again.messages == 0
    assert await AuditEvent.count().where(AuditEvent.action == "retention.run") == 1


async def test_the_admin_reads_how_long_messages_are_kept(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/personal-data")
    assert "are deleted 30 days after they are sent, or 90 days after" in page.text
