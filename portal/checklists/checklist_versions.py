"""Checklist templates and their versions: import a checklist file as a draft, publish
it, start the next version. A published version is never changed; answers and scores
stay tied to the version they were made on."""

from __future__ import annotations

import re
from typing import Any

from portal import clock, db
from portal.access import or_404
from portal.audit import services as audit
from portal.checklists import checklist_file
from portal.checklists.tables import ChecklistTemplate, Indicator, Section, TemplateStatus
from portal.errors import DomainError
from portal.i18n import gettext as _


def _family(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100] or "checklist"


async def _save(parsed: dict[str, Any], version: int, family: str) -> ChecklistTemplate:
    template = ChecklistTemplate(
        family=family,
        version=version,
        title_en=parsed["title"][0],
        title_km=parsed["title"][1],
        description_en=parsed["description"][0],
        description_km=parsed["description"][1],
        status=TemplateStatus.draft,
        created_at=clock.now(),
    )
    await template.save()
    for s_pos, s in enumerate(parsed["sections"], start=1):
        section = Section(
            template=template.id,
            position=s_pos,
            code=s["code"],
            title_en=s["title"][0],
            title_km=s["title"][1],
        )
        await section.save()
        await Indicator.insert(
            *(
                Indicator(
                    template=template.id,
                    section=section.id,
                    position=i_pos,
                    code=i["code"],
                    text_en=i["text"][0],
                    text_km=i["text"][1],
                    guidance_en=i["guidance"][0],
                    guidance_km=i["guidance"][1],
                    evidence_hint_en=i["evidence_hint"][0],
                    evidence_hint_km=i["evidence_hint"][1],
                    evidence_required=i["evidence_required"],
                    max_score=i["max_score"],
                )
                for i_pos, i in enumerate(s["indicators"], start=1)
            )
        )
    return template


async def _next_version(family: str) -> int:
    rows = (
        await ChecklistTemplate.select(ChecklistTemplate.version)
        .where(ChecklistTemplate.family == family)
        .order_by(ChecklistTemplate.version, ascending=False)
        .limit(1)
    )
    return rows[0]["version"] + 1 if rows else 1


async def import_template(actor: Any, content: bytes) -> ChecklistTemplate:
    """A new draft from a template file: the next version of its checklist, if one exists."""
    parsed = checklist_file.read(content)
    family = _family(parsed["title"][0])
    async with db.transaction():
        template = await _save(parsed, await _next_version(family), family)
        await audit.record(
            actor,
            "checklist.imported",
            "checklist",
            template.id,
            f"{template.title_en} v{template.version}",
        )
    return template


async def get(template_id: int) -> ChecklistTemplate:
    return or_404(
        await ChecklistTemplate.objects().where(ChecklistTemplate.id == template_id).first()
    )


async def structure(template_id: int) -> dict[str, Any]:
    """The template as nested plain data: what the file format holds."""
    template = await get(template_id)
    sections = (
        await Section.select().where(Section.template == template_id).order_by(Section.position)
    )
    indicators = (
        await Indicator.select()
        .where(Indicator.template == template_id)
        .order_by(Indicator.position)
    )
    by_section: dict[int, list[dict]] = {}
    for i in indicators:
        by_section.setdefault(i["section"], []).append(i)
    return {
        "template": template,
        "sections": [{**s, "indicators": by_section.get(s["id"], [])} for s in sections],
        "indicator_count": len(indicators),
        "max_total": sum(i["max_score"] for i in indicators),
    }


# Published versions never change, so their structure is read from the database once.
# The key includes the publication time: a database emptied and refilled (tests, a
# restore) can give a different version the same id.
_frozen: dict[tuple[int, Any], dict[str, Any]] = {}


async def frozen_structure(template_id: int) -> dict[str, Any]:
    """structure(), kept in memory for published versions (the pages agencies fill)."""
    # Every self-assessment page comes here: written-out SQL (see db.select).
    rows = await db.select("SELECT published_at FROM checklist_template WHERE id = {}", template_id)
    key = (template_id, rows[0]["published_at"] if rows else None)
    if key in _frozen:
        return _frozen[key]
    data = await structure(template_id)
    if data["template"].status == TemplateStatus.published:
        _frozen[key] = data
    return data


def forget_structures() -> None:
    """Drop the cache (tests empty the database between runs; ids may come back)."""
    _frozen.clear()


async def export_yaml(template_id: int) -> str:
    return checklist_file.dump(await structure(template_id))


async def publish(actor: Any, template_id: int) -> None:
    """Freeze a draft: from now on it is what agencies answer, word for word."""
    template = await get(template_id)
    if template.status != TemplateStatus.draft:
        raise DomainError(_("This version is already published and cannot change."))
    async with db.transaction():
        await ChecklistTemplate.update(
            {
                ChecklistTemplate.status: TemplateStatus.published,
                ChecklistTemplate.published_at: clock.now(),
            }
        ).where(ChecklistTemplate.id == template_id)
        await audit.record(
            actor,
            "checklist.published",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}",
        )


async def start_next_version(actor: Any, template_id: int) -> ChecklistTemplate:
    """A draft copy of a published version, to change without touching the original."""
    template = await get(template_id)
    if template.status != TemplateStatus.published:
        raise DomainError(_("Publish this draft before starting another version."))
    parsed = checklist_file.parse(await export_yaml(template_id))
    async with db.transaction():
        draft = await _save(parsed, await _next_version(template.family), template.family)
        await audit.record(
            actor,
            "checklist.new_version",
            "checklist",
            draft.id,
            f"{draft.title_en} v{draft.version}",
        )
    return draft


async def list_templates() -> list[dict]:
    return (
        await ChecklistTemplate.select()
        .order_by(ChecklistTemplate.family)
        .order_by(ChecklistTemplate.version, ascending=False)
    )
