"""Admin pages: deadline policies and the holiday calendar."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal import clock
from portal.access import or_404, role_required
from portal.accounts.tables import Role
from portal.deadlines import PHNOM_PENH, Stage, Unit, services
from portal.errors import FormErrors
from portal.i18n import N_
from portal.templating import redirect, render

admin_only = [role_required(Role.admin)]


def _policy_page(
    request: Request, form: dict, errors: dict | None = None, status: int = 200
) -> Template:
    return render(
        request,
        "admin/deadlines.html",
        status_code=status,
        form=form,
        errors=errors or {},
        stages=Stage.choices(),
        units=Unit,
    )


@get("/admin/deadlines", guards=admin_only)
async def policy_page(request: Request) -> Template:
    return _policy_page(request, await services.policy_form())


@post("/admin/deadlines", guards=admin_only)
async def policy_save(request: Request) -> Template | Redirect:
    form = dict(await request.form())
    try:
        await services.save_policies(request.scope["user"], form)
    except FormErrors as error:
        return _policy_page(request, form, error.errors, status=400)
    return redirect("/admin/deadlines", N_("The deadline policies have been saved."))


def _this_year() -> int:
    return clock.now().astimezone(PHNOM_PENH).year


async def _holiday_page(
    request: Request, year: int, form: dict | None = None, errors: dict | None = None
) -> Template:
    return render(
        request,
        "admin/holidays.html",
        status_code=400 if errors else 200,
        year=year,
        days=await services.holidays_of(year),
        form=form or {},
        errors=errors or {},
    )


@get("/admin/holidays", guards=admin_only)
async def holiday_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    year = year if year and 2000 <= year <= 2100 else _this_year()
    return await _holiday_page(request, year)


@post("/admin/holidays", guards=admin_only)
async def holiday_add(request: Request) -> Template | Redirect:
    form = dict(await request.form())
    try:
        day = await services.add_holiday(
            request.scope["user"], form.get("day", ""), form.get("name", "")
        )
    except FormErrors as error:
        parsed = services.parse_day(form.get("day", ""))
        return await _holiday_page(
            request, parsed.year if parsed else _this_year(), form, error.errors
        )
    return redirect(f"/admin/holidays?year={day.year}", N_("The holiday has been added."))


@post("/admin/holidays/{day:str}/remove", guards=admin_only)
async def holiday_remove(request: Request, day: FromPath[str]) -> Redirect:
    parsed = or_404(services.parse_day(day))
    await services.remove_holiday(request.scope["user"], parsed)
    return redirect(f"/admin/holidays?year={parsed.year}", N_("That day is now a working day."))


@post("/admin/holidays/{day:str}/restore", guards=admin_only)
async def holiday_restore(request: Request, day: FromPath[str]) -> Redirect:
    parsed = or_404(services.parse_day(day))
    await services.restore_holiday(request.scope["user"], parsed)
    return redirect(f"/admin/holidays?year={parsed.year}", N_("The holiday has been added."))


ROUTES = [policy_page, policy_save, holiday_page, holiday_add, holiday_remove, holiday_restore]
