"""Case officers' pages: the queue, a case with its actions and timeline, case files, and
the dashboard. Every action is a plain POST form that ends in a redirect to the case; a
refused action shows the case again with the reason."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import RecordId, role_required
from portal.accounts.tables import Role
from portal.agencies.tables import Agency
from portal.complaints import case_actions, case_page, dashboard, queue
from portal.complaints.states import Status
from portal.complaints.tables import (
    AgeBand,
    Audience,
    Channel,
    Currency,
    Filer,
    Ground,
    Outcome,
    Sanction,
    Sex,
)
from portal.deadlines import Stage
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import local_name
from portal.labour import DESTINATIONS, PROVINCES, SECTORS
from portal.templating import redirect, render
from portal.web import text_fields

staff = [role_required(Role.officer, Role.admin)]

LABELS: dict[str, Any] = {
    "statuses": Status,
    "stages": Stage,
    "ground_labels": Ground,
    "sexes": Sex,
    "age_bands": AgeBand,
    "filers": Filer,
    "channels": Channel,
    "outcomes": Outcome,
    "sanctions": Sanction,
    "provinces": PROVINCES,
    "destinations": DESTINATIONS,
    "sectors": SECTORS,
    "event_kinds": case_page.EventKind,
    "audiences": Audience,
    "currency_options": [(c.value, c.value) for c in Currency],
}


async def _agency_options() -> list[tuple[str, str]]:
    rows = await Agency.select(Agency.id, Agency.name_en, Agency.name_km).order_by(Agency.name_en)
    return [(str(row["id"]), local_name(row["name_en"], row["name_km"])) for row in rows]


@get("/cases", guards=staff)
async def queue_page(request: HTMXRequest) -> Template:
    params = dict(request.query_params)
    filters = queue.QueueFilters.from_query(params)
    page = await queue.queue(request.scope["user"], filters, clock.now())
    context = {"filters": filters, "form": params, **page, **LABELS}
    if request.htmx:
        return render(request, "complaints/_queue_rows.html", **context)
    return render(
        request, "complaints/queue.html", agencies_options=await _agency_options(), **context
    )


@post("/cases/search", guards=staff)
async def queue_search(request: Request) -> Template | Redirect:
    """Search by reference or name. A POST, so that a complainant's name never ends up in
    a URL (browser history, proxy logs); the next page is a POST too."""
    form = await text_fields(request)
    if not form.get("q", "").strip():
        return redirect("/cases")
    page = await queue.search(request.scope["user"], form["q"], form.get("after", ""), clock.now())
    filters = queue.QueueFilters()
    return render(
        request,
        "complaints/queue.html",
        agencies_options=await _agency_options(),
        filters=filters,
        searching=True,
        search_form=form,
        **page,
        **LABELS,
    )


@get("/cases/dashboard", guards=staff)
async def dashboard_page(request: Request) -> Template:
    return render(
        request, "complaints/dashboard.html", **await dashboard.figures(clock.now()), **LABELS
    )


async def _case(
    request: Request,
    case: dict[str, Any],
    status_code: int = 200,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refused: str = "",
) -> Template:
    user = request.scope["user"]
    return render(
        request,
        "complaints/case.html",
        status_code=status_code,
        form=form or {},
        errors=errors or {},
        refused=refused,
        officer_options=[(str(o["id"]), o["full_name"]) for o in await case_page.officers()],
        **await case_page.case_page(user, case, clock.now()),
        **LABELS,
    )


@get("/cases/{complaint_id:int}", guards=staff)
async def case_view(request: Request, complaint_id: RecordId) -> Template:
    case = await case_page.open_case(request.scope["user"], complaint_id)
    return await _case(request, case)


@get("/cases/{complaint_id:int}/files/{file_id:int}", guards=staff)
async def case_file(request: Request, complaint_id: RecordId, file_id: RecordId) -> Response:
    user = request.scope["user"]
    case = await case_page.open_case(user, complaint_id)
    f = await case_page.case_file(user, case, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


async def _act(
    request: Request,
    complaint_id: int,
    action: Callable[..., Awaitable[str]],
    *extra: Any,
) -> Template | Redirect:
    """Run one action on a case; field errors and refusals show the case page again."""
    user = request.scope["user"]
    case = await case_page.find_case(user, complaint_id)
    form = await text_fields(request)
    try:
        message = await action(user, case, form, *extra)
    except NotFound:
        raise
    except FormErrors as error:
        return await _case(request, case, 400, form, error.errors)
    except DomainError as error:
        if error.field:
            return await _case(request, case, 400, form, {error.field: error.message})
        # Reload: the refusal may come from a change someone else made meanwhile.
        fresh = await case_page.find_case(user, complaint_id)
        return await _case(request, fresh, error.status_code, form, refused=error.message)
    return redirect(f"/cases/{complaint_id}", message)


def _action_route(path: str, action: Callable[..., Awaitable[str]]) -> Any:
    async def handler(request: Request, complaint_id: RecordId) -> Template | Redirect:
        return await _act(request, complaint_id, action)

    handler.__name__ = f"case_{path.replace('-', '_')}"
    return post(f"/cases/{{complaint_id:int}}/{path}", guards=staff, name=handler.__name__)(handler)


@post("/cases/{complaint_id:int}/outcome", guards=staff)
async def case_outcome(request: Request, complaint_id: RecordId) -> Template | Redirect:
    minutes = await uploads.uploaded_files(request, "minutes")
    return await _act(request, complaint_id, case_actions.record_outcome, minutes)


ROUTES = [
    queue_page,
    queue_search,
    dashboard_page,
    case_view,
    case_file,
    case_outcome,
    *[_action_route(path, action) for path, action in case_actions.ACTIONS.items()],
]
