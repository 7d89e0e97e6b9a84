"""What is new on a case since its assigned officer last opened it: a reply or a file
from the complainant, the agency's response, a message or note by someone else. The
queue marks such cases, and its "new since I last looked" filter lists them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from portal.complaints.tables import Complaint

# SQL on `complaint`: something arrived after the assigned officer last opened the case.
UNSEEN = (
    "complaint.news_at IS NOT NULL "
    "AND (complaint.officer_seen_at IS NULL OR complaint.officer_seen_at < complaint.news_at)"
)


async def arrived(
    complaint_id: int, kind: str, at: datetime, actor: Any | None, by_complainant: bool
) -> None:
    """A timeline entry was added: news for the assigned officer unless they wrote it
    themselves, or nobody did (the deadline scan). The filing itself is not: the queue
    lists a new case anyway."""
    if kind == "filed":
        return
    if by_complainant:
        await Complaint.update({Complaint.news_at: at}).where(Complaint.id == complaint_id)
    elif actor is not None:
        await Complaint.update({Complaint.news_at: at}).where(
            (Complaint.id == complaint_id)
            & WhereRaw("(assigned_officer IS NULL OR assigned_officer <> {})", actor.id)
        )


async def opened(user: Any, case: dict[str, Any], now: datetime) -> None:
    """The assigned officer opened the case: what was new is seen. Written only when
    there was something unseen, so opening a case seldom writes."""
    if case.get("assigned_officer") == user.id and is_unseen(case):
        await Complaint.update({Complaint.officer_seen_at: now}).where(Complaint.id == case["id"])


def is_unseen(case: dict[str, Any]) -> bool:
    """Whether something arrived on the case since its officer last opened it."""
    news_at, seen_at = case.get("news_at"), case.get("officer_seen_at")
    return news_at is not None and (seen_at is None or seen_at < news_at)
