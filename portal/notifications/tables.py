"""Alerts people see in the portal, the e-mail and SMS outboxes, and the scheduler's lease."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.accounts.tables import User


class Alert(Table):
    """One notice to one person: something reached a threshold (60 days before a licence
    expires, a complaint stage overdue). `key` (what, which record, which threshold, who)
    is unique, so however often a scan runs the person hears once."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    recipient = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=40)
    record_type = Varchar(length=40)
    record_id = Integer()
    threshold = Varchar(length=50)
    key = Varchar(length=200, unique=True)
    due_at = Timestamptz()
    params = Text(default="{}")  # JSON: what the message needs, shown in the reader's language
    link = Varchar(length=300, default="")
    is_read = Boolean(default=False)
    created_at = Timestamptz()


class Queued:
    """What an e-mail and a text message in an outbox both have: their language, and
    where they are in the sending (portal/notifications/outbox.py)."""

    language = Varchar(length=2, default="en")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()


class OutboxMessage(Queued, Table, tablename="outbox_message"):
    """An e-mail waiting to be sent (next_attempt_at set), sent (sent_at), or given up."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()


class SmsMessage(Queued, Table, tablename="sms_message"):
    """A text message waiting to be sent through the SMS gateway (next_attempt_at set),
    sent (sent_at), or given up; the same retries as the e-mail outbox."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    to_number = Varchar(length=20)  # international form: +85512345678
    body = Text()


class SchedulerLease(Table):
    """Which scheduler process may run the jobs until `expires_at` (one row per lease)."""

    id: Serial  # Piccolo adds the primary key; this tells the type checker
    name = Varchar(length=50, unique=True)
    holder = Varchar(length=200, default="")
    expires_at = Timestamptz()
