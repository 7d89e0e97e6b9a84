"""Sign in, sign out, change password, and the admin's user pages."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from portal import i18n
from portal.access import OptionalRecordId, RecordId, role_required, signed_in
from portal.accounts import services
from portal.accounts.services import NewUser
from portal.accounts.tables import (
    Constituency,
    Organisation,
    OrganisationKind,
    Role,
)
from portal.agencies.tables import Agency
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.errors import DomainError, FormErrors
from portal.i18n import N_, local_name
from portal.security import client_address
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import SESSION_COOKIE

admin_only = [role_required(Role.admin)]


def _safe_next(target: str | None) -> str:
    # Only local paths: never send someone off-site after signing in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _session_cookie(token: str, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
        max_age=max_age,
    )


@get("/login", name="login")
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    if request.scope.get("user") is not None:
        return redirect(_safe_next(next))
    return render(request, "accounts/login.html", next=_safe_next(next))


@post("/login")
async def login_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    email, password = form.get("email", ""), form.get("password", "")
    target = _safe_next(form.get("next"))
    try:
        user, token = await services.sign_in(
            email, password, client_address(request.scope, get_settings())
        )
    except DomainError as error:
        return render(
            request,
            "accounts/login.html",
            status_code=error.status_code,
            form={"email": email},
            login_error=error.message,
            next=target,
        )
    # Whatever session the browser carried before ends: one live id per sign-in.
    await services.sign_out(request.cookies.get(SESSION_COOKIE))
    response = redirect("/account/password" if user.must_change_password else target)
    response.cookies.append(_session_cookie(token))
    return response


@post("/logout", guards=[signed_in])
async def logout(request: Request) -> Redirect:
    await services.sign_out(request.cookies.get(SESSION_COOKIE))
    response = redirect("/", N_("You have signed out."))
    response.cookies.append(_session_cookie("", max_age=0))
    return response


@get("/account/password", guards=[signed_in])
async def password_page(request: Request) -> Template:
    return render(request, "accounts/password.html")


@post("/account/password", guards=[signed_in])
async def password_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    new, repeat = form.get("new_password", ""), form.get("repeat_password", "")
    errors: dict[str, str] = {}
    if new != repeat:
        errors["repeat_password"] = i18n.gettext("The two new passwords are not the same.")
    else:
        try:
            await services.change_own_password(
                request.scope["user"], form.get("current_password", ""), new
            )
        except DomainError as error:
            errors[error.field or "new_password"] = error.message
    if errors:
        return render(request, "accounts/password.html", status_code=400, errors=errors)
    return redirect("/", N_("Your password has been changed."))


# --- admin: users ---------------------------------------------------------------------


async def _user_form_choices() -> dict:
    agencies = await Agency.select(Agency.licence_number, Agency.name_en, Agency.name_km).order_by(
        Agency.name_en
    )
    organisations = await Organisation.select(Organisation.name).order_by(Organisation.name)
    return {
        "roles": Role,
        "constituencies": Constituency,
        "organisation_kinds": OrganisationKind,
        "agency_options": [
            (
                a["licence_number"],
                f"{local_name(a['name_en'], a['name_km'])} ({a['licence_number']})",
            )
            for a in agencies
        ],
        "organisations": [o["name"] for o in organisations],
    }


@get("/admin/users", guards=admin_only)
async def user_list(
    request: Request, role: FromQuery[str] = "", q: FromQuery[str] = ""
) -> Template:
    users = await services.list_users(role=role, search=q)
    return render(
        request, "admin/users.html", users=users, roles=Role, filters={"role": role, "q": q}
    )


@get("/admin/users/new", guards=admin_only)
async def user_new(request: Request, agency: FromQuery[str] = "") -> Template:
    """The new-account form; from an agency's page it comes ready for that agency's staff."""
    return render(
        request,
        "admin/user_new.html",
        form={"role": "agency" if agency else "", "agency": agency, "organisation_kind": "ngo"},
        **await _user_form_choices(),
    )


@post("/admin/users/new", guards=admin_only)
async def user_create(request: Request) -> Template | Redirect:
    form = dict(await request.form())
    new = NewUser(
        email=form.get("email", ""),
        full_name=form.get("full_name", ""),
        role=form.get("role", ""),
        password=form.get("password", ""),
        agency_licence=form.get("agency", ""),
        organisation_name=form.get("organisation", ""),
        organisation_kind=form.get("organisation_kind", "ngo"),
        constituency=form.get("constituency", ""),
    )
    try:
        user = await services.create_user(request.scope["user"], new)
    except FormErrors as error:
        form.pop("password", None)
        errors = {field: i18n.gettext(message) for field, message in error.errors.items()}
        return render(
            request,
            "admin/user_new.html",
            status_code=400,
            form=form,
            errors=errors,
            **await _user_form_choices(),
        )
    return redirect(f"/admin/users/{user.id}", N_("The account has been created."))


@get("/admin/users/{user_id:int}", guards=admin_only)
async def user_detail(request: Request, user_id: RecordId) -> Template:
    user = await services.get_user(user_id)
    return render(request, "admin/user_detail.html", account=await services.describe(user))


@post("/admin/users/{user_id:int}/deactivate", guards=admin_only)
async def user_deactivate(request: Request, user_id: RecordId) -> Redirect:
    await services.set_active(request.scope["user"], user_id, active=False)
    return redirect(f"/admin/users/{user_id}", N_("The account has been deactivated."))


@post("/admin/users/{user_id:int}/activate", guards=admin_only)
async def user_activate(request: Request, user_id: RecordId) -> Redirect:
    await services.set_active(request.scope["user"], user_id, active=True)
    return redirect(f"/admin/users/{user_id}", N_("The account has been reactivated."))


@post("/admin/users/{user_id:int}/reset-password", guards=admin_only)
async def user_reset_password(request: Request, user_id: RecordId) -> Template:
    user, temporary = await services.reset_password(request.scope["user"], user_id)
    # Shown once, on this page only: it is never stored in clear or put in a URL.
    return render(
        request,
        "admin/user_detail.html",
        account=await services.describe(user),
        temporary_password=temporary,
    )


@post("/admin/users/{user_id:int}/supervisor", guards=admin_only)
async def user_supervisor(request: Request, user_id: RecordId) -> Redirect:
    form = await request.form()
    on = form.get("supervisor") == "yes"
    await services.set_supervisor(request.scope["user"], user_id, on)
    message = (
        N_("The officer is now a supervisor.")
        if on
        else N_("The officer is no longer a supervisor.")
    )
    return redirect(f"/admin/users/{user_id}", message)


@get("/admin/audit", guards=admin_only)
async def audit_log(
    request: Request, before: OptionalRecordId = None, action: FromQuery[str] = ""
) -> Template:
    rows, next_before = await audit.page(before_id=before, action=action)
    return render(
        request,
        "admin/audit.html",
        events=rows,
        actions=Action,
        action=action,
        next_before=next_before,
    )


ROUTES = [
    login_page,
    login_submit,
    logout,
    password_page,
    password_submit,
    user_list,
    user_new,
    user_create,
    user_detail,
    user_deactivate,
    user_activate,
    user_reset_password,
    audit_log,
    user_supervisor,
]
