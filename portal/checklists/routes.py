"""The admin's checklist template pages: list, import, view, export, publish, next version."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from portal.access import RecordId, role_required
from portal.accounts.tables import Role
from portal.checklists import checklist_editor, checklist_file, checklist_versions
from portal.checklists.tables import TemplateStatus
from portal.errors import FormErrors
from portal.i18n import N_
from portal.templating import redirect, render
from portal.web import text_fields, uploaded_bytes

admin_only = [role_required(Role.admin)]


@get("/admin/checklists", guards=admin_only)
async def checklist_list(request: Request) -> Template:
    return render(
        request,
        "checklists/templates.html",
        templates=await checklist_versions.list_templates(),
        statuses=TemplateStatus,
    )


@post("/admin/checklists/import", guards=admin_only)
async def checklist_import(request: Request) -> Template | Redirect:
    content = await uploaded_bytes(request, "file")
    try:
        template = await checklist_versions.import_template(request.scope["user"], content)
    except checklist_file.TemplateFileError as error:
        return render(
            request,
            "checklists/templates.html",
            status_code=400,
            templates=await checklist_versions.list_templates(),
            statuses=TemplateStatus,
            import_error=error.message,
        )
    return redirect(
        f"/admin/checklists/{template.id}", N_("The checklist has been imported as a draft.")
    )


@get("/admin/checklists/{template_id:int}", guards=admin_only)
async def checklist_detail(request: Request, template_id: RecordId) -> Template:
    return render(
        request,
        "checklists/template.html",
        statuses=TemplateStatus,
        **await checklist_versions.structure(template_id),
    )


@get("/admin/checklists/{template_id:int}/export", guards=admin_only)
async def checklist_export(template_id: RecordId) -> Response:
    template = await checklist_versions.get(template_id)
    return Response(
        await checklist_versions.export_yaml(template_id),
        media_type="application/yaml; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{template.family}-v{template.version}.yaml"'
        },
    )


@post("/admin/checklists/{template_id:int}/publish", guards=admin_only)
async def checklist_publish(request: Request, template_id: RecordId) -> Redirect:
    await checklist_versions.publish(request.scope["user"], template_id)
    return redirect(
        f"/admin/checklists/{template_id}",
        N_("This version is published and can no longer change."),
    )


@post("/admin/checklists/{template_id:int}/new-version", guards=admin_only)
async def checklist_new_version(request: Request, template_id: RecordId) -> Redirect:
    draft = await checklist_versions.start_next_version(request.scope["user"], template_id)
    return redirect(f"/admin/checklists/{draft.id}", N_("A new draft version has been started."))


# --- editing a draft ------------------------------------------------------------------


async def _indicator_page(
    request: Request, template_id: int, form: dict, errors: dict | None = None, **ids: Any
) -> Template:
    return render(
        request,
        "checklists/indicator_form.html",
        status_code=400 if errors else 200,
        template=await checklist_editor.draft(template_id),
        form=form,
        errors=errors or {},
        **ids,
    )


@get("/admin/checklists/{template_id:int}/indicators/{indicator_id:int}", guards=admin_only)
async def indicator_edit(
    request: Request, template_id: RecordId, indicator_id: RecordId
) -> Template:
    indicator = await checklist_editor.get_indicator(template_id, indicator_id)
    form = {k: str(v) for k, v in indicator.items()}
    form["evidence_required"] = "yes" if indicator["evidence_required"] else ""
    return await _indicator_page(request, template_id, form, indicator_id=indicator_id)


@post("/admin/checklists/{template_id:int}/indicators/{indicator_id:int}", guards=admin_only)
async def indicator_update(
    request: Request, template_id: RecordId, indicator_id: RecordId
) -> Template | Redirect:
    form = await text_fields(request)
    try:
        await checklist_editor.update_indicator(
            request.scope["user"], template_id, indicator_id, form
        )
    except FormErrors as error:
        return await _indicator_page(
            request, template_id, form, error.errors, indicator_id=indicator_id
        )
    return redirect(
        f"/admin/checklists/{template_id}#indicator-{indicator_id}",
        N_("The indicator has been saved."),
    )


@get(
    "/admin/checklists/{template_id:int}/sections/{section_id:int}/indicators/new",
    guards=admin_only,
)
async def indicator_new(request: Request, template_id: RecordId, section_id: RecordId) -> Template:
    await checklist_editor.get_section(template_id, section_id)
    form = {"max_score": "2", "evidence_required": "yes"}
    return await _indicator_page(request, template_id, form, section_id=section_id)


@post(
    "/admin/checklists/{template_id:int}/sections/{section_id:int}/indicators/new",
    guards=admin_only,
)
async def indicator_add(
    request: Request, template_id: RecordId, section_id: RecordId
) -> Template | Redirect:
    form = await text_fields(request)
    try:
        await checklist_editor.add_indicator(request.scope["user"], template_id, section_id, form)
    except FormErrors as error:
        return await _indicator_page(
            request, template_id, form, error.errors, section_id=section_id
        )
    return redirect(f"/admin/checklists/{template_id}", N_("The indicator has been added."))


@post("/admin/checklists/{template_id:int}/indicators/{indicator_id:int}/delete", guards=admin_only)
async def indicator_delete(
    request: Request, template_id: RecordId, indicator_id: RecordId
) -> Redirect:
    await checklist_editor.delete_indicator(request.scope["user"], template_id, indicator_id)
    return redirect(f"/admin/checklists/{template_id}", N_("The indicator has been removed."))


async def _section_page(
    request: Request,
    template_id: int,
    form: dict,
    errors: dict | None = None,
    section_id: int | None = None,
) -> Template:
    return render(
        request,
        "checklists/section_form.html",
        status_code=400 if errors else 200,
        template=await checklist_editor.draft(template_id),
        form=form,
        errors=errors or {},
        section_id=section_id,
    )


@get("/admin/checklists/{template_id:int}/sections/new", guards=admin_only)
async def section_new(request: Request, template_id: RecordId) -> Template:
    return await _section_page(request, template_id, {})


@get("/admin/checklists/{template_id:int}/sections/{section_id:int}", guards=admin_only)
async def section_edit(request: Request, template_id: RecordId, section_id: RecordId) -> Template:
    section = await checklist_editor.get_section(template_id, section_id)
    return await _section_page(
        request, template_id, {k: str(v) for k, v in section.items()}, section_id=section_id
    )


@post("/admin/checklists/{template_id:int}/sections/new", guards=admin_only)
async def section_add(request: Request, template_id: RecordId) -> Template | Redirect:
    return await _save_section(request, template_id, None)


@post("/admin/checklists/{template_id:int}/sections/{section_id:int}", guards=admin_only)
async def section_update(
    request: Request, template_id: RecordId, section_id: RecordId
) -> Template | Redirect:
    return await _save_section(request, template_id, section_id)


async def _save_section(
    request: Request, template_id: int, section_id: int | None
) -> Template | Redirect:
    form = await text_fields(request)
    try:
        await checklist_editor.save_section(request.scope["user"], template_id, section_id, form)
    except FormErrors as error:
        return await _section_page(request, template_id, form, error.errors, section_id)
    return redirect(f"/admin/checklists/{template_id}", N_("The article has been saved."))


ROUTES = [
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
]
