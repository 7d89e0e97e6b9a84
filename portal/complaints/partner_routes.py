"""Pages for partner staff (MRC, union, NGO): file a complaint on a worker's behalf and
follow every complaint their organisation filed (and only those: the same 404 otherwise)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import OptionalRecordId, RecordId, role_required
from portal.accounts.tables import Role
from portal.complaints import complaint_form, my_case, partner
from portal.complaints.public_routes import form_page, submit
from portal.complaints.tables import Channel
from portal.errors import FormErrors
from portal.i18n import N_
from portal.templating import redirect, render
from portal.web import text_fields

partners = [role_required(Role.partner)]


@get("/partner/complaints/new", guards=partners)
async def partner_new(request: Request) -> Template:
    draft = complaint_form.blank_draft()
    return form_page(request, draft, "/partner/complaints/new", partner=request.scope["user"])


@post("/partner/complaints/new", guards=partners)
async def partner_file(request: Request) -> Template:
    return await submit(request, "/partner/complaints/new", partner=request.scope["user"])


@get("/partner/complaints", guards=partners)
async def partner_list(request: Request, before: OptionalRecordId = None) -> Template:
    rows, next_before = await partner.partner_complaints(request.scope["user"], before)
    return render(
        request,
        "complaints/partner_list.html",
        complaints=rows,
        next_before=next_before,
        channels=Channel,
    )


async def _case_page(
    request: Request, complaint_id: int, status_code: int = 200, **extra: object
) -> Template:
    view = await my_case.case_view(complaint_id)
    return render(
        request,
        "complaints/partner_case.html",
        status_code=status_code,
        channels=Channel,
        max_files=uploads.MAX_FILES,
        **view,
        **await my_case.case_details(complaint_id),
        **extra,
    )


@get("/partner/complaints/{complaint_id:int}", guards=partners)
async def partner_case(request: Request, complaint_id: RecordId) -> Template:
    case_id = await partner.partner_case_id(request.scope["user"], complaint_id)
    return await _case_page(request, case_id)


@post("/partner/complaints/{complaint_id:int}/reply", guards=partners)
async def partner_reply(request: Request, complaint_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    case_id = await partner.partner_case_id(user, complaint_id)
    form = await text_fields(request)
    files = await uploads.uploaded_files(request, "attachments")
    try:
        await my_case.reply(case_id, form.get("body", ""), files, clock.now(), actor=user)
    except FormErrors as error:
        return await _case_page(request, case_id, status_code=400, form=form, errors=error.errors)
    return redirect(
        f"/partner/complaints/{case_id}", N_("Your message has been sent to the case officer.")
    )


@get("/partner/complaints/{complaint_id:int}/files/{file_id:int}", guards=partners)
async def partner_file_download(
    request: Request, complaint_id: RecordId, file_id: RecordId
) -> Response:
    case_id = await partner.partner_case_id(request.scope["user"], complaint_id)
    f = await my_case.case_file(case_id, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


ROUTES = [
    partner_new,
    partner_file,
    partner_list,
    partner_case,
    partner_reply,
    partner_file_download,
]
