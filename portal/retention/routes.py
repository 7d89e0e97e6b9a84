"""The admin's personal-data page: the retention policy, a complainant's export, and the
early anonymisation of one case."""

from __future__ import annotations

from litestar import Request, Response, Router, post
from litestar.response import Redirect, Template

from portal.access import role_required
from portal.core.roles import Role
from portal.forms import form_page, read_form, submit
from portal.i18n import N_
from portal.retention import export, personal, services
from portal.retention.forms import AnonymiseForm, ExportForm, RetentionForm
from portal.templating import redirect
from portal.web import SignedInUser, get

PAGE = "/admin/personal-data"


async def _page(
    request: Request, values: dict | None = None, errors: dict | None = None
) -> Template:
    years = await services.policy_years()
    return form_page(
        request,
        "retention/personal_data.html",
        {"years": str(years), **(values or {})},
        errors,
        years=years,
        anonymised=await services.anonymised_count(),
        messages_kept=(personal.SENT_KEPT.days, personal.FAILED_KEPT.days),
    )


@get("/")
async def personal_data_page(request: Request) -> Template:
    return await _page(request)


@post("/retention")
async def retention_save(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, RetentionForm)
        await services.set_policy(user, form.years.data)
        return redirect(PAGE, N_("The retention period has been saved."))

    return await submit(request, save, lambda values, errors: _page(request, values, errors))


@post("/export")
async def complainant_export(request: Request, user: SignedInUser) -> Response:
    async def save() -> Response:
        form = await read_form(request, ExportForm)
        name, content = await export.complainant_file(user, form.export_reference.data)
        return Response(
            content,
            media_type="application/json",  # UTF-8, as JSON always is
            status_code=200,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
            },
        )

    return await submit(request, save, lambda values, errors: _page(request, values, errors))


@post("/anonymise")
async def anonymise_case(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, AnonymiseForm)
        await services.anonymise_on_request(user, form.reference.data, form.reason.data or "")
        return redirect(PAGE, N_("The case has been anonymised."))

    return await submit(request, save, lambda values, errors: _page(request, values, errors))


router = Router(
    path=PAGE,
    guards=[role_required(Role.admin)],
    route_handlers=[personal_data_page, retention_save, complainant_export, anonymise_case],
)
