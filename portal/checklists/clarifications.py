""" "What does this indicator mean?": agencies ask, the committee answers, and a good answer
can be published as guidance that every agency in the cycle sees under the indicator."""

from __future__ import annotations

from typing import Any

from portal import clock, db
from portal.access import or_404
from portal.accounts.services import CurrentUser
from portal.audit import services as audit
from portal.checklists.assessments import ReadOnly, indicator_ids
from portal.checklists.tables import Clarification
from portal.errors import FormErrors, NotFound
from portal.i18n import gettext as _

MAX_TEXT = 2000


def _text(value: str, field: str, empty_message: str) -> str:
    value = value.strip()
    if not value:
        raise FormErrors({field: empty_message})
    if len(value) > MAX_TEXT:
        raise FormErrors({field: _("Keep it under %(n)s characters.") % {"n": MAX_TEXT}})
    return value


async def ask(user: CurrentUser, assessment: dict, indicator_id: int, question: str) -> None:
    """Send the committee a question about one indicator of the agency's checklist."""
    if not assessment["can_ask"]:
        raise ReadOnly(_("Questions can be asked once the cycle has opened."))
    if indicator_id not in await indicator_ids(assessment):
        raise NotFound(_("Page not found."))
    question = _text(question, f"question-{indicator_id}", _("Write your question."))
    async with db.transaction():
        clarification = Clarification(
            cycle=assessment["cycle"],
            indicator=indicator_id,
            assessment=assessment["id"],
            question=question,
            asked_at=clock.now(),
            asked_by=user.id,
        )
        await clarification.save()
        await audit.record(
            user,
            "clarification.asked",
            "clarification",
            clarification.id,
            assessment["licence_number"],
        )


def _listing() -> Any:
    return Clarification.select(
        *Clarification.all_columns(),
        Clarification.indicator.code.as_alias("indicator_code"),
        Clarification.indicator.text_en.as_alias("indicator_text_en"),
        Clarification.indicator.text_km.as_alias("indicator_text_km"),
        Clarification.assessment._.agency.name_en.as_alias("agency_name_en"),
        Clarification.assessment._.agency.name_km.as_alias("agency_name_km"),
        Clarification.cycle.title_en.as_alias("cycle_title_en"),
        Clarification.cycle.title_km.as_alias("cycle_title_km"),
    )


async def for_committee(waiting_only: bool) -> list[dict]:
    """Questions for the committee: those waiting for an answer first, oldest first."""
    query = _listing()
    if waiting_only:
        query = query.where(Clarification.answered_at.is_null())
    return await query.order_by(Clarification.answered_at, ascending=False).order_by(
        Clarification.asked_at
    )


async def reply(user: CurrentUser, clarification_id: int, answer: str, publish: bool) -> None:
    """Answer a question; `publish` shows the answer to every agency in the cycle."""
    or_404(await Clarification.exists().where(Clarification.id == clarification_id) or None)
    answer = _text(answer, f"answer-{clarification_id}", _("Write the answer."))
    async with db.transaction():
        await Clarification.update(
            {
                Clarification.answer: answer,
                Clarification.answered_at: clock.now(),
                Clarification.answered_by: user.id,
                Clarification.published: publish,
            }
        ).where(Clarification.id == clarification_id)
        await audit.record(
            user,
            "clarification.published" if publish else "clarification.answered",
            "clarification",
            clarification_id,
        )
