"""Statistics for everyone (/statistics), reports for signed-in staff, partners and
agencies (/reports), their downloads, and the admin's suppression threshold."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from portal import display, i18n, security
from portal.access import or_404, role_required
from portal.complaints import access
from portal.complaints.tables import Channel, Ground
from portal.core.roles import Role
from portal.forms import PortalForm, read_form, submit
from portal.i18n import N_
from portal.labour import DESTINATIONS, PROVINCES
from portal.reports import exports, periods, public_pdf, services
from portal.reports.charts import charts_of
from portal.reports.export_routes import REFRESH_SECONDS
from portal.reports.filters import FILTERS
from portal.reports.forms import DigitsForm, ThresholdForm
from portal.reports.pdf import to_pdf
from portal.reports.report import money_text, shown, threshold
from portal.reports.services import ReportPage
from portal.security import client_address
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import SignedInUser, get

_FILES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _page(request: Request, template: str, page: ReportPage, **context: Any) -> Template:
    limit = page.report.threshold
    return render(
        request,
        template,
        page=page,
        report=page.report,
        charts=charts_of(page),
        show=lambda cell: shown(cell, limit),
        digits=i18n.digits,
        money_text=money_text,
        period_choices=periods.choices(public=page.report.public),
        **context,
    )


async def _download(
    request: Request, kind: str, build: Callable[[], Awaitable[ReportPage]], name: str
) -> Response:
    """A report as a file, written in the audit log."""
    media_type = or_404(_FILES.get(kind))
    page = await build()
    if page.scope.preparing:  # a combination of filters still being counted
        waiting = render(request, "reports/report_status.html", again=str(request.url))
        waiting.headers["Refresh"] = str(REFRESH_SECONDS)
        return waiting
    if kind == "pdf":
        content, language = await to_pdf(build), "km+en"
    else:
        writer = exports.to_csv if kind == "csv" else exports.to_xlsx
        content, language = writer(page), i18n.current_language.get()
    await services.record_export(request.scope.get("user"), kind, page, language)
    filters = re.sub(r"[^A-Za-z0-9_-]+", "-", page.scope.key)  # every filter, in the name
    filename = "-".join(filter(None, (name, page.report.period.key, filters))) + f".{kind}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get("/statistics")
async def statistics_page(request: Request, period: FromQuery[str | None] = None) -> Template:
    page = await services.public_report(periods.parse(period, public=True))
    return _page(request, "reports/statistics.html", page, download_query=_download_query(page))


@get("/statistics/download/{kind:str}")
async def statistics_download(
    request: Request,
    kind: FromPath[str],
    period: FromQuery[str | None] = None,
    reload: FromQuery[str] = "",
) -> Response:
    chosen = periods.parse(period, public=True)
    if kind == "pdf":
        return await _public_pdf(request, chosen, reload == "1")
    return await _download(request, kind, lambda: services.public_report(chosen), "statistics")


async def _public_pdf(request: Request, period: periods.Period, reload: bool) -> Response:
    """The PDF when it is ready; else a page that reloads until it is."""
    address = client_address(request.scope, get_settings())
    try:
        made = await public_pdf.ask(request.scope.get("user"), period, address, reload)
    except security.TooSoon as error:
        page = render(request, "reports/pdf_status.html", refused=security.wait_text(error.wait))
        page.status_code = 429
        return page
    if made.ready:
        name = f"statistics-{period.key}.pdf"
        return File(made.path, filename=name, content_disposition_type="attachment")
    again = f"/statistics/download/pdf?{urlencode({'period': period.key, 'reload': '1'})}"
    page = render(request, "reports/pdf_status.html", again=again)
    page.headers["Refresh"] = f"{REFRESH_SECONDS}; url={again}"
    return page


public = Router(path="/", route_handlers=[statistics_page, statistics_download])


def _download_query(page: ReportPage) -> str:
    """The address of the same report's files: its period, filter and language."""
    values = {"period": page.report.period.key, **page.scope.values}
    return urlencode({**values, "lang": i18n.current_language.get()})


def _query(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in FILTERS}


@get("/")
async def report_page(
    request: Request, user: SignedInUser, period: FromQuery[str | None] = None
) -> Template:
    page = await services.staff_report(user, periods.parse(period), _query(request))
    staff = user.role in services.STAFF
    filtering = staff or user.role == Role.provincial_officer
    shown_page = _page(
        request,
        "reports/report.html",
        page,
        can_filter=filtering,
        can_export=user.role in (Role.officer, Role.admin),
        organisations=await services.organisations() if filtering else [],
        provinces=_provinces_for(user),
        destinations=DESTINATIONS,
        grounds=Ground.choices(),
        channels=Channel.choices(),
        download_query=_download_query(page),
    )
    if page.scope.preparing:  # the page reloads itself until the figures are counted
        shown_page.headers["Refresh"] = str(REFRESH_SECONDS)
    return shown_page


def _provinces_for(user: Any) -> dict[str, str]:
    """The provinces a user may filter on: a provincial officer's own, or all."""
    mine = access.provinces_of(user)
    return PROVINCES if mine is None else {p: n for p, n in PROVINCES.items() if p in mine}


@get("/download/{kind:str}")
async def report_download(
    request: Request,
    user: SignedInUser,
    kind: FromPath[str],
    period: FromQuery[str | None] = None,
) -> Response:
    chosen, query = periods.parse(period), _query(request)
    return await _download(
        request, kind, lambda: services.staff_report(user, chosen, query), "report"
    )


for_signed_in = Router(
    path="/reports",
    guards=[role_required(*Role)],
    route_handlers=[report_page, report_download],
)


async def _settings_page(request: Request, form: dict, errors: dict | None = None) -> Template:
    return render(
        request,
        "reports/settings.html",
        form=form,
        errors=errors or {},
        digit_styles=display.STYLES,
    )


async def _stored_settings() -> dict[str, str]:
    return {"threshold": str(await threshold()), "digits": await display.digit_style()}


@get("/statistics")
async def settings_page(request: Request) -> Template:
    return await _settings_page(request, await _stored_settings())


async def _save_setting(
    request: Request,
    form_class: type[PortalForm],
    store: Callable[[Any], Awaitable[None]],
    message: str,
) -> Response:
    """Save one of the page's two forms; an error shows beside its field, with the other
    setting as stored."""

    async def save() -> Redirect:
        await store(await read_form(request, form_class))
        return redirect("/admin/statistics", message)

    async def again(form: dict[str, str], errors: dict[str, str]) -> Template:
        return await _settings_page(request, {**await _stored_settings(), **form}, errors)

    return await submit(request, save, again)


@post("/statistics")
async def settings_save(request: Request, user: SignedInUser) -> Response:
    return await _save_setting(
        request,
        ThresholdForm,
        lambda form: services.save_threshold(user, form.threshold.data),
        N_("The statistics setting has been saved."),
    )


@post("/statistics/digits")
async def digits_save(request: Request, user: SignedInUser) -> Response:
    return await _save_setting(
        request,
        DigitsForm,
        lambda form: display.save_digit_style(user, form.digits.data),
        N_("The setting for digits has been saved."),
    )


admin = Router(
    path="/admin",
    guards=[role_required(Role.admin)],
    route_handlers=[settings_page, settings_save, digits_save],
)
