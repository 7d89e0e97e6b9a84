"""The committee's review of a submitted self-assessment, as one member sees it, and its
panel: the cycle's chair names the members who score each round.

Independence: a member's scores are theirs alone until they submit them; nobody sees any
member's scores before submitting their own (the chair who is not on the panel sees
submitted scores only). Scoring is in `portal.checklists.scores`, the chair's decision
(publish or return) in `portal.checklists.ratings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import db
from portal.access import or_404
from portal.accounts.services import CurrentUser
from portal.accounts.tables import User
from portal.audit import services as audit
from portal.checklists import checklist_versions, states
from portal.checklists.tables import (
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ConsensusScore,
    PanelMember,
    ReturnedIndicator,
)
from portal.core.roles import Role
from portal.errors import FormErrors, NotFound
from portal.i18n import gettext as _


@dataclass
class Review:
    """An assessment under review as one committee member sees it."""

    assessment: dict[str, Any]
    round: int
    is_chair: bool
    seat: dict[str, Any] | None  # this member's place on the panel, if any
    panel: list[dict[str, Any]]  # every seat of this round, with the member's name
    # The indicators scored this round: all in round 1; after a return, the reopened ones
    # and any the round before left without a consensus (the others keep theirs).
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


def slot(*parts: Any) -> str:
    """The unique key of a row that exists once per these parts (assessment, member, round...)."""
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
            Assessment.cycle.reply_days.as_alias("reply_days"),
            Assessment.agency.name_en.as_alias("agency_name_en"),
            Assessment.agency.name_km.as_alias("agency_name_km"),
            Assessment.agency.licence_number.as_alias("licence_number"),
        )
        .where((Assessment.id == assessment_id) & Assessment.status.is_in(list(states.REVIEWED)))
        .first()
    )
    round_ = assessment["round"]
    panel = await PanelMember.select(
        *PanelMember.all_columns(),
        PanelMember.member.full_name.as_alias("member_name"),
        PanelMember.member.constituency.as_alias("constituency"),
    ).where((PanelMember.assessment == assessment_id) & (PanelMember.round == round_))
    seat = next((s for s in panel if s["member"] == user.id), None)
    in_play = await _in_play(assessment, round_) if round_ > 1 else None
    return Review(assessment, round_, assessment["chair_id"] == user.id, seat, panel, in_play)


async def _in_play(assessment: dict[str, Any], round_: int) -> set[int]:
    """After a return: the reopened indicators, and those returned before the chair agreed
    a consensus on them (nothing carried over, so they must be scored again)."""
    returned = await ReturnedIndicator.select(ReturnedIndicator.indicator).where(
        (ReturnedIndicator.assessment == assessment["id"]) & (ReturnedIndicator.round == round_ - 1)
    )
    agreed = await ConsensusScore.select(ConsensusScore.indicator).where(
        (ConsensusScore.assessment == assessment["id"]) & (ConsensusScore.round == round_ - 1)
    )
    checklist = await checklist_versions.frozen_structure(assessment["template_id"])
    every = {i["id"] for section in checklist["sections"] for i in section["indicators"]}
    return {row["indicator"] for row in returned} | (every - {row["indicator"] for row in agreed})


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
                seat=slot(review.assessment["id"], member, review.round),
            )
            for member in sorted(chosen - existing - keep)
        ]
        if new:
            await PanelMember.insert(*new)
        await audit.record(
            user, "review.panel_set", "assessment", review.assessment["id"], f"{len(chosen)}"
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
