"""Agency staff's pages: the complaints against their own agency (the complainant's
identity hidden unless they consented) and the response form."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import RecordId, role_required
from portal.accounts.tables import Role
from portal.complaints import agency_side, case_page
from portal.complaints.case_routes import LABELS
from portal.errors import DomainError, FormErrors, NotFound
from portal.templating import redirect, render
from portal.web import text_fields

agency_only = [role_required(Role.agency)]


@get("/agency/complaints", guards=agency_only)
async def agency_list(request: Request) -> Template:
    page = await agency_side.agency_cases(
        request.scope["user"], request.query_params.get("after", "")
    )
    return render(request, "complaints/agency_list.html", **page, **LABELS)


async def _page(
    request: Request,
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
        **await case_page.case_page(request.scope["user"], case, clock.now()),
        **LABELS,
    )


@get("/agency/complaints/{complaint_id:int}", guards=agency_only)
async def agency_case(request: Request, complaint_id: RecordId) -> Template:
    return await _page(request, await case_page.find_case(request.scope["user"], complaint_id))


@post("/agency/complaints/{complaint_id:int}/response", guards=agency_only)
async def agency_response(request: Request, complaint_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    case = await case_page.find_case(user, complaint_id)
    form = await text_fields(request)
    files = await uploads.uploaded_files(request, "files")
    try:
        message = await agency_side.agency_respond(user, case, form, files)
    except NotFound:
        raise
    except FormErrors as error:
        return await _page(request, case, 400, form, error.errors)
    except DomainError as error:
        if error.field:
            return await _page(request, case, 400, form, {error.field: error.message})
        return await _page(request, case, 400, form, refused=error.message)
    return redirect(f"/agency/complaints/{complaint_id}", message)


@get("/agency/complaints/{complaint_id:int}/files/{file_id:int}", guards=agency_only)
async def agency_file(request: Request, complaint_id: RecordId, file_id: RecordId) -> Response:
    user = request.scope["user"]
    case = await case_page.find_case(user, complaint_id)
    f = await case_page.case_file(user, case, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


ROUTES = [agency_list, agency_case, agency_response, agency_file]
