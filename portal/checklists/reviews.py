"""The committee's review of a submitted self-assessment: a panel of members scores every
indicator independently, the cycle's chair agrees a consensus score per indicator and
publishes the rating.

Independence: a member's scores are theirs alone until they submit them; nobody sees any
member's scores before submitting their own (the chair who is not on the panel sees
submitted scores only). The arithmetic lives in `portal.checklists.scoring`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import clock, db
from portal.access import or_404, record_id
from portal.accounts.services import CurrentUser
from portal.accounts.tables import Role, User
from portal.audit import services as audit
from portal.checklists import scoring, templates
from portal.checklists.tables import (
    Answer,
    AnswerChoice,
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ConsensusScore,
    MemberScore,
    PanelMember,
    Rating,
    ReturnedIndicator,
)
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import gettext as _

NOT_APPLICABLE = "na"
MAX_COMMENT = 2000
# Assessments the committee reviews; rated ones stay readable with their scores.
REVIEWED = (AssessmentStatus.submitted, AssessmentStatus.rated)


@dataclass
class Review:
    """An assessment under review as one committee member sees it."""

    assessment: dict[str, Any]
    round: int
    is_chair: bool
    seat: dict[str, Any] | None  # this member's place on the panel, if any
    panel: list[dict[str, Any]]  # every seat of this round, with the member's name
    # The indicators scored this round: all in round 1; after a return, the reopened ones
    # (the others keep the consensus of the round before).
    in_play: set[int] | None = None

    def plays(self, indicator_id: int) -> bool:
        return self.in_play is None or indicator_id in self.in_play

    @property
    def can_score(self) -> bool:
        return (
            self.seat is not None
            and self.seat["submitted_at"] is None
            and self.assessment["status"] == AssessmentStatus.submitted
        )

    @property
    def sees_panel_scores(self) -> bool:
        """The others' scores: after submitting one's own; for a chair off the panel, always."""
        if self.seat is not None:
            return self.seat["submitted_at"] is not None
        return self.is_chair

    @property
    def can_decide(self) -> bool:
        return self.is_chair and self.assessment["status"] == AssessmentStatus.submitted

    @property
    def submitted_seats(self) -> list[dict[str, Any]]:
        return [seat for seat in self.panel if seat["submitted_at"] is not None]


def _slot(*parts: Any) -> str:
    return ":".join(str(p) for p in parts)


async def get_review(user: CurrentUser, assessment_id: int) -> Review:
    """The review of a submitted (or rated) assessment; committee members only."""
    if user.role != Role.committee:
        raise NotFound(_("Page not found."))
    assessment = or_404(
        await Assessment.select(
            *Assessment.all_columns(),
            Assessment.cycle.title_en.as_alias("cycle_title_en"),
            Assessment.cycle.title_km.as_alias("cycle_title_km"),
            Assessment.cycle.template.as_alias("template_id"),
            Assessment.cycle.chair.as_alias("chair_id"),
            Assessment.cycle.bands.as_alias("bands"),
            Assessment.agency.name_en.as_alias("agency_name_en"),
            Assessment.agency.name_km.as_alias("agency_name_km"),
            Assessment.agency.licence_number.as_alias("licence_number"),
        )
        .where((Assessment.id == assessment_id) & Assessment.status.is_in(list(REVIEWED)))
        .first()
    )
    round_ = assessment["round"]
    panel = await PanelMember.select(
        *PanelMember.all_columns(),
        PanelMember.member.full_name.as_alias("member_name"),
        PanelMember.member.constituency.as_alias("constituency"),
    ).where((PanelMember.assessment == assessment_id) & (PanelMember.round == round_))
    seat = next((s for s in panel if s["member"] == user.id), None)
    in_play = None
    if round_ > 1:
        returned = await ReturnedIndicator.select(ReturnedIndicator.indicator).where(
            (ReturnedIndicator.assessment == assessment_id)
            & (ReturnedIndicator.round == round_ - 1)
        )
        in_play = {row["indicator"] for row in returned}
    return Review(assessment, round_, assessment["chair_id"] == user.id, seat, panel, in_play)


# --- the panel ------------------------------------------------------------------------


async def committee_members() -> list[dict[str, Any]]:
    return (
        await User.select(User.id, User.full_name, User.constituency)
        .where((User.role == Role.committee) & User.is_active.eq(True))
        .order_by(User.full_name)
    )


async def set_panel(user: CurrentUser, review: Review, member_ids: list[int]) -> None:
    """The chair names who scores this round. Members who already submitted stay."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    members = {m["id"] for m in await committee_members()}
    chosen = set(member_ids)
    if not chosen or not chosen <= members:
        raise FormErrors({"members": _("Choose at least one committee member.")})
    keep = {s["member"] for s in review.submitted_seats}
    async with db.transaction():
        await PanelMember.delete().where(
            (PanelMember.assessment == review.assessment["id"])
            & (PanelMember.round == review.round)
            & PanelMember.submitted_at.is_null()
            & PanelMember.member.not_in(list(chosen))
        )
        existing = {s["member"] for s in review.panel}
        new = [
            PanelMember(
                assessment=review.assessment["id"],
                member=member,
                round=review.round,
                seat=_slot(review.assessment["id"], member, review.round),
            )
            for member in sorted(chosen - existing - keep)
        ]
        if new:
            await PanelMember.insert(*new)
        await audit.record(
            user, "review.panel_set", "assessment", review.assessment["id"], f"{len(chosen)}"
        )


