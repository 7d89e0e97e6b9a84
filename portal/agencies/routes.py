"""The public agency registry pages, and the admin's keeping of the registry."""

from __future__ import annotations

from functools import partial

from litestar import Request, Response, Router, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.access import RecordId, role_required
from portal.agencies import csv_import, history, licence_routes, provinces, sanctions, services
from portal.agencies.forms import AgencyForm, ConfirmImportForm
from portal.agencies.tables import Association, LicenceStatus
from portal.checklists import ratings
from portal.core.roles import Role
from portal.forms import form_page, read_form, submit
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.labour import DESTINATIONS, PROVINCES, SECTORS
from portal.templating import choices, redirect, render
from portal.web import SignedInUser, get, uploaded_bytes


@get("/")
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
        provinces=choices(PROVINCES),
        province_label=provinces.label,
        statuses=LicenceStatus,
        associations=Association,
        ratings=await ratings.latest_ratings([a["id"] for a in agencies]),
    )


@get("/{agency_id:int}")
async def agency_page(request: Request, agency_id: RecordId) -> Template:
    agency = await services.public_record(agency_id)
    user = request.scope.get("user")
    role = user.role if user else None
    entries = await history.entries(agency_id, role)
    is_admin = role == Role.admin
    return render(
        request,
        "agencies/agency.html",
        agency=agency,
        history=entries,
        suspension_ended=history.suspension_ended(agency, entries) if is_admin else None,
        pending_sanctions=await sanctions.pending(agency_id) if is_admin else [],
        province_label=provinces.label,
        associations=Association,
        ratings=await ratings.rating_history(agency_id),
        destination_names=[_(DESTINATIONS[c]) for c in services.codes(agency["destinations"])],
        sector_names=[_(SECTORS[c]) for c in services.codes(agency["sectors"])],
    )


public = Router(
    path="/agencies",
    route_handlers=[registry, agency_page, licence_routes.decision_document],
)


# --- admin: keeping the registry -------------------------------------------------------


def _agency_form(
    request: Request, values: dict, errors: dict | None = None, agency_id: int | None = None
) -> Template:
    return form_page(
        request,
        "agencies/agency_form.html",
        values,
        errors,
        agency_id=agency_id,
        statuses=LicenceStatus,
        associations=Association,
        province_choices=choices(PROVINCES),
        unlisted_province=values.get("province")
        if provinces.is_unlisted(values.get("province", ""))
        else "",
        destinations=DESTINATIONS,
        sectors=SECTORS,
        chosen={
            name: set(services.codes(values.get(name, ""))) for name in ("destinations", "sectors")
        },
    )


async def _form_again(
    request: Request, agency_id: int | None, values: dict, errors: dict
) -> Template:
    """The form as sent, its ticked destinations and sectors included."""
    sent = AgencyForm(await request.form()).as_row()
    return _agency_form(request, {**values, **sent}, errors, agency_id)


@get("/agencies")
async def admin_agencies(
    request: Request, q: FromQuery[str] = "", after: FromQuery[str] = ""
) -> Template:
    filters = services.RegistryFilters(text=q)
    agencies, next_after = await services.search(filters, after=after)
    return render(
        request,
        "agencies/admin_list.html",
        agencies=agencies,
        next_after=next_after,
        filters=filters,
        unlisted=await services.unlisted_provinces(),
    )


@get("/agencies/new")
async def agency_new(request: Request) -> Template:
    return _agency_form(request, {"licence_status": "active", "association": "none"})


@post("/agencies/new")
async def agency_create(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, AgencyForm)
        agency = await services.create_agency(user, form.as_row())
        return redirect(f"/agencies/{agency.id}", N_("The agency has been added to the registry."))

    return await submit(request, save, partial(_form_again, request, None))


@get("/agencies/{agency_id:int}/edit")
async def agency_edit(request: Request, agency_id: RecordId) -> Template:
    agency = await services.public_record(agency_id)
    form = {k: ("" if v is None else str(v)) for k, v in agency.items()}
    return _agency_form(request, form, agency_id=agency_id)


@post("/agencies/{agency_id:int}/edit")
async def agency_update(request: Request, user: SignedInUser, agency_id: RecordId) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, AgencyForm)
        await services.update_agency(user, agency_id, form.as_row())
        return redirect(f"/agencies/{agency_id}", N_("The agency's record has been saved."))

    return await submit(request, save, partial(_form_again, request, agency_id))


def _import_page(
    request: Request,
    preview: csv_import.Preview | None = None,
    token: str = "",
    expired: bool = False,
) -> Template:
    refused = preview is not None and not preview.can_save
    return render(
        request,
        "agencies/import.html",
        status_code=400 if refused or expired else 200,
        columns=services.CSV_COLUMNS,
        destinations=DESTINATIONS,
        sectors=SECTORS,
        provinces=PROVINCES,
        preview=preview,
        outcomes=csv_import.OUTCOMES,
        token=token,
        expired=expired,
    )


@get("/agencies/import")
async def import_page(request: Request) -> Template:
    return _import_page(request)


@post("/agencies/import")
async def import_preview(request: Request, user: SignedInUser) -> Template:
    # Not a field form: a report of the file's rows, not an error beside a field.
    content = await uploaded_bytes(request, "file")
    preview = await csv_import.preview(content)
    token = await csv_import.keep(user.id, content) if preview.can_save else ""
    return _import_page(request, preview, token)


@post("/agencies/import/confirm")
async def import_confirm(request: Request, user: SignedInUser) -> Template | Redirect:
    form = await read_form(request, ConfirmImportForm)
    saved = await csv_import.confirm(user, form.token.data or "")
    if saved is None:
        return _import_page(request, expired=True)
    if not saved.can_save:
        return _import_page(request, saved)
    return redirect(
        "/admin/agencies",
        N_("The file has been imported: every agency in it is added or updated."),
    )


admin = Router(
    path="/admin",
    guards=[role_required(Role.admin)],
    route_handlers=[
        admin_agencies,
        agency_new,
        agency_create,
        agency_edit,
        agency_update,
        import_page,
        import_preview,
        import_confirm,
        *licence_routes.ADMIN_HANDLERS,
    ],
)
