"""Sign in, sign out, change password, and the admin's user pages."""

from __future__ import annotations

from litestar import Request, Response, Router, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal.access import RecordId, role_required, signed_in
from portal.accounts import editing, services
from portal.accounts.forms import LoginForm, NewUserForm, PasswordForm, UserForm
from portal.accounts.tables import Constituency, Organisation, OrganisationKind
from portal.agencies.tables import Agency
from portal.core.roles import Role
from portal.forms import form_page, read_form, submit
from portal.i18n import N_, local_name
from portal.labour import PROVINCES
from portal.security import client_address
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import SESSION_COOKIE, SignedInUser, get


def _safe_next(target: str | None) -> str:
    # Only local paths: never send someone off-site after signing in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _cookie(key: str, value: str, path: str = "/", max_age: int | None = None) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path=path,
        max_age=max_age,
    )


def _session_cookie(token: str, max_age: int | None = None) -> Cookie:
    return _cookie(SESSION_COOKIE, token, max_age=max_age)


def _device_cookie(value: str) -> Cookie:
    # Read only by the sign-in form's POST; outlives sessions, names no session.
    lifetime = int(services.DEVICE_LIFETIME.total_seconds())
    return _cookie(services.DEVICE_COOKIE, value, path="/login", max_age=lifetime)


def _login_page(
    request: Request, target: str, values: dict | None = None, errors: dict | None = None
) -> Template:
    return form_page(request, "accounts/login.html", values, errors, next=target)


# --- anyone -----------------------------------------------------------------------------


@get("/login", name="login")
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    # Open to all: the optional user is read from the request to send a signed-in one on.
    if request.scope.get("user") is not None:
        return redirect(_safe_next(next))
    return _login_page(request, _safe_next(next))


@post("/login")
async def login_submit(request: Request) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, LoginForm)
        signed_in = await services.sign_in(
            form.email.data,
            form.password.data,
            client_address(request.scope, get_settings()),
            request.cookies.get(services.DEVICE_COOKIE),
        )
        # Whatever session the browser carried before ends: one live id per sign-in.
        await services.sign_out(request.cookies.get(SESSION_COOKIE))
        target = _safe_next(form.next.data)
        must_change = signed_in.user.must_change_password
        response = redirect("/account/password" if must_change else target)
        response.cookies.append(_session_cookie(signed_in.token))
        response.cookies.append(_device_cookie(signed_in.device_cookie))
        return response

    def again(values: dict, errors: dict) -> Template:
        return _login_page(request, _safe_next(values.get("next")), values, errors)

    return await submit(request, save, again, LoginForm)


public = Router(path="/", route_handlers=[login_page, login_submit])


# --- any signed-in user -----------------------------------------------------------------


@post("/logout")
async def logout(request: Request) -> Redirect:
    await services.sign_out(request.cookies.get(SESSION_COOKIE))
    response = redirect("/", N_("You have signed out."))
    response.cookies.append(_session_cookie("", max_age=0))
    return response


@get("/account/password")
async def password_page(request: Request) -> Template:
    return render(request, "accounts/password.html")


@post("/account/password")
async def password_submit(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, PasswordForm)
        await services.change_own_password(user, form.current_password.data, form.new_password.data)
        return redirect("/", N_("Your password has been changed."))

    def again(values: dict, errors: dict) -> Template:
        # The errors only: a password is never filled back in.
        return form_page(request, "accounts/password.html", errors=errors)

    return await submit(request, save, again, PasswordForm)


own_account = Router(
    path="/", guards=[signed_in], route_handlers=[logout, password_page, password_submit]
)


# --- admin: users -----------------------------------------------------------------------


async def _user_form_page(
    request: Request, values: dict, errors: dict | None = None, account_id: int | None = None
) -> Template:
    """The new-account form, or (with `account_id`) the form changing an account."""
    agencies = await Agency.select(Agency.licence_number, Agency.name_en, Agency.name_km).order_by(
        Agency.name_en
    )
    organisations = await Organisation.select(Organisation.name).order_by(Organisation.name)
    return form_page(
        request,
        "accounts/user_new.html",
        values,
        errors,
        roles=Role,
        constituencies=Constituency,
        organisation_kinds=OrganisationKind,
        agency_options=[
            (
                a["licence_number"],
                f"{local_name(a['name_en'], a['name_km'])} ({a['licence_number']})",
            )
            for a in agencies
        ],
        organisations=[o["name"] for o in organisations],
        provinces=PROVINCES,
        ticked_provinces=set(values.get("provinces", "").split(",")),
        account_id=account_id,
    )


