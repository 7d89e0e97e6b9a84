"""Writing and reading the audit log."""

from __future__ import annotations

from typing import Any

from portal import clock, db, paging
from portal.audit.links import add_links
from portal.audit.tables import AuditEvent

PAGE_SIZE = 50


async def record(
    actor: Any | None, action: str, object_type: str = "", object_id: Any = "", summary: str = ""
) -> None:
    """Append one event. `actor` is the User who acted, or None for the system."""
    await db.insert(
        "audit_event",
        ("at", "actor", "actor_email", "action", "object_type", "object_id", "summary"),
        [
            (
                clock.now(),
                actor.id if actor else None,
                actor.email if actor else "",
                action,
                object_type,
                str(object_id),
                summary,
            )
        ],
    )


async def page(before_id: int | None = None, action: str = "") -> paging.Page:
    """Newest first, PAGE_SIZE at a time; `before_id` continues from the previous page."""
    query = AuditEvent.select()
    if action:
        query = query.where(AuditEvent.action == action)
    found = await paging.newest_first(query, AuditEvent.id, before_id, PAGE_SIZE)
    await add_links(found.rows)
    return found