# --- member scores --------------------------------------------------------------------


async def _member_scores(review: Review, member_ids: list[int]) -> dict[int, dict[int, dict]]:
    """member id → indicator id → score row, for this round."""
    if not member_ids:
        return {}
    rows = await MemberScore.select().where(
        (MemberScore.assessment == review.assessment["id"])
        & (MemberScore.round == review.round)
        & MemberScore.member.is_in(member_ids)
    )
    found: dict[int, dict[int, dict]] = {m: {} for m in member_ids}
    for row in rows:
        found[row["member"]][row["indicator"]] = row
    return found


async def _consensus(review: Review) -> dict[int, dict]:
    rows = await ConsensusScore.select().where(
        (ConsensusScore.assessment == review.assessment["id"])
        & (ConsensusScore.round == review.round)
    )
    return {row["indicator"]: row for row in rows}


def _result(row: dict | None) -> int | str | None:
    """A stored score as one value: a number, None for not applicable, "" for none yet."""
    if row is None:
        return ""
    return None if row["not_applicable"] else row["score"]


def _form_value(result: int | str | None) -> str:
    """A result as a score field's value: "0".."2", "na", or "" for none."""
    return NOT_APPLICABLE if result is None else str(result)


async def score_sheet(user: CurrentUser, review: Review) -> dict[str, Any]:
    """Everything the review page shows: per article, each indicator with the agency's
    answer, this member's own score, and — when allowed — the submitted members' scores,
    the suggestion, the disagreement flag and the consensus."""
    checklist = await templates.frozen_structure(review.assessment["template_id"])
    answers = {
        a["indicator"]: a
        for a in await Answer.select().where(Answer.assessment == review.assessment["id"])
    }
    own = (await _member_scores(review, [user.id])).get(user.id, {}) if review.seat else {}
    visible_seats = review.submitted_seats if review.sees_panel_scores else []
    others = await _member_scores(review, [s["member"] for s in visible_seats])
    # The consensus comes from the members' scores: hidden from those who may not see them.
    consensus = await _consensus(review) if review.sees_panel_scores else {}
    history = await _history(review)
    sections = []
    scored: list[scoring.Scored] = []
    for section in checklist["sections"]:
        items = []
        for indicator in section["indicators"]:
            iid = indicator["id"]
            panel = [_result(others[s["member"]].get(iid)) for s in visible_seats]
            given = [p for p in panel if p != ""]
            suggestion = scoring.suggest(given) if given else None  # type: ignore[arg-type]
            agreed = consensus.get(iid)
            if agreed is not None:
                scored.append(
                    scoring.Scored(
                        iid,
                        section["id"],
                        indicator["max_score"],
                        _result(agreed),  # type: ignore[arg-type]
                    )
                )
            items.append(
                {
                    "indicator": indicator,
                    "answer": answers.get(iid),
                    "own": own.get(iid),
                    "panel": panel,
                    "suggestion": suggestion,
                    "consensus": agreed,
                    "may_be_not_applicable": (answers.get(iid) or {}).get("choice")
                    == AnswerChoice.not_applicable,
                    "in_play": review.plays(iid),
                    # What the score fields start with: one's own score; the consensus
                    # so far, else the suggestion.
                    "own_value": _form_value(_result(own.get(iid))),
                    "consensus_value": _form_value(
                        _result(agreed) if agreed else (suggestion.score if suggestion else "")
                    ),
                    "history": history.get(iid, []),
                }
            )
        sections.append({**section, "items": items})
    complete = len(consensus) == checklist["indicator_count"]
    totals = scoring.totals(scored, [s["id"] for s in checklist["sections"]]) if complete else None
    return {
        "sections": sections,
        "visible_seats": visible_seats,
        "own_count": len(own),
        "to_score": (
            checklist["indicator_count"] if review.in_play is None else len(review.in_play)
        ),
        "indicator_count": checklist["indicator_count"],
        "consensus_count": len(consensus),
        "totals": totals,
        "band": _band(review, totals),
    }


