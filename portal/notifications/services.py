"""Alerts and their e-mails: queue them once, list them, mark them read.

`notify` is the one way an alert is made. It runs inside the caller's transaction (or
its own), so an alert and its e-mail are stored together with the change that caused
them, or not at all. The alert key makes a second `notify` for the same thing a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from portal import db, paging
from portal.accounts.tables import User
from portal.errors import NotFound
from portal.i18n import gettext as _
from portal.notifications import messages
from portal.notifications.tables import Alert
from portal.settings import get_settings

PAGE_SIZE = 30
# Key look-ups and inserts go in chunks: a scan may carry thousands of due items.
CHUNK = 500


@dataclass(frozen=True)
class Due:
    """Something that reached a threshold, and the people (user ids) who must hear of it."""

    kind: str
    record_type: str
    record_id: int
    threshold: str
    due_at: datetime
    recipients: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""

    def key(self, recipient: int) -> str:
        return f"{self.kind}:{self.record_type}:{self.record_id}:{self.threshold}:{recipient}"


@dataclass(frozen=True)
class Sent:
    """An alert that was made (and its e-mail queued) by this call."""

    recipient_id: int
    recipient_role: str
    kind: str
    subject: str  # in the recipient's language


def _utc(moment: datetime) -> datetime:
    # One spelling of every stored time, so SQLite's text comparisons order them right.
    return moment.astimezone(UTC)


async def _already_sent(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = await Alert.select(Alert.key).where(Alert.key.is_in(chunk))
        found.update(row["key"] for row in rows)
    return found


async def notify(items: Iterable[Due], now: datetime) -> list[Sent]:
    """Make the alerts (and queue their e-mails) that do not exist yet; return the new ones.

    Safe to call any number of times, from any number of processes at once: a key that
    exists already, or that another process inserts first, is skipped.
    """
    now = _utc(now)
    wanted = [(item, person) for item in items for person in dict.fromkeys(item.recipients)]
    if not wanted:
        return []
    done = await _already_sent([item.key(person) for item, person in wanted])
    wanted = [(item, person) for item, person in wanted if item.key(person) not in done]
    if not wanted:
        return []
    people = await _recipients({person for _, person in wanted})
    sent: list[Sent] = []
    for start in range(0, len(wanted), CHUNK):
        sent += await _notify_chunk(wanted[start : start + CHUNK], people, now)
    return sent


async def _recipients(ids: set[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    id_list = sorted(ids)
    for start in range(0, len(id_list), CHUNK):
        rows = await User.select(
            User.id, User.email, User.full_name, User.language, User.role
        ).where(User.id.is_in(id_list[start : start + CHUNK]) & User.is_active.eq(True))
        found.update({row["id"]: row for row in rows})
    return found


_ALERT_COLUMNS = (
    "recipient",
    "kind",
    "record_type",
    "record_id",
    "threshold",
    "key",
    "due_at",
    "params",
    "link",
    "is_read",
    "created_at",
)
_OUTBOX_COLUMNS = (
    "to_address",
    "subject",
    "body",
    "language",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
)


async def _notify_chunk(
    wanted: list[tuple[Due, int]], people: dict[int, dict[str, Any]], now: datetime
) -> list[Sent]:
    by_key = {item.key(person): (item, person) for item, person in wanted if person in people}
    if not by_key:
        return []  # a deactivated account hears nothing
    rows = [
        (
            person,
            item.kind,
            item.record_type,
            item.record_id,
            item.threshold,
            key,
            _utc(item.due_at),
            json.dumps(item.params, sort_keys=True),
            item.link,
            False,
            now,
        )
        for key, (item, person) in by_key.items()
    ]
    settings = get_settings()
    sent: list[Sent] = []
    async with db.transaction():
        # A key another process stored meanwhile is skipped, and gets no second e-mail.
        inserted = await db.insert(
            "alert", _ALERT_COLUMNS, rows, " ON CONFLICT (key) DO NOTHING RETURNING key"
        )
        mails = []
        for row in inserted:
            item, person = by_key[row["key"]]
            who = people[person]
            with messages.in_language(who["language"]):
                text = messages.render(item.kind, item.params, item.due_at)
                body = messages.email_body(text, item.link, settings.base_url, who["full_name"])
            mails.append((who["email"], text.subject[:300], body, who["language"], 0, now, "", now))
            sent.append(Sent(person, who["role"], item.kind, text.subject))
        if mails:
            await db.insert("outbox_message", _OUTBOX_COLUMNS, mails)
    return sent


# --- reading alerts -------------------------------------------------------------------


async def unread_count(user_id: int) -> int:
    """How many alerts this person has not read: the header's number after one is marked
    read (a page reads it with the session, `accounts.services.session_user`)."""
    return await Alert.count().where((Alert.recipient == user_id) & Alert.is_read.eq(False))


@dataclass(frozen=True)
class AlertLine:
    """One alert as the list shows it, in the reader's language."""

    id: int
    subject: str
    body: str
    link: str
    is_read: bool
    created_at: datetime


def _line(row: dict[str, Any]) -> AlertLine:
    text = messages.render(row["kind"], json.loads(row["params"]), row["due_at"])
    return AlertLine(
        row["id"], text.subject, text.body, row["link"], row["is_read"], row["created_at"]
    )


async def alerts_for(user_id: int, before: int | None = None) -> tuple[list[AlertLine], int | None]:
    """This person's alerts, newest first, a page at a time; and where the next page starts."""
    query = Alert.select().where(Alert.recipient == user_id)
    rows, next_before = await paging.newest_first(query, Alert.id, before, PAGE_SIZE)
    return [_line(row) for row in rows], next_before


async def mark_read(user_id: int, alert_id: int) -> AlertLine:
    """Mark one of this person's alerts read; someone else's answers as missing."""
    condition = (Alert.id == alert_id) & (Alert.recipient == user_id)
    row = await Alert.select().where(condition).first()
    if row is None:
        raise NotFound(_("Page not found."))
    await Alert.update({Alert.is_read: True}).where(condition)
    row["is_read"] = True
    return _line(row)


async def mark_all_read(user_id: int) -> None:
    await Alert.update({Alert.is_read: True}).where(
        (Alert.recipient == user_id) & Alert.is_read.eq(False)
    )
