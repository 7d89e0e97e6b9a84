"""Editing a draft checklist template in the browser: its articles and indicators.
Published versions never change; start the next version to edit one."""

from __future__ import annotations

from typing import Any

from portal import db
from portal.access import or_404
from portal.audit import services as audit
from portal.checklists.checklist_versions import get
from portal.checklists.tables import ChecklistTemplate, Indicator, Section, TemplateStatus
from portal.errors import DomainError, FormErrors
from portal.i18n import gettext as _

INDICATOR_FIELDS = [
    "code",
    "text_en",
    "text_km",
    "guidance_en",
    "guidance_km",
    "evidence_hint_en",
    "evidence_hint_km",
    "max_score",
]
SECTION_FIELDS = ["code", "title_en", "title_km"]


async def draft(template_id: int) -> ChecklistTemplate:
    """The template, which must still be a draft: published versions never change."""
    template = await get(template_id)
    if template.status != TemplateStatus.draft:
        raise DomainError(
            _("This version is published and cannot change. Start the next version to edit.")
        )
    return template


async def get_section(template_id: int, section_id: int) -> dict:
    return or_404(
        await Section.select()
        .where(Section.id == section_id)
        .where(Section.template == template_id)
        .first()
    )


async def get_indicator(template_id: int, indicator_id: int) -> dict:
    return or_404(
        await Indicator.select()
        .where(Indicator.id == indicator_id)
        .where(Indicator.template == template_id)
        .first()
    )


async def _unique_code(table: Any, template_id: int, code: str, own_id: int | None) -> bool:
    query = table.exists().where(table.template == template_id).where(table.code == code)
    if own_id is not None:
        query = query.where(table.id != own_id)
    return not await query


async def _clean_indicator(template_id: int, form: dict, own_id: int | None) -> dict:
    values = {name: str(form.get(name, "")).strip() for name in INDICATOR_FIELDS}
    errors = {}
    if not values["code"]:
        errors["code"] = _("Enter a code, such as 3.2.")
    elif not await _unique_code(Indicator, template_id, values["code"], own_id):
        errors["code"] = _("Another indicator of this version has this code.")
    if not values["text_en"]:
        errors["text_en"] = _("Enter the indicator's text in English.")
    if not values["max_score"].isdecimal() or not 1 <= int(values["max_score"]) <= 10:
        errors["max_score"] = _("Enter a whole number from 1 to 10.")
    if errors:
        raise FormErrors(errors)
    return {
        **values,
        "max_score": int(values["max_score"]),
        "evidence_required": form.get("evidence_required") == "yes",
    }


async def update_indicator(actor: Any, template_id: int, indicator_id: int, form: dict) -> None:
    template = await draft(template_id)
    await get_indicator(template_id, indicator_id)
    values = await _clean_indicator(template_id, form, indicator_id)
    async with db.transaction():
        await Indicator.update({getattr(Indicator, k): v for k, v in values.items()}).where(
            Indicator.id == indicator_id
        )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: {values['code']}",
        )


async def add_indicator(actor: Any, template_id: int, section_id: int, form: dict) -> None:
    template = await draft(template_id)
    await get_section(template_id, section_id)
    values = await _clean_indicator(template_id, form, None)
    async with db.transaction():
        last = await Indicator.count().where(Indicator.section == section_id)
        await Indicator.insert(
            Indicator(template=template_id, section=section_id, position=last + 1, **values)
        )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: + {values['code']}",
        )


async def delete_indicator(actor: Any, template_id: int, indicator_id: int) -> None:
    template = await draft(template_id)
    indicator = await get_indicator(template_id, indicator_id)
    async with db.transaction():
        await Indicator.delete().where(Indicator.id == indicator_id)
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: − {indicator['code']}",
        )


async def _clean_section(template_id: int, form: dict, own_id: int | None) -> dict:
    values = {name: str(form.get(name, "")).strip() for name in SECTION_FIELDS}
    errors = {}
    if not values["code"]:
        errors["code"] = _("Enter a code, such as 3.")
    elif not await _unique_code(Section, template_id, values["code"], own_id):
        errors["code"] = _("Another article of this version has this code.")
    if not values["title_en"]:
        errors["title_en"] = _("Enter the article's title in English.")
    if errors:
        raise FormErrors(errors)
    return values


async def save_section(actor: Any, template_id: int, section_id: int | None, form: dict) -> None:
    """Change an article's code and titles, or add a new article at the end."""
    template = await draft(template_id)
    if section_id is not None:
        await get_section(template_id, section_id)
    values = await _clean_section(template_id, form, section_id)
    async with db.transaction():
        if section_id is None:
            last = await Section.count().where(Section.template == template_id)
            await Section.insert(Section(template=template_id, position=last + 1, **values))
        else:
            await Section.update({getattr(Section, k): v for k, v in values.items()}).where(
                Section.id == section_id
            )
        await audit.record(
            actor,
            "checklist.edited",
            "checklist",
            template_id,
            f"{template.title_en} v{template.version}: article {values['code']}",
        )
