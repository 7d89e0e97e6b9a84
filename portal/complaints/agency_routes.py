"""Agency staff's pages: the complaints against their own agency (the complainant's
identity hidden unless they consented) and the response form."""

from __future__ import annotations

from litestar import Request, Response, Router, post
from litestar.params import FromQuery
from litestar.response import Template

from portal import uploads
from portal.access import RecordId, role_required
from portal.complaints import agency_side, case_page
from portal.complaints.case_routes import LABELS, act_on_case, case_form_page
from portal.complaints.forms import AgencyResponseForm
from portal.core.roles import Role
from portal.templating import render
from portal.web import SignedInUser, get

PATH = "/agency/complaints"


@get("/")
async def agency_list(request: Request, user: SignedInUser, after: FromQuery[str] = "") -> Template:
    page = await agency_side.agency_cases(user, after)
    return render(request, "complaints/agency_list.html", **page, **LABELS)


@get("/{complaint_id:int}")
async def agency_case(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    return await case_form_page(request, user, await case_page.open_case(user, complaint_id))


@post("/{complaint_id:int}/response")
async def agency_response(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    respond = agency_side.agency_respond
    return await act_on_case(
        request, user, complaint_id, AgencyResponseForm, respond, "files", PATH
    )


@get("/{complaint_id:int}/files/{file_id:int}")
async def agency_file(user: SignedInUser, complaint_id: RecordId, file_id: RecordId) -> Response:
    case = await case_page.open_case(user, complaint_id)
    f = await case_page.case_file(user, case, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


router = Router(
    path=PATH,
    guards=[role_required(Role.agency)],
    route_handlers=[agency_list, agency_case, agency_response, agency_file],
)
