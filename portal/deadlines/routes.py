"""Admin pages: deadline policies and the holiday calendar."""

from __future__ import annotations

from functools import partial

from litestar import Request, Response, Router, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal import clock
from portal.access import or_404, role_required
from portal.core.roles import Role
from portal.deadlines import PHNOM_PENH, Stage, Unit, services
from portal.deadlines.forms import HolidayForm, PolicyForm
from portal.forms import form_page, read_form, submit
from portal.i18n import N_
from portal.templating import redirect
from portal.web import SignedInUser, get


def _policy_page(request: Request, values: dict, errors: dict | None = None) -> Template:
    return form_page(
        request, "deadlines/policies.html", values, errors, stages=Stage.choices(), units=Unit
    )


@get("/deadlines")
async def policy_page(request: Request) -> Template:
    return _policy_page(request, await services.policy_form())


@post("/deadlines")
async def policy_save(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, PolicyForm)
        await services.save_policies(user, form.stages())
        return redirect("/admin/deadlines", N_("The deadline policies have been saved."))

    return await submit(request, save, partial(_policy_page, request))


def _this_year() -> int:
    return clock.now().astimezone(PHNOM_PENH).year


async def _holiday_page(
    request: Request, year: int, values: dict | None = None, errors: dict | None = None
) -> Template:
    days = await services.holidays_of(year)
    return form_page(request, "deadlines/holidays.html", values, errors, year=year, days=days)


@get("/holidays")
async def holiday_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    year = year if year and 2000 <= year <= 2100 else _this_year()
    return await _holiday_page(request, year)


@post("/holidays")
async def holiday_add(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, HolidayForm)
        await services.add_holiday(user, form.day.data, form.name.data)
        return redirect(
            f"/admin/holidays?year={form.day.data.year}", N_("The holiday has been added.")
        )

    async def again(values: dict, errors: dict) -> Template:
        day = services.parse_day(values.get("day", ""))  # the year the admin was looking at
        return await _holiday_page(request, day.year if day else _this_year(), values, errors)

    return await submit(request, save, again)


@post("/holidays/{day:str}/remove")
async def holiday_remove(user: SignedInUser, day: FromPath[str]) -> Redirect:
    parsed = or_404(services.parse_day(day))
    await services.remove_holiday(user, parsed)
    return redirect(f"/admin/holidays?year={parsed.year}", N_("That day is now a working day."))


@post("/holidays/{day:str}/restore")
async def holiday_restore(user: SignedInUser, day: FromPath[str]) -> Redirect:
    parsed = or_404(services.parse_day(day))
    await services.restore_holiday(user, parsed)
    return redirect(f"/admin/holidays?year={parsed.year}", N_("The holiday has been added."))


router = Router(
    path="/admin",
    guards=[role_required(Role.admin)],
    route_handlers=[
        policy_page,
        policy_save,
        holiday_page,
        holiday_add,
        holiday_remove,
        holiday_restore,
    ],
)
