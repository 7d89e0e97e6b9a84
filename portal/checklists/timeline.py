"""What happened to a self-assessment, in order, as its page shows it: submitted, each
return for revision, the rating decided, the agency's reply, the chair's decision on a
contest, and the rating made public. Read from the facts stored where they happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.checklists import replies
from portal.checklists.tables import Rating, ReplyStatus, ReturnedIndicator
from portal.i18n import N_, ngettext
from portal.i18n import gettext as _

SUBMITTED = N_("Submitted to the committee")
RETURNED = N_("Returned for revision")
DECIDED = N_("Rating decided")
PUBLISHED = N_("Rating published")


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str  # translated
    detail: str = ""


async def timeline(assessment: dict[str, Any]) -> list[Entry]:
    entries = []
    if assessment["submitted_at"]:
        entries.append(Entry(assessment["submitted_at"], _(SUBMITTED)))
    returns: dict[int, list[dict[str, Any]]] = {}
    for row in await ReturnedIndicator.select(
        ReturnedIndicator.round, ReturnedIndicator.returned_at
    ).where(ReturnedIndicator.assessment == assessment["id"]):
        returns.setdefault(row["round"], []).append(row)
    for rows in returns.values():
        count = len(rows)
        entries.append(
            Entry(
                min(r["returned_at"] for r in rows),
                _(RETURNED),
                ngettext("%(num)s indicator to revise", "%(num)s indicators to revise", count)
                % {"num": count},
            )
        )
    rating = await Rating.select().where(Rating.assessment == assessment["id"]).first()
    if rating is not None:
        entries += _rating_entries(rating)
    return sorted(entries, key=lambda e: e.at)


def _rating_entries(rating: dict[str, Any]) -> list[Entry]:
    band = f"{rating['band_code']} {_(rating['band_label'])}"
    found = [Entry(rating["decided_at"] or rating["published_at"], _(DECIDED), band)]
    if rating["replied_at"]:
        reply = ReplyStatus.contested if rating["reply_reason"] else ReplyStatus.accepted
        found.append(Entry(rating["replied_at"], reply.label, rating["reply_reason"]))
    if rating["contest_decided_at"]:
        found.append(
            Entry(
                rating["contest_decided_at"],
                ReplyStatus(rating["reply"]).label,
                rating["decision_reason"],
            )
        )
    if replies.is_public(rating):
        found.append(Entry(rating["published_at"], _(PUBLISHED), band))
    return found
