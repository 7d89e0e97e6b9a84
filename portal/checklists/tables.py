"""COC checklist templates: versions, their sections (the COC's articles) and indicators.

A template version is a draft until published; a published version never changes (a
change makes the next version), so answers and scores stay tied to the wording they were
made on."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from portal.i18n import N_


class TemplateStatus(StrEnum):
    draft = "draft"
    published = "published"


TEMPLATE_STATUS_LABELS = {
    TemplateStatus.draft: N_("Draft"),
    TemplateStatus.published: N_("Published"),
}


class ChecklistTemplate(Table):
    """One version of a checklist. Versions of the same checklist share a `family`."""

    id: Serial
    family = Varchar(length=100, index=True)
    version = Integer(default=1)
    title_en = Varchar(length=300)
    title_km = Varchar(length=300, default="")
    description_en = Text(default="")
    description_km = Text(default="")
    status = Varchar(length=10, choices=TemplateStatus, default=TemplateStatus.draft)
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)


class Section(Table):
    """An article of the Code of Conduct, within one template version."""

    id: Serial
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    code = Varchar(length=20)
    title_en = Text()
    title_km = Text(default="")


class Indicator(Table):
    """One thing the agency answers and the committee scores 0 to max_score."""

    id: Serial
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.cascade, index=True)
    section = ForeignKey(references=Section, on_delete=OnDelete.cascade, index=True)
    position = Integer()
    code = Varchar(length=20)
    text_en = Text()
    text_km = Text(default="")
    guidance_en = Text(default="")
    guidance_km = Text(default="")
    evidence_hint_en = Text(default="")
    evidence_hint_km = Text(default="")
    evidence_required = Boolean(default=True)
    max_score = Integer(default=2)
