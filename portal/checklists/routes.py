"""The admin's checklist template pages: list, import, view, export, publish, next version."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.access import role_required
from portal.accounts.tables import Role
from portal.checklists import templates
from portal.checklists.tables import TEMPLATE_STATUS_LABELS
from portal.i18n import N_
from portal.templating import redirect, render
from portal.web import uploaded_bytes

admin_only = [role_required(Role.admin)]


@get("/admin/checklists", guards=admin_only)
async def checklist_list(request: Request) -> Template:
    return render(
        request,
        "checklists/templates.html",
        templates=await templates.list_templates(),
        statuses=TEMPLATE_STATUS_LABELS,
    )


@post("/admin/checklists/import", guards=admin_only)
async def checklist_import(request: Request) -> Template | Redirect:
    content = await uploaded_bytes(request, "file")
    try:
        template = await templates.import_template(request.scope["user"], content)
    except templates.TemplateFileError as error:
        return render(
            request,
            "checklists/templates.html",
            status_code=400,
            templates=await templates.list_templates(),
            statuses=TEMPLATE_STATUS_LABELS,
            import_error=error.message,
        )
    return redirect(
        f"/admin/checklists/{template.id}", N_("The checklist has been imported as a draft.")
    )


@get("/admin/checklists/{template_id:int}", guards=admin_only)
async def checklist_detail(request: Request, template_id: FromPath[int]) -> Template:
    return render(
        request,
        "checklists/template.html",
        statuses=TEMPLATE_STATUS_LABELS,
        **await templates.structure(template_id),
    )


@get("/admin/checklists/{template_id:int}/export", guards=admin_only)
async def checklist_export(template_id: FromPath[int]) -> Response:
    template = await templates.get(template_id)
    return Response(
        await templates.export_yaml(template_id),
        media_type="application/yaml; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{template.family}-v{template.version}.yaml"'
        },
    )


@post("/admin/checklists/{template_id:int}/publish", guards=admin_only)
async def checklist_publish(request: Request, template_id: FromPath[int]) -> Redirect:
    await templates.publish(request.scope["user"], template_id)
    return redirect(
        f"/admin/checklists/{template_id}",
        N_("This version is published and can no longer change."),
    )


@post("/admin/checklists/{template_id:int}/new-version", guards=admin_only)
async def checklist_new_version(request: Request, template_id: FromPath[int]) -> Redirect:
    draft = await templates.start_next_version(request.scope["user"], template_id)
    return redirect(f"/admin/checklists/{draft.id}", N_("A new draft version has been started."))


ROUTES = [
    checklist_list,
    checklist_import,
    checklist_detail,
    checklist_export,
    checklist_publish,
    checklist_new_version,
]
