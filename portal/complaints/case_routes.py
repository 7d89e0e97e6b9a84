"""Case officers' pages: the queue, a case with its actions and timeline, case files, and
the dashboard. Every action is a plain POST form that ends in a redirect to the case; a
refused action shows the case again with the reason."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import RecordId, role_required
from portal.accounts.services import CurrentUser
from portal.complaints import case_actions, case_page, dashboard, fact_routes, news, queue, search
from portal.complaints.forms import OutcomeForm
from portal.complaints.states import Status
from portal.complaints.tables import (
    AgeBand,
    Audience,
    Authority,
    Channel,
    Currency,
    Disability,
    Filer,
    Ground,
    Outcome,
    Sanction,
    Sex,
)
from portal.core.roles import CASE_HANDLERS, Role
from portal.deadlines import Stage
from portal.forms import PortalForm, form_page, read_form, read_values, submit
from portal.labour import DESTINATIONS, PROVINCES, SECTORS
from portal.templating import redirect, render
from portal.web import SignedInUser, get

LABELS: dict[str, Any] = {
    "statuses": Status,
    "stages": Stage,
    "ground_labels": Ground,
    "sexes": Sex,
    "age_bands": AgeBand,
    "disabilities": Disability,
    "authorities": Authority,
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
    "filter_names": queue.FILTER_NAMES,
}


@get("/")
async def queue_page(request: HTMXRequest, user: SignedInUser) -> Template:
    params = dict(request.query_params)
    filters = queue.QueueFilters.from_query(params)
    page = await queue.queue(user, filters, clock.now())
    context = {"filters": filters, "form": params, **page, **LABELS}
    if request.htmx:
        return render(request, "complaints/_queue_rows.html", **context)
    return render(request, "complaints/queue.html", officers=await queue.officers(), **context)


@post("/search")
async def queue_search(request: Request, user: SignedInUser) -> Template | Redirect:
    """Search by words, names, reference or phone, within the queue's filters. A POST, so
    that a complainant's name or number never ends up in a URL (browser history, proxy
    logs); the next page is a POST too."""
    form = await read_values(request)
    if not form.get("q", "").strip():
        return redirect("/cases")
    filters = queue.QueueFilters.from_query(form)
    page = await search.search(user, form["q"], filters, clock.now())
    return render(
        request,
        "complaints/queue.html",
        filters=filters,
        form={**form, "after": ""},
        searching=True,
        search_form=form,
        officers=await queue.officers(),
        **page,
        **LABELS,
    )


@get("/dashboard")
async def dashboard_page(request: Request, user: SignedInUser) -> Template:
    figures = await dashboard.figures(clock.now(), user)
    return render(request, "complaints/dashboard.html", **figures, **LABELS)


async def case_form_page(
    request: Request,
    user: CurrentUser,
    case: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """A case with its forms, as officers or the agency see it: a refusal (the workflow
    does not allow that now) shows above the case, the other errors beside their fields."""
    errors = dict(errors or {})
    refused = errors.pop(case_actions.REFUSED, "")
    view = await case_page.case_page(user, case, clock.now())
    template = "complaints/agency_case.html" if user.role == Role.agency else "complaints/case.html"
    return form_page(request, template, values, errors, refused=refused, **view, **LABELS)


@get("/{complaint_id:int}")
async def case_view(request: Request, user: SignedInUser, complaint_id: RecordId) -> Template:
    case = await case_page.open_case(user, complaint_id)
    await news.opened(user, case, clock.now())
    return await case_form_page(request, user, case)


@get("/{complaint_id:int}/files/{file_id:int}")
async def case_file(user: SignedInUser, complaint_id: RecordId, file_id: RecordId) -> Response:
    case = await case_page.open_case(user, complaint_id)
    f = await case_page.case_file(user, case, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


async def act_on_case(
    request: Request,
    user: CurrentUser,
    complaint_id: int,
    form_class: type[PortalForm],
    action: Any,
    files_field: str = "",
    path: str = "/cases",
) -> Response:
    """Run one action on a case: its form's errors show beside their fields; a refusal
    shows the case again with the reason; otherwise back to the case (under `path`) with
    a message."""
    case = await case_page.find_case(user, complaint_id)

    async def save() -> Redirect:
        form = await read_form(request, form_class)
        files = [await uploads.uploaded_files(request, files_field)] if files_field else []
        message = await case_actions.refusal_shown(action(user, case, form, *files))
        return redirect(f"{path}/{complaint_id}", message)

    async def again(values: dict[str, str], errors: dict[str, str]) -> Template:
        # Reload: a refusal may come from a change someone else made meanwhile.
        fresh = await case_page.find_case(user, complaint_id)
        return await case_form_page(request, user, fresh, values, errors)

    return await submit(request, save, again)


@post("/{complaint_id:int}/outcome")
async def case_outcome(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
    return await act_on_case(
        request, user, complaint_id, OutcomeForm, case_actions.record_outcome, "minutes"
    )


def _action_route(path: str, form_class: type[PortalForm], action: Any) -> Any:
    async def handler(request: Request, user: SignedInUser, complaint_id: RecordId) -> Response:
        return await act_on_case(request, user, complaint_id, form_class, action)

    handler.__name__ = f"case_{path.replace('-', '_')}"
    return post(f"/{{complaint_id:int}}/{path}", name=handler.__name__)(handler)


router = Router(
    path="/cases",
    guards=[role_required(*CASE_HANDLERS)],
    route_handlers=[
        queue_page,
        queue_search,
        dashboard_page,
        case_view,
        case_file,
        case_outcome,
        *fact_routes.ROUTES,
        *[_action_route(path, *action) for path, action in case_actions.ACTIONS.items()],
    ],
)
