"""Pages for partner staff (MRC, union, NGO): file a complaint on a worker's behalf and
follow every complaint their organisation filed (and only those: the same 404 otherwise)."""

from __future__ import annotations

from litestar import Request, Response, Router, post
from litestar.response import Template

from portal import uploads
from portal.access import OptionalRecordId, RecordId, role_required
from portal.complaints import my_case, partner
from portal.complaints.forms import PartnerComplaintForm
from portal.complaints.public_routes import complainant_page, complaint_form, file_from, reply_from
from portal.complaints.tables import Channel
from portal.core.roles import Role
from portal.templating import render
from portal.web import SignedInUser, get


@get("/new")
async def partner_new(request: Request, user: SignedInUser) -> Template:
    return complaint_form(
        request, "/partner/complaints/new", PartnerComplaintForm(), {}, partner=user
    )


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


@get("/{complaint_id:int}")
async def partner_case(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    case_id = await partner.partner_case_id(user, complaint_id)
    return await complainant_page(request, case_id, partner=user)


@post("/{complaint_id:int}/reply")
async def partner_reply(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    case_id = await partner.partner_case_id(user, complaint_id)
    return await reply_from(request, case_id, partner=user)


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
