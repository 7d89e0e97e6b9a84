"""Scoring a reviewed self-assessment: each panel member's scores per indicator, handed
in once complete; the chair's consensus score per indicator; and the score sheet the
review page shows. The arithmetic (suggestions, totals, bands) lives in
`portal.checklists.scoring`."""

from __future__ import annotations

from typing import Any

from portal import clock, db
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists import checklist_versions, scoring
from portal.checklists.panel import Review, slot
from portal.checklists.tables import (
    Answer,
    AnswerChoice,
    ConsensusScore,
    MemberScore,
    PanelMember,
    ReturnedIndicator,
)
from portal.errors import DomainError, FormErrors, NotFound
from portal.forms import whole_number
from portal.i18n import gettext as _

NOT_APPLICABLE = "na"
MAX_COMMENT = 2000


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
    checklist = await checklist_versions.frozen_structure(review.assessment["template_id"])
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
        "band": band(review, totals),
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


def band(review: Review, totals: scoring.Totals | None) -> scoring.Band | None:
    if totals is None or totals.percent is None:
        return None
    return scoring.band_for(totals.percent, cycle_bands(review.assessment["bands"] or ""))


def _parse_score(text: str, indicator: dict, may_be_na: bool) -> tuple[int | None, bool] | str:
    """(score, not_applicable) from a form value, or an error message."""
    if text == NOT_APPLICABLE:
        if not may_be_na:
            return _("Not applicable is possible only where the agency answered so.")
        return None, True
    score = whole_number(text, 0, indicator["max_score"])
    if score is not None:
        return score, False
    return _("Choose a score from 0 to %(max)s.") % {"max": indicator["max_score"]}


async def save_scores(user: CurrentUser, review: Review, form: dict[str, str]) -> int:
    """Save this member's scores and comments sent in `form` (`score-<id>`,
    `comment-<id>`): all of them or, when one is wrong, none. Returns how many saved."""
    if not review.can_score:
        raise DomainError(
            _("Your scores for this assessment are submitted and can no longer change.")
        )
    checklist = await checklist_versions.frozen_structure(review.assessment["template_id"])
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
            slot=slot(review.assessment["id"], iid, user.id, review.round),
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
    checklist = await checklist_versions.frozen_structure(review.assessment["template_id"])
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


def consensus_row(
    assessment_id: int, indicator_id: int, round_: int, **values: Any
) -> ConsensusScore:
    """A consensus score row in its slot (one per assessment, indicator and round)."""
    return ConsensusScore(
        assessment=assessment_id,
        indicator=indicator_id,
        round=round_,
        slot=slot(assessment_id, indicator_id, round_),
        **values,
    )


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
        consensus_row(
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
