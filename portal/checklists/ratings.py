"""The chair's decision on a reviewed self-assessment: publish its rating, or return it
for revision (and, when the agency resubmits, the next round of scoring); and the
published ratings the registry shows."""

from __future__ import annotations

from typing import Any

from portal import clock, db
from portal.access import record_id
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists import checklist_versions, notices, replies, states
from portal.checklists.panel import Review, slot
from portal.checklists.scores import MAX_COMMENT, consensus_row, score_sheet
from portal.checklists.tables import (
    AssessmentStatus,
    ConsensusScore,
    PanelMember,
    Rating,
    ReturnedIndicator,
)
from portal.errors import FormErrors, NotFound
from portal.i18n import gettext as _


async def publish(user: CurrentUser, review: Review) -> Rating:
    """Decide the rating from the consensus scores. The agency may accept or contest it
    within the cycle's reply window; the registry shows it once that has closed."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    sheet = await score_sheet(user, review)
    totals, band = sheet["totals"], sheet["band"]
    if totals is None or band is None:
        raise FormErrors(
            {
                "publish": _(
                    "Record a consensus score for every indicator before publishing the rating."
                )
            }
        )
    now = clock.now()
    # Public once the agency's reply window closes (see portal.checklists.replies).
    reply_due = await replies.window_end(now, review.assessment["reply_days"])
    async with db.transaction():
        rating = Rating(
            assessment=review.assessment["id"],
            agency=review.assessment["agency"],
            cycle=review.assessment["cycle"],
            template=review.assessment["template_id"],
            points=totals.points,
            applicable_maximum=totals.applicable_maximum,
            full_maximum=totals.full_maximum,
            total=totals.total,
            percent=totals.percent,
            band_code=band.code,
            band_label=band.label,
            decided_at=now,
            reply_due=reply_due,
            published_at=reply_due,
            published_by=user.id,
        )
        await rating.save()
        await states.move(review.assessment, AssessmentStatus.rated)
        await audit.record(
            user,
            "review.rating_published",
            "assessment",
            review.assessment["id"],
            f"{review.assessment['licence_number']}: {band.code} ({totals.total})",
        )
        await notices.rating_decided(review.assessment, band.code, reply_due)
    return rating


# A published rating with its cycle and template, as the registry shows it (built once:
# following foreign keys is costly in Piccolo).
_PUBLISHED_COLUMNS = (
    *Rating.all_columns(),
    Rating.cycle.title_en.as_alias("cycle_title_en"),
    Rating.cycle.title_km.as_alias("cycle_title_km"),
    Rating.template.version.as_alias("template_version"),
    Rating.template.title_en.as_alias("template_title_en"),
)


async def latest_ratings(agency_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each agency's latest published rating, with its cycle and template version."""
    if not agency_ids:
        return {}
    query = Rating.select(*_PUBLISHED_COLUMNS).where(
        Rating.agency.is_in(agency_ids) & replies.public()
    )
    rows = await query.order_by(Rating.published_at)
    return {row["agency"]: row for row in rows}  # the newest wins


async def rating_history(agency_id: int) -> list[dict[str, Any]]:
    """Every published rating of an agency, newest first."""
    query = Rating.select(*_PUBLISHED_COLUMNS).where(
        (Rating.agency == agency_id) & replies.public()
    )
    return await query.order_by(Rating.published_at, ascending=False)


async def return_for_revision(user: CurrentUser, review: Review, form: dict[str, Any]) -> int:
    """The chair sends the assessment back, naming the indicators to revisit (`reopen`,
    several values) each with feedback (`why-<id>`): those reopen for the agency, the
    rest stay locked. Returns how many were reopened."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    checklist = await checklist_versions.frozen_structure(review.assessment["template_id"])
    known = {i["id"] for section in checklist["sections"] for i in section["indicators"]}
    chosen: list[int] = []
    for value in form.get("reopen", []):
        indicator_id = record_id(str(value))
        if indicator_id is None or indicator_id not in known:
            raise NotFound(_("Page not found."))
        chosen.append(indicator_id)
    if not chosen:
        raise FormErrors({"reopen": _("Choose the indicators the agency must revise.")})
    errors = {}
    for iid in chosen:
        why = str(form.get(f"why-{iid}", "")).strip()
        if not why:
            errors[f"why-{iid}"] = _("Tell the agency what to revise.")
        elif len(why) > MAX_COMMENT:
            errors[f"why-{iid}"] = _("Use at most %(n)s characters.") % {"n": MAX_COMMENT}
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    async with db.transaction():
        await states.move(review.assessment, AssessmentStatus.returned)
        await ReturnedIndicator.insert(
            *(
                ReturnedIndicator(
                    assessment=review.assessment["id"],
                    indicator=iid,
                    round=review.round,
                    feedback=str(form[f"why-{iid}"]).strip(),
                    returned_at=now,
                )
                for iid in sorted(set(chosen))
            )
        )
        await audit.record(
            user, "review.returned", "assessment", review.assessment["id"], str(len(set(chosen)))
        )
        await notices.returned(review.assessment, review.round, len(set(chosen)))
    return len(set(chosen))


# What a settled indicator's consensus carries into the next round.
_CARRIED = ("score", "not_applicable", "comment", "reason", "decided_by", "decided_at")


async def start_next_round(assessment: dict[str, Any], new_round: int) -> None:
    """On resubmission after a return: the same panel sits again, and every indicator
    that was not reopened keeps the consensus it had (only the reopened are scored)."""
    previous = new_round - 1
    reopened = {
        row["indicator"]
        for row in await ReturnedIndicator.select(ReturnedIndicator.indicator).where(
            (ReturnedIndicator.assessment == assessment["id"])
            & (ReturnedIndicator.round == previous)
        )
    }
    seats = await PanelMember.select(PanelMember.member).where(
        (PanelMember.assessment == assessment["id"]) & (PanelMember.round == previous)
    )
    if seats:
        await PanelMember.insert(
            *(
                PanelMember(
                    assessment=assessment["id"],
                    member=seat["member"],
                    round=new_round,
                    seat=slot(assessment["id"], seat["member"], new_round),
                )
                for seat in seats
            )
        )
    kept = [
        row
        for row in await ConsensusScore.select().where(
            (ConsensusScore.assessment == assessment["id"]) & (ConsensusScore.round == previous)
        )
        if row["indicator"] not in reopened
    ]
    if kept:
        await ConsensusScore.insert(
            *(
                consensus_row(
                    assessment["id"],
                    row["indicator"],
                    new_round,
                    **{k: row[k] for k in _CARRIED},
                )
                for row in kept
            )
        )
