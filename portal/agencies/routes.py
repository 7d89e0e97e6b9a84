"""The public agency registry pages."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.access import RecordId, role_required
from portal.accounts.tables import Role
from portal.agencies import services
from portal.agencies.tables import Association, LicenceStatus
from portal.checklists import ratings
from portal.errors import FormErrors
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, SECTORS
from portal.templating import redirect, render
from portal.web import uploaded_bytes


@get("/agencies")
async def registry(
    request: Request,
    q: FromQuery[str] = "",
    province: FromQuery[str] = "",
    status: FromQuery[str] = "",
    after: FromQuery[str] = "",
) -> Template:
    filters = services.RegistryFilters(text=q, province=province, status=status)
    agencies, next_after = await services.search(filters, after=after)
    return render(
        request,
        "agencies/registry.html",
        agencies=agencies,
        next_after=next_after,
        filters=filters,
        provinces=await services.provinces(),
        statuses=LicenceStatus,
        associations=Association,
        ratings=await ratings.latest_ratings([a["id"] for a in agencies]),
    )


@get("/agencies/{agency_id:int}")
async def agency_page(request: Request, agency_id: RecordId) -> Template:
    agency = await services.public_record(agency_id)
    return render(
        request,
        "agencies/agency.html",
        agency=agency,
        statuses=LicenceStatus,
        associations=Association,
        ratings=await ratings.rating_history(agency_id),
        destination_names=[_(DESTINATIONS[c]) for c in services.codes(agency["destinations"])],
        sector_names=[_(SECTORS[c]) for c in services.codes(agency["sectors"])],
    )


ROUTES = [registry, agency_page]


# --- admin: keeping the registry -------------------------------------------------------

admin_only = [role_required(Role.admin)]


def _form_page(
    request: Request,
    form: dict,
    errors: dict | None = None,
    agency_id: int | None = None,
    status_code: int = 200,
) -> Template:
    return render(
        request,
        "admin/agency_form.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        agency_id=agency_id,
        statuses=LicenceStatus,
        associations=Association,
        destinations=DESTINATIONS,
        sectors=SECTORS,
        chosen={
            name: set(services.codes(form.get(name, ""))) for name in ("destinations", "sectors")
        },
    )


async def _posted(request: Request) -> dict[str, str]:
    """The agency form as sent, with the ticked destinations and sectors as "TH;MY"."""
    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str)}
    for name in ("destinations", "sectors"):
        form[name] = ";".join(str(v) for v in data.getall(name)) if name in data else ""
    return form


@get("/admin/agencies", guards=admin_only)
async def admin_agencies(
    request: Request, q: FromQuery[str] = "", after: FromQuery[str] = ""
) -> Template:
    filters = services.RegistryFilters(text=q)
    agencies, next_after = await services.search(filters, after=after)
    return render(
        request,
        "admin/agencies.html",
        agencies=agencies,
        next_after=next_after,
        filters=filters,
        statuses=LicenceStatus,
    )


@get("/admin/agencies/new", guards=admin_only)
async def agency_new(request: Request) -> Template:
    return _form_page(request, {"licence_status": "active", "association": "none"})


@post("/admin/agencies/new", guards=admin_only)
async def agency_create(request: Request) -> Template | Redirect:
    form = await _posted(request)
    try:
        agency = await services.create_agency(request.scope["user"], form)
    except FormErrors as error:
        return _form_page(request, form, error.errors, status_code=400)
    return redirect(f"/agencies/{agency.id}", N_("The agency has been added to the registry."))


@get("/admin/agencies/{agency_id:int}/edit", guards=admin_only)
async def agency_edit(request: Request, agency_id: RecordId) -> Template:
    agency = await services.public_record(agency_id)
    form = {k: ("" if v is None else str(v)) for k, v in agency.items()}
    return _form_page(request, form, agency_id=agency_id)


@post("/admin/agencies/{agency_id:int}/edit", guards=admin_only)
async def agency_update(request: Request, agency_id: RecordId) -> Template | Redirect:
    form = await _posted(request)
    try:
        await services.update_agency(request.scope["user"], agency_id, form)
    except FormErrors as error:
        return _form_page(request, form, error.errors, agency_id=agency_id, status_code=400)
    return redirect(f"/agencies/{agency_id}", N_("The agency's record has been saved."))


def _import_page(request: Request, problems: list | None = None) -> Template:
    return render(
        request,
        "admin/agency_import.html",
        status_code=400 if problems else 200,
        columns=services.CSV_COLUMNS,
        destinations=DESTINATIONS,
        sectors=SECTORS,
        problems=problems or [],
    )


@get("/admin/agencies/import", guards=admin_only)
async def import_page(request: Request) -> Template:
    return _import_page(request)


@post("/admin/agencies/import", guards=admin_only)
async def import_submit(request: Request) -> Template | Redirect:
    content = await uploaded_bytes(request, "file")
    report = await services.import_csv(request.scope["user"], content)
    if report.problems:
        return _import_page(request, report.problems)
    return redirect("/admin/agencies", N_("The agencies in the file have been added."))


ROUTES += [
    admin_agencies,
    agency_new,
    agency_create,
    agency_edit,
    agency_update,
    import_page,
    import_submit,
]
