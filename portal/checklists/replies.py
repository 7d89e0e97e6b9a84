"""The agency's right of reply to its rating. The chair's decision opens a window of
working days (the cycle's `reply_days`, counted on the portal's working-day calendar);
within it the agency accepts the rating or contests it with its reasons and files, and the
chair decides on a contest (uphold, or change the band, with a reason).

A rating is public from `Rating.published_at`, set when the window opens to the moment it
closes: nobody has to click for it to become public then. Accepting publishes it at once;
a contested rating stays unpublished until the chair's decision publishes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal import clock, db, uploads
from portal.access import or_404
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists import notices
from portal.checklists.panel import Review
from portal.checklists.scores import cycle_bands
from portal.checklists.tables import Rating, ReplyFile, ReplyStatus
from portal.core.roles import Role
from portal.deadlines import Duration, Unit, add
from portal.deadlines.services import current_rules
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import gettext as _

MAX_REASON = 4000


def public(now: datetime | None = None) -> Any:
    """The condition a public rating meets: its window has closed, or it was settled."""
    return (Rating.published_at <= (now or clock.now()).astimezone(UTC)) & (
        Rating.reply != ReplyStatus.contested
    )


def is_public(rating: dict[str, Any]) -> bool:
    return rating["reply"] != ReplyStatus.contested and rating["published_at"] <= clock.now()


async def window_end(decided: datetime, days: int) -> datetime:
    """When the agency's reply window closes: `days` working days after the decision."""
    calendar = (await current_rules()).calendar
    return add(decided, Duration(days, Unit.WORKING_DAYS), calendar).astimezone(UTC)


def can_reply(rating: dict[str, Any] | None) -> bool:
    return (
        rating is not None
        and rating["reply"] == ReplyStatus.open
        and rating["reply_due"] is not None
        and clock.now() < rating["reply_due"]
    )


async def reply_files(rating_id: int) -> list[dict[str, Any]]:
    return await ReplyFile.select().where(ReplyFile.rating == rating_id).order_by(ReplyFile.id)


async def view(rating: dict[str, Any] | None) -> dict[str, Any]:
    """What the feedback and review pages show of the reply."""
    if rating is None:
        return {}
    return {
        "can_reply": can_reply(rating),
        "is_public": is_public(rating),
        "reply_files": await reply_files(rating["id"]),
        "reply_statuses": ReplyStatus,
    }


async def _rating(assessment_id: int) -> dict[str, Any]:
    return or_404(await Rating.select().where(Rating.assessment == assessment_id).first())


def _own(user: CurrentUser, assessment: dict[str, Any]) -> None:
    if user.role != Role.agency or assessment["agency"] != user.agency_id:
        raise NotFound(_("Page not found."))


async def _settle(rating: dict[str, Any], values: dict[Any, Any]) -> None:
    """Change the reply, refused when someone else changed it first."""
    changed = (
        await Rating.update(values)
        .where((Rating.id == rating["id"]) & (Rating.reply == rating["reply"]))
        .returning(Rating.id)
    )
    if not changed:
        raise DomainError(_("This rating was changed by someone else. Reload and try again."))


async def accept(user: CurrentUser, assessment: dict[str, Any]) -> None:
    """The agency accepts its rating: it is published now."""
    _own(user, assessment)
    rating = await _rating(assessment["id"])
    if not can_reply(rating):
        raise DomainError(_("The time to reply to this rating has passed."))
    now = clock.now()
    async with db.transaction():
        await _settle(
            rating,
            {
                Rating.reply: ReplyStatus.accepted,
                Rating.replied_at: now,
                Rating.replied_by: user.id,
                Rating.published_at: now,
            },
        )
        await audit.record(user, "review.rating_accepted", "assessment", assessment["id"])


async def contest(
    user: CurrentUser, assessment: dict[str, Any], reason: str, files: list[Any]
) -> None:
    """The agency contests its rating with its reasons (and files): it stays unpublished
    until the chair decides. All or nothing."""
    _own(user, assessment)
    rating = await _rating(assessment["id"])
    if not can_reply(rating):
        raise DomainError(_("The time to reply to this rating has passed."))
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why your agency contests the rating.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Use at most %(n)s characters.") % {"n": MAX_REASON}
    checked = []
    try:
        checked = await uploads.check(files, "files")
    except DomainError as error:
        errors[error.field or "files"] = error.message
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    async with uploads.staged(checked) as staged, db.transaction():
        await _settle(
            rating,
            {
                Rating.reply: ReplyStatus.contested,
                Rating.reply_reason: reason,
                Rating.replied_at: now,
                Rating.replied_by: user.id,
            },
        )
        if staged.files:
            await ReplyFile.insert(
                *(
                    ReplyFile(
                        rating=rating["id"], **f.columns(), uploaded_at=now, uploaded_by=user.id
                    )
                    for f in staged.files
                )
            )
        await audit.record(user, "review.rating_contested", "assessment", assessment["id"])
        await notices.contested(assessment, await _chair(assessment["cycle"]))


async def _chair(cycle_id: int) -> int | None:
    rows = await db.select("SELECT chair FROM cycle WHERE id = {}", cycle_id)
    return rows[0]["chair"] if rows else None


async def decide_contest(
    user: CurrentUser, review: Review, outcome: str, band_code: str, reason: str
) -> None:
    """The chair decides on a contest: uphold the rating, or change its band; either way
    with a reason the agency reads, and the rating is published."""
    if not review.is_chair:
        raise NotFound(_("Page not found."))
    rating = await _rating(review.assessment["id"])
    if rating["reply"] != ReplyStatus.contested:
        raise DomainError(_("This rating is not contested."))
    bands = {b.code: b for b in cycle_bands(review.assessment["bands"] or "")}
    errors = {}
    if outcome not in ("uphold", "change"):
        errors["outcome"] = _("Choose whether to uphold or change the rating.")
    elif outcome == "change" and (band_code not in bands or band_code == rating["band_code"]):
        errors["band"] = _("Choose the band the rating changes to.")
    reason = reason.strip()
    if not reason:
        errors["decision_reason"] = _("Give the reason for your decision.")
    elif len(reason) > MAX_REASON:
        errors["decision_reason"] = _("Use at most %(n)s characters.") % {"n": MAX_REASON}
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    values: dict[Any, Any] = {
        Rating.reply: ReplyStatus.upheld,
        Rating.decision_reason: reason,
        Rating.contest_decided_at: now,
        Rating.published_at: now,
    }
    band = f"{rating['band_code']}"
    if outcome == "change":
        new = bands[band_code]
        band = new.code
        values |= {
            Rating.reply: ReplyStatus.changed,
            Rating.band_before: rating["band_code"],
            Rating.band_code: new.code,
            Rating.band_label: new.label,
        }
    async with db.transaction():
        await _settle(rating, values)
        await audit.record(
            user,
            "review.contest_decided",
            "assessment",
            review.assessment["id"],
            f"{rating['band_code']} → {band}",
        )
        await notices.contest_decided(review.assessment, band)


async def reply_file(assessment_id: int, file_id: int) -> dict[str, Any]:
    """A file the agency sent with its contest (the same 404 for another assessment's)."""
    rating = await _rating(assessment_id)
    return or_404(
        await ReplyFile.select()
        .where((ReplyFile.id == file_id) & (ReplyFile.rating == rating["id"]))
        .first()
    )
