"""The page where officers correct a case's facts (part of the /cases router)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.response import Redirect, Template

from portal.access import RecordId
from portal.complaints import case_page, corrections
from portal.forms import form_page, read_form, submit
from portal.labour import DESTINATIONS, PROVINCES, SECTORS
from portal.templating import redirect
from portal.web import SignedInUser, get

LISTS: dict[str, Any] = {"destinations": DESTINATIONS, "sectors": SECTORS, "provinces": PROVINCES}


def _page(
    request: Request, case: dict[str, Any], values: dict[str, str], errors: dict[str, str]
) -> Template:
    return form_page(request, "complaints/facts.html", values, errors, case=case, **LISTS)


@get("/{complaint_id:int}/facts")
async def facts_page(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    case = await case_page.open_case(user, complaint_id)
    return _page(request, case, corrections.current_values(case), {})


@post("/{complaint_id:int}/facts")
async def facts_save(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    case = await case_page.find_case(user, complaint_id)

    async def save() -> Redirect:
        form = await read_form(request, corrections.CorrectionForm)
        message = await corrections.correct_facts(user, case, form)
        return redirect(f"/cases/{complaint_id}", message)

    async def again(values: dict[str, str], errors: dict[str, str]) -> Template:
        return _page(request, case, values, errors)

    return await submit(request, save, again)


ROUTES = [facts_page, facts_save]
