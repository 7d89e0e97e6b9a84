"""Demo self-assessments: an open cycle on the sample checklist with agencies at several
stages (not started, half filled, submitted), a question answered as guidance and one
waiting for the committee."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfWriter

from portal.accounts.services import CurrentUser
from portal.accounts.tables import User
from portal.checklists import answers, assessments, checklist_versions, clarifications, cycles
from portal.checklists.tables import (
    AnswerChoice,
    Assessment,
    AssessmentCycle,
    ChecklistTemplate,
    Clarification,
    TemplateStatus,
)
from portal.uploads import Upload

CYCLE_TITLE = "COC self-assessment 2026"


def policy_pdf() -> bytes:
    """An evidence file for the demo: a blank A4 page."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# How far each demo agency has come: None = not started, a number = articles answered.
PROGRESS = {"MOLVT-PRA-0101": 4, "MOLVT-PRA-0102": "submitted", "MOLVT-PRA-0203": None}


def as_user(user: User) -> CurrentUser:
    return CurrentUser(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        agency_id=user.agency,
        organisation_id=None,
        constituency=None,
        language="en",
        must_change_password=False,
        session_id=0,
    )


async def fill(agent: CurrentUser, assessment: dict, sections: list[dict], weak: int = 4) -> None:
    """Answer every indicator of these articles, with evidence where it is required;
    every `weak`-th indicator is only partly met."""
    for section in sections:
        await answers.save_answers(
            agent,
            assessment,
            {
                i["id"]: answers.AnswerInput(
                    choice=AnswerChoice.met if n % weak else AnswerChoice.partly_met,
                    explanation="Written in our HR policy (2025 edition), section "
                    f"{i['code']}; staff trained in March.",
                    files=[Upload(f"hr-policy-{i['code']}.pdf", io.BytesIO(policy_pdf()))]
                    if i["evidence_required"]
                    else [],
                )
                for n, i in enumerate(section["indicators"], start=1)
            },
        )


async def agency_user(licence: str) -> User | None:
    return (
        await User.objects()
        .where(User.agency.licence_number == licence)
        .where(User.role == "agency")
        .first()
    )


async def agency_assessment(user: User, cycle_id: int) -> dict | None:
    """The self-assessment of this user's agency in the cycle, as they see it (None when
    the agency takes no part)."""
    row = (
        await Assessment.objects()
        .where((Assessment.cycle == cycle_id) & (Assessment.agency == user.agency))
        .first()
    )
    return None if row is None else await assessments.get_assessment(as_user(user), row.id)


async def seed_cycle(report: list[str]) -> None:
    if await AssessmentCycle.exists().where(AssessmentCycle.title_en == CYCLE_TITLE):
        return
    template = (
        await ChecklistTemplate.objects()
        .where(ChecklistTemplate.status == TemplateStatus.published)
        .first()
    )
    if template is None:
        return
    today = cycles.today()
    cycle = await cycles.open_cycle(
        None,
        cycles.NewCycle(
            title_en=CYCLE_TITLE,
            title_km="ការវាយតម្លៃខ្លួនឯងតាមក្រមប្រតិបត្តិ ឆ្នាំ២០២៦",
            template=template.id,
            opens_on=today - timedelta(days=21),
            submission_deadline=today + timedelta(days=30),
            review_deadline=today + timedelta(days=75),
            participants="all",
        ),
    )
    report.append(f"cycle {CYCLE_TITLE}")
    checklist = await checklist_versions.frozen_structure(template.id)
    for licence, progress in PROGRESS.items():
        user = await agency_user(licence)
        if user is None or progress is None:
            continue
        agent = as_user(user)
        assessment = await agency_assessment(user, cycle.id)
        if assessment is None:
            continue
        sections = (
            checklist["sections"] if progress == "submitted" else checklist["sections"][:progress]
        )
        await fill(agent, assessment, sections)
        first = checklist["sections"][0]["indicators"][0]
        if progress == "submitted":
            await answers.submit(agent, assessment)
            report.append(f"self-assessment of {licence} (submitted)")
        else:
            await clarifications.ask(
                agent,
                assessment,
                first["id"],
                "Does a medical check that the worker pays for count as a recruitment fee?",
            )
            await clarifications.ask(  # left for the committee to answer
                agent,
                assessment,
                first["id"],
                "Must the worker get the contract in Khmer as well as in English?",
            )
            report.append(f"self-assessment of {licence} ({progress} articles answered)")
    member = await User.objects().where(User.role == "committee").first()
    question = await Clarification.objects().order_by(Clarification.id).first()
    if member and question:
        await clarifications.reply(
            as_user(member),
            question.id,
            "Yes. Any cost the worker pays to be recruited, including medical checks, "
            "is a fee under this indicator. Record who paid it.",
            publish=True,
        )