async def _history(review: Review) -> dict[int, list[dict[str, Any]]]:
    """Per indicator, what earlier rounds decided: the consensus and any return feedback."""
    if review.round == 1:
        return {}
    found: dict[int, list[dict[str, Any]]] = {}
    rows = (
        await ConsensusScore.select()
        .where(
            (ConsensusScore.assessment == review.assessment["id"])
            & (ConsensusScore.round < review.round)
        )
        .order_by(ConsensusScore.round)
    )
    returned = {
        (row["indicator"], row["round"]): row["feedback"]
        for row in await ReturnedIndicator.select().where(
            ReturnedIndicator.assessment == review.assessment["id"]
        )
    }
    for row in rows:
        found.setdefault(row["indicator"], []).append(
            {
                "round": row["round"],
                "result": _result(row),
                "returned": returned.get((row["indicator"], row["round"])),
            }
        )
    return found


def cycle_bands(text: str) -> list[scoring.Band]:
    """A cycle's bands (the defaults when the cycle sets none)."""
    return scoring.parse_bands(text) if text.strip() else list(scoring.DEFAULT_BANDS)


def _band(review: Review, totals: scoring.Totals | None) -> scoring.Band | None:
    if totals is None or totals.percent is None:
        return None
    return scoring.band_for(totals.percent, cycle_bands(review.assessment["bands"] or ""))


def _parse_score(text: str, indicator: dict, may_be_na: bool) -> tuple[int | None, bool] | str:
    """(score, not_applicable) from a form value, or an error message."""
    if text == NOT_APPLICABLE:
        if not may_be_na:
            return _("Not applicable is possible only where the agency answered so.")
        return None, True
    if text.isdecimal() and 0 <= int(text) <= indicator["max_score"]:
        return int(text), False
    return _("Choose a score from 0 to %(max)s.") % {"max": indicator["max_score"]}


async def save_scores(user: CurrentUser, review: Review, form: dict[str, str]) -> int:
    """Save this member's scores and comments sent in `form` (`score-<id>`,
    `comment-<id>`): all of them or, when one is wrong, none. Returns how many saved."""
    if not review.can_score:
        raise DomainError(
            _("Your scores for this assessment are submitted and can no longer change.")
        )
    checklist = await templates.frozen_structure(review.assessment["template_id"])
    answers = {
        a["indicator"]: a["choice"]
        for a in await Answer.select(Answer.indicator, Answer.choice).where(
            Answer.assessment == review.assessment["id"]
        )
    }
    errors: dict[str, str] = {}
    rows = []
    now = clock.now()
    for section in checklist["sections"]:
        for indicator in section["indicators"]:
            iid = indicator["id"]
            text = form.get(f"score-{iid}", "").strip()
            comment = form.get(f"comment-{iid}", "").strip()
            if not text or not review.plays(iid):
                continue  # a settled indicator of an earlier round is not scored again
            parsed = _parse_score(text, indicator, answers.get(iid) == AnswerChoice.not_applicable)
            if isinstance(parsed, str):
                errors[f"score-{iid}"] = parsed
                continue
            if len(comment) > MAX_COMMENT:
                errors[f"comment-{iid}"] = _("Keep the comment under %(n)s characters.") % {
                    "n": MAX_COMMENT
                }
                continue
            score, not_applicable = parsed
            rows.append((iid, score, not_applicable, comment))
    if errors:
        raise FormErrors(errors)
    scores = [
        MemberScore(
            assessment=review.assessment["id"],
            indicator=iid,
            member=user.id,
            round=review.round,
            slot=_slot(review.assessment["id"], iid, user.id, review.round),
            score=score,
            not_applicable=not_applicable,
            comment=comment,
            updated_at=now,
        )
        for iid, score, not_applicable, comment in rows
    ]
    if scores:
        async with db.transaction():  # saved over: the new scores replace the old ones
            await MemberScore.delete().where(MemberScore.slot.is_in([m.slot for m in scores]))
            await MemberScore.insert(*scores)
    return len(rows)


