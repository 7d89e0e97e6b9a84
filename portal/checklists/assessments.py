"""An agency's self-assessment as its pages read it: who may see it, its answers,
evidence files and clarification questions, and its progress. Saving answers and
submitting are in answers.py.

Who sees an assessment: the agency's own users, always; committee members and admins once
it has been submitted. Everyone else gets the same 404 as for one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import db
from portal.access import or_404
from portal.accounts.services import CurrentUser
from portal.checklists import checklist_versions, states
from portal.checklists.cycles import today
from portal.checklists.tables import (
    AnswerChoice,
    Assessment,
    AssessmentStatus,
    Evidence,
    ReturnedIndicator,
)
from portal.core.roles import Role
from portal.errors import DomainError, NotFound
from portal.i18n import N_
from portal.i18n import gettext as _

# Why an indicator is not complete yet, in the order the agency should fix them.
NOT_ANSWERED = N_("Not answered yet")
EVIDENCE_MISSING = N_("Evidence is required: attach at least one file")
REASON_MISSING = N_("Explain why this indicator does not apply")


class ReadOnly(DomainError):
    """The answers are locked (submitted, or the cycle has not opened)."""

    status_code = 409


# --- reading ---------------------------------------------------------------------------


# Every page of the self-assessment reads the assessment, and the article page reads its
# answers, files and questions: written out in SQL, because building them with Piccolo
# took longer than running them (bench/README.md, the article page).
_ASSESSMENT_SQL = """
SELECT a.id, a.cycle, a.agency, a.participation, a.status, a.complete_count, a.updated_at,
       a.submitted_at, a.round,
       c.title_en AS cycle_title_en, c.title_km AS cycle_title_km, c.template AS template_id,
       c.opens_on, c.submission_deadline,
       g.name_en AS agency_name_en, g.name_km AS agency_name_km, g.licence_number
FROM assessment a JOIN cycle c ON c.id = a.cycle JOIN agency g ON g.id = a.agency
WHERE a.id = {} AND """
_ANSWERS_SQL = """
SELECT indicator, choice, explanation, updated_at FROM answer WHERE assessment = {}"""
_EVIDENCE_SQL = """
SELECT id, indicator, filename, size, uploaded_at FROM evidence WHERE assessment = {}
ORDER BY id"""
_CLARIFICATIONS_SQL = """
SELECT id, indicator, assessment, question, asked_at, answer, answered_at, published
FROM clarification
WHERE cycle = {} AND (assessment = {} OR published = {}) AND indicator IN """


async def get_assessment(user: CurrentUser, assessment_id: int) -> dict[str, Any]:
    """The assessment, if this user may see it, with its cycle and agency."""
    if user.role == Role.agency:
        rows = await db.select(_ASSESSMENT_SQL + "a.agency = {}", assessment_id, user.agency_id)
    elif user.role in (Role.committee, Role.admin):
        rows = await db.select(
            _ASSESSMENT_SQL + "a.status <> {}", assessment_id, AssessmentStatus.in_progress.value
        )
    else:
        raise NotFound(_("Page not found."))
    assessment = or_404(rows[0] if rows else None)
    assessment["is_open"] = today() >= assessment["opens_on"]
    assessment["editable"] = (
        user.role == Role.agency
        and assessment["status"] in states.EDITABLE
        and assessment["is_open"]
    )
    assessment["can_ask"] = user.role == Role.agency and assessment["is_open"]
    # Returned for revision: indicator id → the committee's feedback; only these reopen.
    assessment["reopened"] = await reopened(assessment)
    return assessment


async def reopened(assessment: dict) -> dict[int, str]:
    """The indicators the committee returned in this round, with its feedback."""
    if assessment["status"] != AssessmentStatus.returned:
        return {}
    rows = await ReturnedIndicator.select(
        ReturnedIndicator.indicator, ReturnedIndicator.feedback
    ).where(
        (ReturnedIndicator.assessment == assessment["id"])
        & (ReturnedIndicator.round == assessment["round"])
    )
    return {row["indicator"]: row["feedback"] for row in rows}


def may_change(assessment: dict, indicator_id: int) -> bool:
    """Whether the agency may change this indicator's answer and evidence now."""
    if not assessment["editable"]:
        return False
    return (
        assessment["status"] != AssessmentStatus.returned or indicator_id in assessment["reopened"]
    )


async def agency_assessments(user: CurrentUser) -> list[dict]:
    """The agency's self-assessments, newest cycle first."""
    rows = (
        await Assessment.select(
            *Assessment.all_columns(),
            Assessment.cycle.title_en.as_alias("cycle_title_en"),
            Assessment.cycle.title_km.as_alias("cycle_title_km"),
            Assessment.cycle.opens_on.as_alias("opens_on"),
            Assessment.cycle.submission_deadline.as_alias("submission_deadline"),
            Assessment.cycle.template.as_alias("template_id"),
        )
        .where(Assessment.agency == user.agency_id)
        .order_by(Assessment.cycle.opens_on, ascending=False)
    )
    for row in rows:
        row["indicator_count"] = (await checklist_versions.frozen_structure(row["template_id"]))[
            "indicator_count"
        ]
    return rows


