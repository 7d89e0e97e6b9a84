"""The public agency registry pages."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from portal.agencies import services
from portal.agencies.tables import ASSOCIATION_LABELS, LICENCE_STATUS_LABELS
from portal.templating import render


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
        statuses=LICENCE_STATUS_LABELS,
        associations=ASSOCIATION_LABELS,
    )


@get("/agencies/{agency_id:int}")
async def agency_page(request: Request, agency_id: FromPath[int]) -> Template:
    agency = await services.public_record(agency_id)
    return render(
        request,
        "agencies/agency.html",
        agency=agency,
        statuses=LICENCE_STATUS_LABELS,
        associations=ASSOCIATION_LABELS,
    )


ROUTES = [registry, agency_page]
