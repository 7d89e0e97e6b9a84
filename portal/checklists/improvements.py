"""After the rating: the feedback the agency reads (consensus scores and comments, never a
single member's scores) and its improvement plan — actions the chair sets with a due
date, the agency updates with a note and evidence, and a committee member verifies or
reopens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from portal import clock, db, uploads
from portal.access import or_404
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists import checklist_versions
from portal.checklists.panel import Review
from portal.checklists.tables import (
    ActionFile,
    ActionStatus,
    AssessmentStatus,
    ConsensusScore,
    ImprovementAction,
    Rating,
)
from portal.core.roles import Role
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import gettext as _

MAX_TEXT = 2000


async def rating_of(assessment_id: int) -> dict[str, Any] | None:
    return await Rating.select().where(Rating.assessment == assessment_id).first()


async def actions(assessment_id: int) -> list[dict[str, Any]]:
    """The improvement plan of a rated assessment, by due date, each with its files."""
    rows = (
        await ImprovementAction.select(
            *ImprovementAction.all_columns(),
            ImprovementAction.indicator.code.as_alias("indicator_code"),
            ImprovementAction.indicator.text_en.as_alias("indicator_text_en"),
            ImprovementAction.indicator.text_km.as_alias("indicator_text_km"),
        )
        .where(ImprovementAction.rating.assessment == assessment_id)
        .order_by(ImprovementAction.due_on)
    )
    files: dict[int, list] = {}
    if rows:
        for f in (
            await ActionFile.select()
            .where(ActionFile.action.is_in([r["id"] for r in rows]))
            .order_by(ActionFile.id)
        ):
            files.setdefault(f["action"], []).append(f)
    today = clock.now().date()
    for row in rows:
        row["files"] = files.get(row["id"], [])
        row["can_update"] = row["status"] in (ActionStatus.open, ActionStatus.reopened)
        row["can_verify"] = row["status"] == ActionStatus.done
        row["late"] = row["can_update"] and row["due_on"] < today
    return rows


async def feedback(assessment: dict[str, Any]) -> dict[str, Any]:
    """What the agency reads once rated: per article, each indicator's consensus score
    and the committee's comment, the rating and the improvement plan."""
    if assessment["status"] != AssessmentStatus.rated:
        raise NotFound(_("Page not found."))
    checklist = await checklist_versions.frozen_structure(assessment["template_id"])
    consensus = {
        row["indicator"]: row
        for row in await ConsensusScore.select().where(
            (ConsensusScore.assessment == assessment["id"])
            & (ConsensusScore.round == assessment["round"])
        )
    }
    sections = [
        {
            **section,
            "items": [
                {"indicator": i, "consensus": consensus.get(i["id"])} for i in section["indicators"]
            ],
        }
        for section in checklist["sections"]
    ]
    return {
        "sections": sections,
        "rating": await rating_of(assessment["id"]),
        "actions": await actions(assessment["id"]),
    }


# --- the chair sets actions -------------------------------------------------------------


@dataclass
class NewAction:
    """An improvement action, as the chair's form gives it."""

    indicator: int | None
    action_en: str
    action_km: str
    due_on: date


async def indicator_ids(review: Review) -> set[int]:
    """The indicators of the reviewed checklist version: an action improves one of them."""
    checklist = await checklist_versions.frozen_structure(review.assessment["template_id"])
    return {i["id"] for s in checklist["sections"] for i in s["indicators"]}


def action_problems(indicator: int | None, due_on: date | None, known: set[int]) -> dict[str, str]:
    """A message for each field of a new action that breaks a rule (a due date not given
    is not compared)."""
    errors = {}
    if indicator not in known:
        errors["indicator"] = _("Choose the indicator this action improves.")
    if due_on is not None and due_on < clock.now().date():
        errors["due_on"] = _("The due date cannot be in the past.")
    return errors


