"""The admin's checklist template pages: list, import, view, export, publish, next version,
and editing a draft's articles and indicators."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, post
from litestar.response import Redirect, Template

from portal.access import RecordId, role_required
from portal.accounts.services import CurrentUser
from portal.checklists import checklist_editor, checklist_versions
from portal.checklists.forms import IndicatorForm, SectionForm
from portal.checklists.tables import TemplateStatus
from portal.core.roles import Role
from portal.forms import form_page, read_form, submit
from portal.i18n import N_
from portal.templating import redirect, render
from portal.web import SignedInUser, get, uploaded_bytes


async def _list_page(
    request: Request, values: dict | None = None, errors: dict | None = None
) -> Template:
    templates = await checklist_versions.list_templates()
    return form_page(
        request,
        "checklists/templates.html",
        values,
        errors,
        templates=templates,
        statuses=TemplateStatus,
    )


@get("/")
async def checklist_list(request: Request) -> Template:
    return await _list_page(request)


@post("/import")
async def checklist_import(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        content = await uploaded_bytes(request, "file")
        template = await checklist_versions.import_template(user, content)
        return redirect(
            f"/admin/checklists/{template.id}", N_("The checklist has been imported as a draft.")
        )

    return await submit(request, save, partial(_list_page, request))


@get("/{template_id:int}")
async def checklist_detail(request: Request, template_id: RecordId) -> Template:
    return render(
        request,
        "checklists/template.html",
        statuses=TemplateStatus,
        **await checklist_versions.structure(template_id),
    )


@get("/{template_id:int}/export")
async def checklist_export(template_id: RecordId) -> Response:
    template = await checklist_versions.get(template_id)
    return Response(
        await checklist_versions.export_yaml(template_id),
        media_type="application/yaml; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{template.family}-v{template.version}.yaml"'
        },
    )


@post("/{template_id:int}/publish")
async def checklist_publish(user: SignedInUser, template_id: RecordId) -> Redirect:
    await checklist_versions.publish(user, template_id)
    return redirect(
        f"/admin/checklists/{template_id}",
        N_("This version is published and can no longer change."),
    )


@post("/{template_id:int}/new-version")
async def checklist_new_version(user: SignedInUser, template_id: RecordId) -> Redirect:
    draft = await checklist_versions.start_next_version(user, template_id)
    return redirect(f"/admin/checklists/{draft.id}", N_("A new draft version has been started."))


# --- editing a draft ------------------------------------------------------------------


async def _draft_form(
    request: Request,
    template_name: str,
    template_id: int,
    values: dict,
    errors: dict | None = None,
    **ids: Any,
) -> Template:
    """An article's or an indicator's form, with the draft it belongs to."""
    draft = await checklist_editor.draft(template_id)
    return form_page(request, template_name, values, errors, template=draft, **ids)


INDICATOR_FORM = "checklists/indicator_form.html"
SECTION_FORM = "checklists/section_form.html"


@get("/{template_id:int}/indicators/{indicator_id:int}")
async def indicator_edit(
    request: Request, template_id: RecordId, indicator_id: RecordId
) -> Template:
    indicator = await checklist_editor.get_indicator(template_id, indicator_id)
    form = {k: str(v) for k, v in indicator.items()}
    form["evidence_required"] = "yes" if indicator["evidence_required"] else ""
    return await _draft_form(request, INDICATOR_FORM, template_id, form, indicator_id=indicator_id)


@post("/{template_id:int}/indicators/{indicator_id:int}")
async def indicator_update(
    request: Request, user: SignedInUser, template_id: RecordId, indicator_id: RecordId
) -> Response:
    async def save() -> Redirect:
        codes = await checklist_editor.indicator_codes(template_id, indicator_id)
        form = await read_form(request, IndicatorForm, codes_in_use=codes)
        await checklist_editor.update_indicator(user, template_id, indicator_id, form.values())
        return redirect(
            f"/admin/checklists/{template_id}#indicator-{indicator_id}",
            N_("The indicator has been saved."),
        )

    again = partial(_draft_form, request, INDICATOR_FORM, template_id, indicator_id=indicator_id)
    return await submit(request, save, again)


@get("/{template_id:int}/sections/{section_id:int}/indicators/new")
async def indicator_new(request: Request, template_id: RecordId, section_id: RecordId) -> Template:
    await checklist_editor.get_section(template_id, section_id)
    form = {"max_score": "2", "evidence_required": "yes"}
    return await _draft_form(request, INDICATOR_FORM, template_id, form, section_id=section_id)


@post("/{template_id:int}/sections/{section_id:int}/indicators/new")
async def indicator_add(
    request: Request, user: SignedInUser, template_id: RecordId, section_id: RecordId
) -> Response:
    async def save() -> Redirect:
        codes = await checklist_editor.indicator_codes(template_id)
        form = await read_form(request, IndicatorForm, codes_in_use=codes)
        await checklist_editor.add_indicator(user, template_id, section_id, form.values())
        return redirect(f"/admin/checklists/{template_id}", N_("The indicator has been added."))

    again = partial(_draft_form, request, INDICATOR_FORM, template_id, section_id=section_id)
    return await submit(request, save, again)


@post("/{template_id:int}/indicators/{indicator_id:int}/delete")
async def indicator_delete(
    user: SignedInUser, template_id: RecordId, indicator_id: RecordId
) -> Redirect:
    await checklist_editor.delete_indicator(user, template_id, indicator_id)
    return redirect(f"/admin/checklists/{template_id}", N_("The indicator has been removed."))


@get("/{template_id:int}/sections/new")
async def section_new(request: Request, template_id: RecordId) -> Template:
    return await _draft_form(request, SECTION_FORM, template_id, {})


@get("/{template_id:int}/sections/{section_id:int}")
async def section_edit(request: Request, template_id: RecordId, section_id: RecordId) -> Template:
    section = await checklist_editor.get_section(template_id, section_id)
    return await _draft_form(
        request,
        SECTION_FORM,
        template_id,
        {k: str(v) for k, v in section.items()},
        section_id=section_id,
    )


@post("/{template_id:int}/sections/new")
async def section_add(request: Request, user: SignedInUser, template_id: RecordId) -> Response:
    return await _save_section(request, user, template_id, None)


@post("/{template_id:int}/sections/{section_id:int}")
async def section_update(
    request: Request, user: SignedInUser, template_id: RecordId, section_id: RecordId
) -> Response:
    return await _save_section(request, user, template_id, section_id)


async def _save_section(
    request: Request, user: CurrentUser, template_id: int, section_id: int | None
) -> Response:
    async def save() -> Redirect:
        codes = await checklist_editor.section_codes(template_id, section_id)
        form = await read_form(request, SectionForm, codes_in_use=codes)
        await checklist_editor.save_section(user, template_id, section_id, form.values())
        return redirect(f"/admin/checklists/{template_id}", N_("The article has been saved."))

    again = partial(_draft_form, request, SECTION_FORM, template_id, section_id=section_id)
    return await submit(request, save, again)


router = Router(
    path="/admin/checklists",
    guards=[role_required(Role.admin)],
    route_handlers=[
        indicator_edit,
        indicator_update,
        indicator_new,
        indicator_add,
        indicator_delete,
        section_new,
        section_edit,
        section_add,
        section_update,
        checklist_list,
        checklist_import,
        checklist_detail,
        checklist_export,
        checklist_publish,
        checklist_new_version,
    ],
)
