"""Pages for partner staff (MRC, union, NGO): file a complaint on a worker's behalf and
follow every complaint their organisation filed (and only those: the same 404 otherwise)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import OptionalRecordId, RecordId, role_required
from portal.complaints import my_case, partner
from portal.complaints.forms import PartnerComplaintForm, ReplyForm
from portal.complaints.public_routes import file_from, form_page
from portal.complaints.tables import Channel
from portal.core.roles import Role
from portal.forms import read_form, submit
from portal.i18n import N_
from portal.templating import redirect, render
from portal.web import SignedInUser, get


@get("/new")
async def partner_new(request: Request, user: SignedInUser) -> Template:
    return form_page(request, "/partner/complaints/new", PartnerComplaintForm(), {}, partner=user)


@post("/new")
async def partner_file(request: Request, user: SignedInUser) -> Response:
    return await file_from(request, "/partner/complaints/new", partner=user)


@get("/")
async def partner_list(
    request: Request, user: SignedInUser, before: OptionalRecordId = None
) -> Template:
    rows, next_before = await partner.partner_complaints(user, before)
    return render(
        request,
        "complaints/partner_list.html",
        complaints=rows,
        next_before=next_before,
        channels=Channel,
    )


async def _case_page(request: Request, complaint_id: int, **extra: Any) -> Template:
    return render(
        request,
        "complaints/partner_case.html",
        channels=Channel,
        max_files=uploads.MAX_FILES,
        **await my_case.case_view(complaint_id),
        **await my_case.case_details(complaint_id),
        **extra,
    )


@get("/{complaint_id:int}")
async def partner_case(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    case_id = await partner.partner_case_id(user, complaint_id)
    return await _case_page(request, case_id)


@post("/{complaint_id:int}/reply")
async def partner_reply(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    case_id = await partner.partner_case_id(user, complaint_id)

    async def save() -> Redirect:
        form = await read_form(request, ReplyForm)
        files = await uploads.uploaded_files(request, "attachments")
        await my_case.reply(case_id, form.body.data, files, clock.now(), actor=user)
        return redirect(
            f"/partner/complaints/{case_id}", N_("Your message has been sent to the case officer.")
        )

    async def again(values: dict[str, str], errors: dict[str, str]) -> Template:
        return await _case_page(request, case_id, form=values, errors=errors)

    return await submit(request, save, again)


@get("/{complaint_id:int}/files/{file_id:int}")
async def partner_file_download(
    user: SignedInUser, complaint_id: RecordId, file_id: RecordId
) -> Response:
    case_id = await partner.partner_case_id(user, complaint_id)
    f = await my_case.case_file(case_id, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


router = Router(
    path="/partner/complaints",
    guards=[role_required(Role.partner)],
    route_handlers=[
        partner_new,
        partner_file,
        partner_list,
        partner_case,
        partner_reply,
        partner_file_download,
    ],
)