async def add_action(user: CurrentUser, review: Review, new: NewAction) -> None:
    """A new improvement action on a published rating (the chair's)."""
    if not review.is_chair or review.assessment["status"] != AssessmentStatus.rated:
        raise NotFound(_("Page not found."))
    rating = or_404(await rating_of(review.assessment["id"]))
    if errors := action_problems(new.indicator, new.due_on, await indicator_ids(review)):
        raise FormErrors(errors)
    async with db.transaction():
        await ImprovementAction.insert(
            ImprovementAction(
                rating=rating["id"],
                indicator=new.indicator,
                action_en=new.action_en,
                action_km=new.action_km,
                due_on=new.due_on,
                updated_at=clock.now(),
            )
        )
        await audit.record(user, "improvement.added", "assessment", review.assessment["id"])


async def _action(assessment_id: int, action_id: int) -> dict[str, Any]:
    return or_404(
        await ImprovementAction.select()
        .where(
            (ImprovementAction.id == action_id)
            & (ImprovementAction.rating.assessment == assessment_id)
        )
        .first()
    )


# --- the agency updates, the committee verifies ------------------------------------------


async def update_by_agency(
    user: CurrentUser, assessment: dict[str, Any], action_id: int, note: str, files: list
) -> None:
    """The agency reports what it did (a note, evidence files): the action waits for
    verification. All or nothing."""
    if user.role != Role.agency or assessment["agency"] != user.agency_id:
        raise NotFound(_("Page not found."))
    action = await _action(assessment["id"], action_id)
    if action["status"] not in (ActionStatus.open, ActionStatus.reopened):
        raise DomainError(_("This action is waiting for the committee or already verified."))
    note = note.strip()
    errors = {}
    if not note:
        errors[f"note-{action_id}"] = _("Say what your agency has done.")
    elif len(note) > MAX_TEXT:
        errors[f"note-{action_id}"] = _("Use at most %(n)s characters.") % {"n": MAX_TEXT}
    already = await ActionFile.count().where(ActionFile.action == action_id)
    checked = []
    try:
        checked = await uploads.check(files, f"files-{action_id}", already)
    except DomainError as error:
        errors[error.field or f"files-{action_id}"] = error.message
    if errors:
        raise FormErrors(errors)
    now = clock.now()
    async with uploads.staged(checked) as staged, db.transaction():
        await ImprovementAction.update(
            {
                ImprovementAction.status: ActionStatus.done,
                ImprovementAction.agency_note: note,
                ImprovementAction.updated_at: now,
            }
        ).where(ImprovementAction.id == action_id)
        if staged.files:
            await ActionFile.insert(
                *(
                    ActionFile(
                        action=action_id,
                        **f.columns(),
                        uploaded_at=now,
                        uploaded_by=user.id,
                    )
                    for f in staged.files
                )
            )
        await audit.record(user, "improvement.updated", "assessment", assessment["id"])


async def decide(
    user: CurrentUser, review: Review, action_id: int, verified: bool, note: str
) -> None:
    """A committee member verifies a done action, or reopens it with a note saying why."""
    action = await _action(review.assessment["id"], action_id)
    if action["status"] != ActionStatus.done:
        raise DomainError(_("Only an action the agency reported as done can be verified."))
    note = note.strip()
    if not verified and not note:
        raise FormErrors({f"reopen-why-{action_id}": _("Say why the action is reopened.")})
    if len(note) > MAX_TEXT:
        raise FormErrors(
            {f"reopen-why-{action_id}": _("Use at most %(n)s characters.") % {"n": MAX_TEXT}}
        )
    async with db.transaction():
        await ImprovementAction.update(
            {
                ImprovementAction.status: ActionStatus.verified
                if verified
                else ActionStatus.reopened,
                ImprovementAction.committee_note: note,
                ImprovementAction.verified_by: user.id if verified else None,
                ImprovementAction.updated_at: clock.now(),
            }
        ).where(ImprovementAction.id == action_id)
        await audit.record(
            user,
            "improvement.verified" if verified else "improvement.reopened",
            "assessment",
            review.assessment["id"],
        )


async def action_file(assessment_id: int, file_id: int) -> dict[str, Any]:
    """A file of one of this assessment's actions (the same 404 for another's)."""
    found = or_404(await ActionFile.select().where(ActionFile.id == file_id).first())
    await _action(assessment_id, found["action"])
    return found
