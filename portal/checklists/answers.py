"""The agency's changes to its self-assessment: answers saved as they go, with their
evidence files, until the completeness check at submission locks them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from portal import clock, db, uploads
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists import assessments, ratings, states
from portal.checklists.tables import Answer, AnswerChoice, Assessment, AssessmentStatus, Evidence
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import gettext as _

MAX_EXPLANATION = 5000


@dataclass
class AnswerInput:
    """One indicator's fields as the agency sent them."""

    choice: str = ""
    explanation: str = ""
    files: list[uploads.Upload] = field(default_factory=list)


def _require_editable(assessment: dict, indicator_ids: Iterable[int] = ()) -> None:
    if assessment["status"] not in states.EDITABLE:
        raise assessments.ReadOnly(
            _("This self-assessment has been submitted; its answers can no longer change.")
        )
    if not assessment["editable"]:
        raise assessments.ReadOnly(_("This self-assessment cannot be changed now."))
    if any(not assessments.may_change(assessment, i) for i in indicator_ids):
        raise assessments.ReadOnly(
            _("Only the indicators the committee returned for revision can change.")
        )


async def save_answers(
    user: CurrentUser, assessment: dict, entries: dict[int, AnswerInput]
) -> None:
    """Save what changed for these indicators, with their new files: all of it or, when
    anything is wrong, none of it (FormErrors names each field)."""
    if not set(entries) <= await assessments.indicator_ids(assessment):
        raise NotFound(_("Page not found."))
    _require_editable(assessment, entries)
    existing = await assessments.answers_by_indicator(assessment["id"])
    evidence_counts = await assessments.evidence_counts(assessment["id"])
    errors: dict[str, str] = {}
    checked: list[tuple[int, uploads.CheckedFile]] = []
    for indicator_id, entry in entries.items():
        if entry.choice and entry.choice not in AnswerChoice.__members__:
            errors[f"answer-{indicator_id}"] = _("Choose one of the answers.")
        if len(entry.explanation) > MAX_EXPLANATION:
            errors[f"explanation-{indicator_id}"] = _(
                "Keep the explanation under %(n)s characters."
            ) % {"n": MAX_EXPLANATION}
        try:
            for file in await uploads.check(
                entry.files, f"evidence-{indicator_id}", evidence_counts.get(indicator_id, 0)
            ):
                checked.append((indicator_id, file))
        except DomainError as error:
            errors[error.field or f"evidence-{indicator_id}"] = error.message
    if errors:
        raise FormErrors(errors)

    now = clock.now()
    async with uploads.staged([file for _, file in checked]) as staged, db.transaction():
        for indicator_id, entry in entries.items():
            await _save_answer(
                user, assessment["id"], indicator_id, entry, existing.get(indicator_id), now
            )
        if staged.files:
            await Evidence.insert(
                *(
                    Evidence(
                        assessment=assessment["id"],
                        indicator=indicator_id,
                        **file.columns(),
                        uploaded_at=now,
                        uploaded_by=user.id,
                    )
                    for (indicator_id, _checked), file in zip(checked, staged.files, strict=True)
                )
            )
        await _recount(assessment, now)


async def _save_answer(
    user: CurrentUser,
    assessment_id: int,
    indicator_id: int,
    entry: AnswerInput,
    before: dict | None,
    now: Any,
) -> None:
    choice = entry.choice or None
    explanation = entry.explanation.strip()
    if before is None:
        if choice or explanation:
            await Answer.insert(
                Answer(
                    assessment=assessment_id,
                    indicator=indicator_id,
                    slot=f"{assessment_id}:{indicator_id}",
                    choice=choice,
                    explanation=explanation,
                    updated_at=now,
                    updated_by=user.id,
                )
            )
    elif (before["choice"], before["explanation"]) != (choice, explanation):
        await Answer.update(
            {
                Answer.choice: choice,
                Answer.explanation: explanation,
                Answer.updated_at: now,
                Answer.updated_by: user.id,
            }
        ).where(Answer.slot == f"{assessment_id}:{indicator_id}")


async def _recount(assessment: dict, now: Any) -> None:
    counted = await assessments.progress(assessment)
    await Assessment.update(
        {Assessment.complete_count: counted["complete"], Assessment.updated_at: now}
    ).where(Assessment.id == assessment["id"])


async def remove_evidence(user: CurrentUser, assessment: dict, evidence_id: int) -> int:
    """Delete one evidence file; returns the indicator it belonged to."""
    evidence = await assessments.evidence_file(assessment, evidence_id)
    _require_editable(assessment, [evidence["indicator"]])
    async with db.transaction():
        await Evidence.delete().where(Evidence.id == evidence_id)
        await _recount(assessment, clock.now())
    uploads.remove([evidence["stored_name"]])
    return evidence["indicator"]


async def submit(user: CurrentUser, assessment: dict) -> list[dict]:
    """Lock the answers and hand them to the committee. Returns what is still missing
    (and submits nothing) when the checklist is not complete."""
    _require_editable(assessment)
    missing = (await assessments.progress(assessment))["missing"]
    if missing:
        return missing
    resubmitted = assessment["status"] == AssessmentStatus.returned
    async with db.transaction():
        await states.move(
            assessment,
            AssessmentStatus.submitted,
            # A resubmission after a return starts the committee's next round.
            {"submitted_at": clock.now(), "round": assessment["round"] + resubmitted},
        )
        if resubmitted:
            await ratings.start_next_round(assessment, assessment["round"] + 1)
        await audit.record(
            user,
            "assessment.submitted",
            "assessment",
            assessment["id"],
            f"{assessment['licence_number']} · {assessment['cycle_title_en']}",
        )
    return []