async def submit_scores(user: CurrentUser, review: Review) -> int:
    """Hand in this member's scores once every indicator has one; returns how many are
    still missing (and submits nothing) otherwise."""
    if not review.can_score or review.seat is None:
        raise DomainError(
            _("Your scores for this assessment are submitted and can no longer change.")
        )
    checklist = await templates.frozen_structure(review.assessment["template_id"])
    own = (await _member_scores(review, [user.id]))[user.id]
    wanted = [
        i["id"]
        for section in checklist["sections"]
        for i in section["indicators"]
        if review.plays(i["id"])
    ]
    missing = sum(1 for iid in wanted if iid not in own)
    if missing:
        return missing
    async with db.transaction():
        await PanelMember.update({PanelMember.submitted_at: clock.now()}).where(
            (PanelMember.id == review.seat["id"]) & PanelMember.submitted_at.is_null()
        )
        await audit.record(user, "review.scores_submitted", "assessment", review.assessment["id"])
    return 0


# --- consensus and the rating ---------------------------------------------------------


def _consensus_row(
    assessment_id: int, indicator_id: int, round_: int, **values: Any
) -> ConsensusScore:
    """A consensus score row in its slot (one per assessment, indicator and round)."""
    return ConsensusScore(
        assessment=assessment_id,
        indicator=indicator_id,
        round=round_,
        slot=_slot(assessment_id, indicator_id, round_),
        **values,
    )


async def _leave_submitted(assessment_id: int, status: AssessmentStatus) -> None:
    """Move an assessment out of review (rated, or returned); refused when someone else
    already did."""
    changed = (
        await Assessment.update({Assessment.status: status})
        .where((Assessment.id == assessment_id) & (Assessment.status == AssessmentStatus.submitted))
        .returning(Assessment.id)
    )
    if not changed:
        raise DomainError(_("This assessment was changed by someone else. Reload and try again."))


async def save_consensus(user: CurrentUser, review: Review, form: dict[str, str]) -> None:
    """The chair's consensus scores (`consensus-<id>`, `feedback-<id>`, `reason-<id>`): a
    score that departs from the suggestion needs a reason. All or nothing."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    if not review.submitted_seats:
        raise DomainError(_("No member has submitted scores yet."))
    sheet = await score_sheet(user, review)
    errors: dict[str, str] = {}
    rows = []
    for section in sheet["sections"]:
        for item in section["items"]:
            indicator = item["indicator"]
            iid = indicator["id"]
            text = form.get(f"consensus-{iid}", "").strip()
            if not text or not item["in_play"]:
                continue
            parsed = _parse_score(text, indicator, item["may_be_not_applicable"])
            if isinstance(parsed, str):
                errors[f"consensus-{iid}"] = parsed
                continue
            score, not_applicable = parsed
            reason = form.get(f"reason-{iid}", "").strip()
            suggestion = item["suggestion"]
            departs = suggestion is not None and suggestion.score != (
                None if not_applicable else score
            )
            if departs and not reason:
                errors[f"reason-{iid}"] = _(
                    "Say why the consensus differs from the suggested score."
                )
                continue
            rows.append(
                (iid, score, not_applicable, form.get(f"feedback-{iid}", "").strip(), reason)
            )
    if errors:
        raise FormErrors(errors)
    if not rows:
        return
    now = clock.now()
    agreed = [
        _consensus_row(
            review.assessment["id"],
            iid,
            review.round,
            score=score,
            not_applicable=not_applicable,
            comment=feedback[:MAX_COMMENT],
            reason=reason[:MAX_COMMENT],
            decided_by=user.id,
            decided_at=now,
        )
        for iid, score, not_applicable, feedback, reason in rows
    ]
    async with db.transaction():
        await ConsensusScore.delete().where(ConsensusScore.slot.is_in([c.slot for c in agreed]))
        await ConsensusScore.insert(*agreed)
        await audit.record(
            user, "review.consensus_saved", "assessment", review.assessment["id"], str(len(rows))
        )


async def publish(user: CurrentUser, review: Review) -> Rating:
    """Publish the rating from the consensus scores; the registry shows it from now on."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    sheet = await score_sheet(user, review)
    totals, band = sheet["totals"], sheet["band"]
    if totals is None or band is None:
        raise DomainError(
            _("Record a consensus score for every indicator before publishing the rating.")
        )
    now = clock.now()
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
            published_at=now,
            published_by=user.id,
        )
        await rating.save()
        await _leave_submitted(review.assessment["id"], AssessmentStatus.rated)
        await audit.record(
            user,
            "review.rating_published",
            "assessment",
            review.assessment["id"],
            f"{review.assessment['licence_number']}: {band.code} ({totals.total})",
        )
    return rating


