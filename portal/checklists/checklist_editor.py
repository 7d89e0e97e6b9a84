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
from portal.i18n import N_
from portal.i18n import gettext as _


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


INDICATOR_CODE_TAKEN = N_("Another indicator of this version has this code.")
SECTION_CODE_TAKEN = N_("Another article of this version has this code.")


async def _codes(table: Any, template_id: int, except_id: int | None) -> set[str]:
    query = table.select(table.code).where(table.template == template_id)
    if except_id is not None:
        query = query.where(table.id != except_id)
    return {row["code"] for row in await query}


async def indicator_codes(template_id: int, except_id: int | None = None) -> set[str]:
    """The codes the version's indicators use (but this one): a code names one indicator."""
    return await _codes(Indicator, template_id, except_id)


async def section_codes(template_id: int, except_id: int | None = None) -> set[str]:
    """The codes the version's articles use (but this one)."""
    return await _codes(Section, template_id, except_id)


async def _record_edit(actor: Any, template: ChecklistTemplate, what: str) -> None:
    """The audit line of a change to a draft: the version, and what changed in it."""
    summary = f"{template.title_en} v{template.version}: {what}"
    await audit.record(actor, "checklist.edited", "checklist", template.id, summary)


async def _check_indicator(template_id: int, values: dict[str, Any], own_id: int | None) -> None:
    if values["code"] in await indicator_codes(template_id, own_id):
        raise FormErrors({"code": _(INDICATOR_CODE_TAKEN)})


async def update_indicator(
    actor: Any, template_id: int, indicator_id: int, values: dict[str, Any]
) -> None:
    """Change an indicator of a draft (`values`: its column values, as IndicatorForm reads them)."""
    template = await draft(template_id)
    await get_indicator(template_id, indicator_id)
    await _check_indicator(template_id, values, indicator_id)
    async with db.transaction():
        await Indicator.update({getattr(Indicator, k): v for k, v in values.items()}).where(
            Indicator.id == indicator_id
        )
        await _record_edit(actor, template, values["code"])


async def add_indicator(
    actor: Any, template_id: int, section_id: int, values: dict[str, Any]
) -> None:
    """A new indicator at the end of an article of a draft."""
    template = await draft(template_id)
    await get_section(template_id, section_id)
    await _check_indicator(template_id, values, None)
    async with db.transaction():
        last = await Indicator.count().where(Indicator.section == section_id)
        await Indicator.insert(
            Indicator(template=template_id, section=section_id, position=last + 1, **values)
        )
        await _record_edit(actor, template, f"+ {values['code']}")


async def delete_indicator(actor: Any, template_id: int, indicator_id: int) -> None:
    template = await draft(template_id)
    indicator = await get_indicator(template_id, indicator_id)
    async with db.transaction():
        await Indicator.delete().where(Indicator.id == indicator_id)
        await _record_edit(actor, template, f"− {indicator['code']}")


async def save_section(
    actor: Any, template_id: int, section_id: int | None, values: dict[str, Any]
) -> None:
    """Change an article's code and titles, or add a new article at the end."""
    template = await draft(template_id)
    if section_id is not None:
        await get_section(template_id, section_id)
    if values["code"] in await section_codes(template_id, section_id):
        raise FormErrors({"code": _(SECTION_CODE_TAKEN)})
    async with db.transaction():
        if section_id is None:
            last = await Section.count().where(Section.template == template_id)
            await Section.insert(Section(template=template_id, position=last + 1, **values))
        else:
            await Section.update({getattr(Section, k): v for k, v in values.items()}).where(
                Section.id == section_id
            )
        await _record_edit(actor, template, f"article {values['code']}")
