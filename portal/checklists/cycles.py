"""Assessment cycles: an admin opens a round of self-assessment on a published checklist
version for all agencies or chosen ones; the committee follows each agency's progress."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal import clock, db
from portal.access import or_404
from portal.agencies import licence
from portal.agencies.tables import Agency, LicenceStatus
from portal.audit import services as audit
from portal.checklists import scoring
from portal.checklists.tables import (
    Assessment,
    AssessmentCycle,
    AssessmentStatus,
    ChecklistTemplate,
    Indicator,
    TemplateStatus,
)
from portal.errors import FormErrors
from portal.i18n import TIMEZONE
from portal.i18n import gettext as _


@dataclass
class NewCycle:
    """A new cycle, as the admin's form (or `portal demo-data`) gives it."""

    title_en: str
    template: int | None  # a published checklist version's id
    opens_on: date
    submission_deadline: date
    review_deadline: date
    title_km: str = ""
    participants: str = "all"  # "all" active agencies, or "chosen"
    agencies: list[int] = field(default_factory=list)
    bands: str = ""  # rating bands, one per line ("85 A Compliant"); empty: the defaults
    reply_days: int = 10  # the agency's working days to accept or contest its rating


DEFAULT_REPLY_DAYS = NewCycle.reply_days
MAX_REPLY_DAYS = 60


def today() -> date:
    return clock.now().astimezone(TIMEZONE).date()


async def published_template_ids() -> set[int]:
    """The checklist versions a cycle may use."""
    rows = await ChecklistTemplate.select(ChecklistTemplate.id).where(
        ChecklistTemplate.status == TemplateStatus.published
    )
    return {row["id"] for row in rows}


def cycle_problems(
    template: int | None,
    opens: date | None,
    submission: date | None,
    review: date | None,
    bands: str,
    published: Collection[int],
) -> dict[str, str]:
    """A message for each field of a new cycle that breaks a rule (the agencies aside);
    a date not given is not compared."""
    errors = {}
    if template not in published:
        errors["template"] = _("Choose a published checklist version.")
    if opens and submission and submission < opens:
        errors["submission_deadline"] = _("The submission deadline comes after the opening date.")
    if submission and review and review < submission:
        errors["review_deadline"] = _("The review deadline comes after the submission deadline.")
    if bands.strip():
        try:
            scoring.parse_bands(bands)
        except ValueError as problem:
            errors["bands"] = _(
                "Line %(line)s: write each band as a lowest percentage, a code and a name, "
                "like “85 A Compliant”, with one band starting at 0."
            ) % {"line": problem}
    return errors


async def _check(form: NewCycle) -> tuple[dict[str, Any], list[int]]:
    opens, submission, review = form.opens_on, form.submission_deadline, form.review_deadline
    published = await published_template_ids()
    errors = cycle_problems(form.template, opens, submission, review, form.bands, published)
    if form.participants == "chosen":
        chosen = sorted(set(form.agencies))
        known = await Agency.select(Agency.id).where(Agency.id.is_in(chosen)) if chosen else []
        agency_ids = [row["id"] for row in known]
        if not agency_ids:
            errors["agencies"] = _("Choose at least one agency.")
    else:
        active = licence.status_is(LicenceStatus.active, today())  # a lapsed licence is out
        rows = await Agency.select(Agency.id).where(active)
        agency_ids = [row["id"] for row in rows]
        if not agency_ids:
            errors["participants"] = _("There is no agency with an active licence.")
    if errors:
        raise FormErrors(errors)
    values = {
        "title_en": form.title_en.strip(),
        "title_km": form.title_km.strip(),
        "template": form.template,
        "opens_on": opens,
        "submission_deadline": submission,
        "review_deadline": review,
        "bands": _bands(form.bands),
        "reply_days": min(max(form.reply_days, 0), MAX_REPLY_DAYS),
    }
    return values, agency_ids