async def latest_ratings(agency_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each agency's latest published rating, with its cycle and template version."""
    if not agency_ids:
        return {}
    rows = (
        await Rating.select(
            *Rating.all_columns(),
            Rating.cycle.title_en.as_alias("cycle_title_en"),
            Rating.cycle.title_km.as_alias("cycle_title_km"),
            Rating.template.version.as_alias("template_version"),
            Rating.template.title_en.as_alias("template_title_en"),
        )
        .where(Rating.agency.is_in(agency_ids))
        .order_by(Rating.published_at)
    )
    return {row["agency"]: row for row in rows}  # the newest wins


async def rating_history(agency_id: int) -> list[dict[str, Any]]:
    """Every published rating of an agency, newest first."""
    return (
        await Rating.select(
            *Rating.all_columns(),
            Rating.cycle.title_en.as_alias("cycle_title_en"),
            Rating.cycle.title_km.as_alias("cycle_title_km"),
            Rating.template.version.as_alias("template_version"),
        )
        .where(Rating.agency == agency_id)
        .order_by(Rating.published_at, ascending=False)
    )


async def set_chair(user: CurrentUser, cycle_id: int, member_id: int) -> None:
    """Name the committee member who chairs a cycle's reviews."""
    async with db.transaction():
        changed = (
            await AssessmentCycle.update({AssessmentCycle.chair: member_id})
            .where(AssessmentCycle.id == cycle_id)
            .returning(AssessmentCycle.id)
        )
        if not changed:
            raise NotFound(_("Page not found."))
        await audit.record(user, "review.chair_named", "cycle", cycle_id, str(member_id))


# --- return for revision --------------------------------------------------------------


async def return_for_revision(user: CurrentUser, review: Review, form: dict[str, Any]) -> int:
    """The chair sends the assessment back, naming the indicators to revisit (`reopen`,
    several values) each with feedback (`why-<id>`): those reopen for the agency, the
    rest stay locked. Returns how many were reopened."""
    if not review.can_decide:
        raise NotFound(_("Page not found."))
    checklist = await templates.frozen_structure(review.assessment["template_id"])
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
        if not str(form.get(f"why-{iid}", "")).strip():
            errors[f"why-{iid}"] = _("Tell the agency what to revise.")
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    async with db.transaction():
        await _leave_submitted(review.assessment["id"], AssessmentStatus.returned)
        await ReturnedIndicator.insert(
            *(
                ReturnedIndicator(
                    assessment=review.assessment["id"],
                    indicator=iid,
                    round=review.round,
                    feedback=str(form[f"why-{iid}"]).strip()[:MAX_COMMENT],
                    returned_at=now,
                )
                for iid in sorted(set(chosen))
            )
        )
        await audit.record(
            user, "review.returned", "assessment", review.assessment["id"], str(len(set(chosen)))
        )
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
                    seat=_slot(assessment["id"], seat["member"], new_round),
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
                _consensus_row(
                    assessment["id"],
                    row["indicator"],
                    new_round,
                    **{k: row[k] for k in _CARRIED},
                )
                for row in kept
            )
        )
