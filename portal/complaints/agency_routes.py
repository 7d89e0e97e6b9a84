"""Agency staff's pages: the complaints against their own agency (the complainant's
identity hidden unless they consented) and the response form."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import RecordId, role_required
from portal.accounts.services import CurrentUser
from portal.complaints import agency_side, case_actions, case_page
from portal.complaints.case_routes import LABELS
from portal.complaints.forms import AgencyResponseForm
from portal.core.roles import Role
from portal.forms import read_form, submit
from portal.templating import redirect, render
from portal.web import SignedInUser, get


@get("/")
async def agency_list(request: Request, user: SignedInUser, after: FromQuery[str] = "") -> Template:
    page = await agency_side.agency_cases(user, after)
    return render(request, "complaints/agency_list.html", **page, **LABELS)


async def _page(
    request: Request,
    user: CurrentUser,
    case: dict[str, Any],
    status_code: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refused: str = "",
) -> Template:
    return render(
        request,
        "complaints/agency_case.html",
        status_code=status_code,
        form=form or {},
        errors=errors or {},
        refused=refused,
        can_respond=agency_side.agency_can_respond(case),
        **await case_page.case_page(user, case, clock.now()),
        **LABELS,
    )


@get("/{complaint_id:int}")
async def agency_case(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    return await _page(request, user, await case_page.find_case(user, complaint_id))


@post("/{complaint_id:int}/response")
async def agency_response(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    case = await case_page.find_case(user, complaint_id)

    async def save() -> Redirect:
        form = await read_form(request, AgencyResponseForm)
        files = await uploads.uploaded_files(request, "files")
        respond = agency_side.agency_respond(user, case, form, files)
        message = await case_actions.refusal_shown(respond)
        return redirect(f"/agency/complaints/{complaint_id}", message)

    async def again(values: dict[str, str], errors: dict[str, str]) -> Template:
        refused = errors.pop(case_actions.REFUSED, "")
        return await _page(request, user, case, form=values, errors=errors, refused=refused)

    return await submit(request, save, again)


@get("/{complaint_id:int}/files/{file_id:int}")
async def agency_file(user: SignedInUser, complaint_id: RecordId, file_id: RecordId) -> Response:
    case = await case_page.find_case(user, complaint_id)
    f = await case_page.case_file(user, case, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


router = Router(
    path="/agency/complaints",
    guards=[role_required(Role.agency)],
    route_handlers=[agency_list, agency_case, agency_response, agency_file],
)