def _bands(text: str) -> str:
    """The bands to store: none (the defaults, translated where shown) when they are the
    defaults as the form offered them, in the admin's language."""
    if not text.strip():
        return ""
    bands = scoring.parse_bands(text)
    if bands in (
        list(scoring.DEFAULT_BANDS),
        scoring.parse_bands(scoring.bands_text(scoring.DEFAULT_BANDS, translated=True)),
    ):
        return ""
    return scoring.bands_text(bands)


async def open_cycle(actor: Any, form: NewCycle) -> AssessmentCycle:
    """A new cycle with an empty self-assessment for every participating agency."""
    values, agency_ids = await _check(form)
    async with db.transaction():
        cycle = AssessmentCycle(created_at=clock.now(), **values)
        await cycle.save()
        await Assessment.insert(
            *(
                Assessment(
                    cycle=cycle.id, agency=agency_id, participation=f"{cycle.id}:{agency_id}"
                )
                for agency_id in agency_ids
            )
        )
        await audit.record(
            actor,
            "cycle.opened",
            "cycle",
            cycle.id,
            f"{cycle.title_en}: {len(agency_ids)} agencies",
        )
    return cycle


async def published_templates() -> list[dict]:
    return (
        await ChecklistTemplate.select(
            ChecklistTemplate.id,
            ChecklistTemplate.title_en,
            ChecklistTemplate.title_km,
            ChecklistTemplate.version,
        )
        .where(ChecklistTemplate.status == TemplateStatus.published)
        .order_by(ChecklistTemplate.id, ascending=False)
    )


async def agencies_to_choose() -> list[dict]:
    return await Agency.select(
        Agency.id, Agency.name_en, Agency.name_km, Agency.licence_number, Agency.licence_status
    ).order_by(Agency.name_en)


async def list_cycles() -> list[dict]:
    return await AssessmentCycle.select(
        *AssessmentCycle.all_columns(),
        AssessmentCycle.template.version.as_alias("template_version"),
    ).order_by(AssessmentCycle.opens_on, ascending=False)


async def get_cycle(cycle_id: int) -> dict:
    return or_404(
        await AssessmentCycle.select(
            *AssessmentCycle.all_columns(),
            AssessmentCycle.template.title_en.as_alias("template_title_en"),
            AssessmentCycle.template.title_km.as_alias("template_title_km"),
            AssessmentCycle.template.version.as_alias("template_version"),
            AssessmentCycle.chair.full_name.as_alias("chair_name"),
        )
        .where(AssessmentCycle.id == cycle_id)
        .first()
    )


async def cycle_assessments(cycle: dict) -> list[dict[str, Any]]:
    """The cycle's self-assessments, with their agency's names and licence, in the order
    of the agencies' names."""
    return (
        await Assessment.select(
            Assessment.id,
            Assessment.round,
            Assessment.status,
            Assessment.complete_count,
            Assessment.submitted_at,
            Assessment.updated_at,
            Assessment.agency.licence_number.as_alias("licence_number"),
            Assessment.agency.name_en.as_alias("name_en"),
            Assessment.agency.name_km.as_alias("name_km"),
        )
        .where(Assessment.cycle == cycle["id"])
        .order_by(Assessment.agency.name_en)
    )


async def submissions(cycle: dict) -> dict[str, Any]:
    """Every participating agency with how far its self-assessment has come."""
    total = await Indicator.count().where(Indicator.template == cycle["template"])
    rows = await cycle_assessments(cycle)
    for row in rows:
        row["percent"] = round(100 * row["complete_count"] / total) if total else 0
        row["late"] = bool(
            row["submitted_at"]
            and row["submitted_at"].astimezone(TIMEZONE).date() > cycle["submission_deadline"]
        )
    submitted = sum(1 for r in rows if r["status"] != AssessmentStatus.in_progress)
    return {
        "rows": rows,
        "indicator_count": total,
        "submitted_count": submitted,
        "started_count": sum(1 for r in rows if r["complete_count"]),
    }