def problems(indicator: dict, answer: dict | None, evidence_count: int) -> list[str]:
    """What is still missing before this indicator counts as complete (empty when done)."""
    if not answer or not answer["choice"]:
        return [NOT_ANSWERED]
    choice = answer["choice"]
    missing = []
    if (
        choice in (AnswerChoice.met, AnswerChoice.partly_met)
        and indicator["evidence_required"]
        and not evidence_count
    ):
        missing.append(EVIDENCE_MISSING)
    if choice == AnswerChoice.not_applicable and not answer["explanation"].strip():
        missing.append(REASON_MISSING)
    return missing


async def answers_by_indicator(assessment_id: int) -> dict[int, dict]:
    rows = await db.select(_ANSWERS_SQL, assessment_id)
    return {row["indicator"]: row for row in rows}


async def _evidence(assessment_id: int) -> dict[int, list]:
    by_indicator: dict[int, list] = {}
    for row in await db.select(_EVIDENCE_SQL, assessment_id):
        by_indicator.setdefault(row["indicator"], []).append(row)
    return by_indicator


async def evidence_counts(assessment_id: int) -> dict[int, int]:
    return {i: len(files) for i, files in (await _evidence(assessment_id)).items()}


async def _clarifications(assessment: dict, indicator_ids: list[int]) -> dict[int, list]:
    """The agency's own questions and the answers published for the whole cycle."""
    ids = indicator_ids or [0]
    rows = await db.select(
        _CLARIFICATIONS_SQL + f"({', '.join('{}' for _ in ids)}) ORDER BY asked_at",
        assessment["cycle"],
        assessment["id"],
        True,
        *ids,
    )
    by_indicator: dict[int, list] = {}
    for row in rows:
        row["own"] = row["assessment"] == assessment["id"]
        by_indicator.setdefault(row["indicator"], []).append(row)
    return by_indicator


async def progress(assessment: dict) -> dict[str, Any]:
    """Complete indicators per section and overall, and the list of what is missing."""
    answers = await answers_by_indicator(assessment["id"])
    evidence = await evidence_counts(assessment["id"])
    return await _progress(assessment, answers, evidence)


async def _progress(
    assessment: dict, answers: dict[int, dict], evidence: dict[int, int]
) -> dict[str, Any]:
    checklist = await checklist_versions.frozen_structure(assessment["template_id"])
    sections = []
    missing = []
    complete = 0
    for section in checklist["sections"]:
        done = 0
        for indicator in section["indicators"]:
            wrong = problems(
                indicator, answers.get(indicator["id"]), evidence.get(indicator["id"], 0)
            )
            if wrong:
                missing.append({"section": section, "indicator": indicator, "problems": wrong})
            else:
                done += 1
        complete += done
        sections.append({**section, "complete": done, "total": len(section["indicators"])})
    total = checklist["indicator_count"]
    return {
        "template": checklist["template"],
        "sections": sections,
        "complete": complete,
        "total": total,
        "percent": round(100 * complete / total) if total else 0,
        "missing": missing,
    }


@dataclass(frozen=True)
class IndicatorOnPage:
    """One indicator as the agency's article page shows it."""

    indicator: dict[str, Any]
    answer: dict[str, Any] | None
    evidence: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    editable: bool
    feedback: str | None  # why the committee returned it for revision
    problems: list[str]  # what is missing before it counts as complete


async def section_page(assessment: dict, section_id: int) -> dict[str, Any]:
    """One article of the checklist with the agency's answers, files and questions."""
    # One read of the answers and files serves both the progress bar and the article.
    answers = await answers_by_indicator(assessment["id"])
    evidence = await _evidence(assessment["id"])
    overall = await _progress(assessment, answers, {i: len(f) for i, f in evidence.items()})
    section = next((s for s in overall["sections"] if s["id"] == section_id), None)
    if section is None:
        raise NotFound(_("Page not found."))
    questions = await _clarifications(assessment, [i["id"] for i in section["indicators"]])
    position = overall["sections"].index(section)
    return {
        **overall,
        "section": section,
        "previous_section": overall["sections"][position - 1] if position else None,
        "next_section": (
            overall["sections"][position + 1] if position + 1 < len(overall["sections"]) else None
        ),
        "items": [
            IndicatorOnPage(
                indicator=indicator,
                answer=answers.get(indicator["id"]),
                evidence=evidence.get(indicator["id"], []),
                questions=questions.get(indicator["id"], []),
                editable=may_change(assessment, indicator["id"]),
                feedback=assessment["reopened"].get(indicator["id"]),
                problems=problems(
                    indicator,
                    answers.get(indicator["id"]),
                    len(evidence.get(indicator["id"], [])),
                ),
            )
            for indicator in section["indicators"]
        ],
    }


async def evidence_file(assessment: dict, evidence_id: int) -> dict:
    return or_404(
        await Evidence.select()
        .where(Evidence.id == evidence_id)
        .where(Evidence.assessment == assessment["id"])
        .first()
    )


async def section_of(assessment: dict, indicator_id: int) -> int:
    """The section (article) an indicator of this assessment's checklist belongs to."""
    checklist = await checklist_versions.frozen_structure(assessment["template_id"])
    for section in checklist["sections"]:
        if any(i["id"] == indicator_id for i in section["indicators"]):
            return section["id"]
    raise NotFound(_("Page not found."))


async def indicator_ids(assessment: dict) -> set[int]:
    """The indicators of the checklist version this assessment answers."""
    checklist = await checklist_versions.frozen_structure(assessment["template_id"])
    return {i["id"] for s in checklist["sections"] for i in s["indicators"]}