async def _with_provinces(request: Request, values: dict) -> dict:
    """The values as sent, with every province ticked (not only the last one)."""
    ticked = (await request.form()).getall("provinces", [])
    return {**values, "provinces": ",".join(ticked)}


@get("/")
async def user_list(
    request: Request, role: FromQuery[str] = "", q: FromQuery[str] = ""
) -> Template:
    users = await services.list_users(role=role, search=q)
    return render(
        request, "accounts/users.html", users=users, roles=Role, filters={"role": role, "q": q}
    )


@get("/new")
async def user_new(request: Request, agency: FromQuery[str] = "") -> Template:
    """The new-account form; from an agency's page it comes ready for that agency's staff."""
    return await _user_form_page(
        request,
        {"role": "agency" if agency else "", "agency": agency, "organisation_kind": "ngo"},
    )


@post("/new")
async def user_create(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, NewUserForm)
        created = await services.create_user(user, form.new_user())
        return redirect(f"/admin/users/{created.id}", N_("The account has been created."))

    async def again(values: dict, errors: dict) -> Template:
        return await _user_form_page(request, await _with_provinces(request, values), errors)

    return await submit(request, save, again, NewUserForm)


@get("/{user_id:int}/edit")
async def user_edit(request: Request, user_id: RecordId) -> Template:
    return await _user_form_page(request, await editing.current_profile(user_id), None, user_id)


@post("/{user_id:int}/edit")
async def user_update(request: Request, user: SignedInUser, user_id: RecordId) -> Response:
    async def save() -> Redirect:
        form = await read_form(request, UserForm)
        changed = await editing.edit_user(user, user_id, form.profile())
        message = N_("The account has been changed.") if changed else N_("Nothing changed.")
        return redirect(f"/admin/users/{user_id}", message)

    async def again(values: dict, errors: dict) -> Template:
        values = await _with_provinces(request, values)
        return await _user_form_page(request, values, errors, user_id)

    return await submit(request, save, again, UserForm)


@get("/{user_id:int}")
async def user_detail(request: Request, user_id: RecordId) -> Template:
    account = await services.get_user(user_id)
    return render(request, "accounts/user_detail.html", account=await services.describe(account))


@post("/{user_id:int}/deactivate")
async def user_deactivate(user: SignedInUser, user_id: RecordId) -> Redirect:
    await services.set_active(user, user_id, active=False)
    return redirect(f"/admin/users/{user_id}", N_("The account has been deactivated."))


@post("/{user_id:int}/activate")
async def user_activate(user: SignedInUser, user_id: RecordId) -> Redirect:
    await services.set_active(user, user_id, active=True)
    return redirect(f"/admin/users/{user_id}", N_("The account has been reactivated."))


@post("/{user_id:int}/reset-password")
async def user_reset_password(request: Request, user: SignedInUser, user_id: RecordId) -> Template:
    account, temporary = await services.reset_password(user, user_id)
    # Shown once, on this page only: it is never stored in clear or put in a URL.
    return render(
        request,
        "accounts/user_detail.html",
        account=await services.describe(account),
        temporary_password=temporary,
    )


@post("/{user_id:int}/supervisor")
async def user_supervisor(request: Request, user: SignedInUser, user_id: RecordId) -> Redirect:
    on = (await request.form()).get("supervisor") == "yes"
    await services.set_supervisor(user, user_id, on)
    message = (
        N_("The officer is now a supervisor.")
        if on
        else N_("The officer is no longer a supervisor.")
    )
    return redirect(f"/admin/users/{user_id}", message)


admin = Router(
    path="/admin/users",
    guards=[role_required(Role.admin)],
    route_handlers=[
        user_list,
        user_new,
        user_create,
        user_edit,
        user_update,
        user_detail,
        user_deactivate,
        user_activate,
        user_reset_password,
        user_supervisor,
    ],
)
