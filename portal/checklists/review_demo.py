"""Demo committee reviews: the two cycles before this year's, with published ratings (and
an improvement plan), and this year's submitted self-assessment half way through its
review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal import clock
from portal.accounts.tables import User
from portal.checklists import (
    answers,
    assessments,
    checklist_versions,
    cycles,
    improvements,
    panel,
    ratings,
    scores,
)
from portal.checklists.demo import CYCLE_TITLE, agency_assessment, agency_user, as_user, fill
from portal.checklists.tables import (
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ChecklistTemplate,
    TemplateStatus,
)


@dataclass(frozen=True)
class PastCycle:
    title_en: str
    title_km: str
    year: int
    # The agencies rated (each with a demo account), and how often their answers fall
    # short: every n-th indicator.
    rated: dict[str, int]


PAST_CYCLES = (
    PastCycle(
        "COC self-assessment 2024",
        "ការវាយតម្លៃខ្លួនឯងតាមក្រមប្រតិបត្តិ ឆ្នាំ២០២៤",
        2024,
        {"MOLVT-PRA-0101": 3, "MOLVT-PRA-0102": 3},
    ),
    PastCycle(
        "COC self-assessment 2025",
        "ការវាយតម្លៃខ្លួនឯងតាមក្រមប្រតិបត្តិ ឆ្នាំ២០២៥",
        2025,
        {"MOLVT-PRA-0101": 4, "MOLVT-PRA-0102": 2},
    ),
)


async def _members() -> tuple[User, User] | None:
    chair = await User.objects().where(User.email == "committee@demo.example").first()
    union = await User.objects().where(User.email == "union@demo.example").first()
    return (chair, union) if chair and union else None


async def _score(member: User, assessment_id: int) -> None:
    """A member scores every indicator from the agency's answer, and submits."""
    agent = as_user(member)
    review = await panel.get_review(agent, assessment_id)
    sheet = await scores.score_sheet(agent, review)
    form = {}
    for section in sheet["sections"]:
        for item in section["items"]:
            choice = (item["answer"] or {}).get("choice")
            top = item["indicator"]["max_score"]
            score = top if choice == "met" else top // 2
            form[f"score-{item['indicator']['id']}"] = str(score)
    await scores.save_scores(agent, review, form)
    await scores.submit_scores(agent, review)


async def seed_reviews(report: list[str]) -> None:
    members = await _members()
    template = (
        await ChecklistTemplate.objects()
        .where(ChecklistTemplate.status == TemplateStatus.published)
        .first()
    )
    if members is None or template is None:
        return
    chair, union = members
    for past in PAST_CYCLES:
        if not await AssessmentCycle.exists().where(AssessmentCycle.title_en == past.title_en):
            await _past_cycle(past, template.id, chair, union, report)
    await _review_under_way(chair, union, report)


async def _past_cycle(
    past: PastCycle, template_id: int, chair: User, union: User, report: list[str]
) -> None:
    """A cycle of an earlier year, every agency in it rated and its rating published."""
    agencies = [await agency_user(licence) for licence in past.rated]
    if any(a is None for a in agencies):
        return
    cycle = await cycles.open_cycle(
        None,
        cycles.NewCycle(
            title_en=past.title_en,
            title_km=past.title_km,
            template=template_id,
            opens_on=date(past.year, 3, 1),
            submission_deadline=date(past.year, 5, 30),
            review_deadline=date(past.year, 7, 31),
            participants="chosen",
            agencies=[a.agency for a in agencies if a],
            reply_days=0,  # a past year's ratings are public already
        ),
    )
    await AssessmentCycle.update({AssessmentCycle.chair: chair.id}).where(
        AssessmentCycle.id == cycle.id
    )
    checklist = await checklist_versions.frozen_structure(template_id)
    for licence, user in zip(past.rated, agencies, strict=True):
        assert user is not None
        agent = as_user(user)
        assessment = await agency_assessment(user, cycle.id)
        if assessment is None:
            continue
        assessment_id = assessment["id"]
        await fill(agent, assessment, checklist["sections"], weak=past.rated[licence])
        await answers.submit(agent, await assessments.get_assessment(agent, assessment_id))
        review = await panel.get_review(as_user(chair), assessment_id)
        await panel.set_panel(as_user(chair), review, [chair.id, union.id])
        await _score(chair, assessment_id)
        await _score(union, assessment_id)
        review = await panel.get_review(as_user(chair), assessment_id)
        # The chair takes the suggested score everywhere.
        sheet = await scores.score_sheet(as_user(chair), review)
        consensus = {}
        for section in sheet["sections"]:
            for item in section["items"]:
                suggestion = item["suggestion"]
                consensus[f"consensus-{item['indicator']['id']}"] = str(suggestion.score)
        await scores.save_consensus(as_user(chair), review, consensus)
        await ratings.publish(as_user(chair), review)
        report.append(f"rating of {licence} in {past.title_en} (published)")
        if past != PAST_CYCLES[-1]:
            continue  # only last year's improvement plan is still running
        rated = await panel.get_review(as_user(chair), assessment_id)
        first = checklist["sections"][1]["indicators"][0]
        await improvements.add_action(
            as_user(chair),
            rated,
            improvements.NewAction(
                indicator=first["id"],
                action_en="Give every worker a copy of the signed contract in Khmer.",
                action_km="ផ្តល់ច្បាប់ចម្លងកិច្ចសន្យាដែលបានចុះហត្ថលេខាជាភាសាខ្មែរដល់ពលករគ្រប់រូប។",
                due_on=clock.now().date() + timedelta(days=45),
            ),
        )


async def _review_under_way(chair: User, union: User, report: list[str]) -> None:
    """This year's submitted self-assessment: the chair has scored, the union member not yet."""
    cycle = await AssessmentCycle.objects().where(AssessmentCycle.title_en == CYCLE_TITLE).first()
    if cycle is None or cycle.chair is not None:
        return
    await AssessmentCycle.update({AssessmentCycle.chair: chair.id}).where(
        AssessmentCycle.id == cycle.id
    )
    row = (
        await Assessment.objects()
        .where((Assessment.cycle == cycle.id) & (Assessment.status == AssessmentStatus.submitted))
        .first()
    )
    if row is None:
        return
    review = await panel.get_review(as_user(chair), row.id)
    await panel.set_panel(as_user(chair), review, [chair.id, union.id])
    await _score(chair, row.id)
    report.append(f"review of a {CYCLE_TITLE} submission (under way)")
