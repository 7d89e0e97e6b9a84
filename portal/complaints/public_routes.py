"""The public's complaint pages, no account needed: file a complaint and get a receipt,
then check the case with its reference and receipt code, reply and add files."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from portal import clock, uploads
from portal.access import RecordId
from portal.complaints import agency_lookup, complaint_form, filing, my_case
from portal.complaints.tables import Channel
from portal.errors import FormErrors, Throttled
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.security import client_address
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import text_fields

NO_STORE = {"Cache-Control": "no-store"}


# --- filing (shared with the partner pages) -------------------------------------------


def form_page(
    request: Request,
    draft: complaint_form.Draft,
    action: str,
    errors: dict[str, str] | None = None,
    agency: agency_lookup.AgencyChoice | None = None,
    status_code: int = 200,
    partner: Any = None,
) -> Template:
    """The intake form (for a partner, with the intake channel to choose)."""
    return render(
        request,
        "complaints/new.html",
        status_code=status_code,
        form=draft.values,
        draft=draft,
        errors=errors or {},
        agency=agency or agency_lookup.AgencyChoice(),
        action=action,
        partner=partner,
        channels=Channel,
        max_workers=complaint_form.MAX_WORKERS,
        max_files=uploads.MAX_FILES,
        max_file_mb=uploads.MAX_FILE_BYTES // (1024 * 1024),
        **complaint_form.FORM_LABELS,
    )


def receipt_page(request: Request, receipt: filing.Receipt) -> Template:
    # The code is shown once: never cached, never in a URL (the POST answers with it).
    page = render(request, "complaints/receipt.html", receipt=receipt)
    page.headers.update(NO_STORE)
    return page


async def submit(request: Request, action: str, partner: Any = None) -> Template:
    """The form's POST: another worker block, the form again with errors, or the receipt."""
    form = await request.form()
    files = await uploads.uploaded_files(request, "attachments")
    draft = complaint_form.read_form(form, files)
    if form.get("action") == "add_worker":
        errors = complaint_form.add_worker(draft)
        agency = (
            await agency_lookup.resolve_agency(draft.values)
            if draft.values.get("agency_id")
            else None
        )
        return form_page(request, draft, action, errors, agency, partner=partner)
    now = clock.now()
    if not filing.valid_form_token(draft.form_token):
        draft.values["form_token"] = complaint_form.blank_draft().form_token
        errors = {"form_token": _("This form has expired. Check your answers and send it again.")}
        return form_page(request, draft, action, errors, status_code=400, partner=partner)
    earlier = await filing.earlier_filing(draft.form_token, now)
    if earlier is not None:
        return receipt_page(request, earlier)
    try:
        checked = await complaint_form.check(draft, partner)
    except complaint_form.IntakeRefused as refused:
        return form_page(
            request, draft, action, refused.errors, refused.agency, 400, partner=partner
        )
    receipt = await filing.file_complaint(checked, draft.form_token, now, partner)
    return receipt_page(request, receipt)


@get("/complaints/new")
async def new_complaint(request: Request) -> Template:
    return form_page(request, complaint_form.blank_draft(), "/complaints/new")


@post("/complaints/new")
async def file_complaint(request: Request) -> Template:
    return await submit(request, "/complaints/new")


@get("/complaints/agencies")
async def agency_suggestions(request: Request) -> Template:
    """Suggestions while typing the agency's name (htmx): a short list to pick from. The
    form's own field name (agency_query) is accepted as well as ?q=."""
    params = request.query_params
    matches = await agency_lookup.suggest_agencies(
        params.get("q") or params.get("agency_query") or ""
    )
    return render(
        request,
        "complaints/_form_agency_matches.html",
        agency=agency_lookup.AgencyChoice(matches=matches),
        form={},
    )


# --- check my case ---------------------------------------------------------------------


@get("/complaints/check")
async def check_page(request: Request) -> Template:
    return render(request, "complaints/check.html")


@post("/complaints/check")
async def check_submit(request: Request) -> Template | Redirect:
    form = await text_fields(request)
    now = clock.now()
    address = client_address(request.scope, get_settings())
    try:
        row = await my_case.open_case(form.get("reference", ""), form.get("code", ""), address, now)
    except FormErrors as error:
        form.pop("code", None)  # a receipt code is never sent back in a page
        return render(
            request, "complaints/check.html", status_code=400, form=form, errors=error.errors
        )
    except Throttled as error:
        form.pop("code", None)
        return render(
            request,
            "complaints/check.html",
            status_code=429,
            form=form,
            errors={"code": error.message},
        )
    response = Redirect("/my-case", status_code=303)
    response.cookies.append(
        Cookie(
            key=my_case.CASE_COOKIE,
            value=my_case.case_cookie_value(row),
            path=my_case.CASE_COOKIE_PATH,
            max_age=int(my_case.CASE_SESSION.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
        )
    )
    return response


async def _my_case_id(request: Request) -> int | None:
    return await my_case.case_from_cookie(request.cookies.get(my_case.CASE_COOKIE))


def _to_check() -> Redirect:
    return redirect(
        "/complaints/check",
        N_("Enter your case reference and receipt code to see your case."),
    )


async def _my_case_page(
    request: Request, view: dict, status_code: int = 200, **extra: Any
) -> Template:
    page = render(
        request,
        "complaints/my_case.html",
        status_code=status_code,
        max_files=uploads.MAX_FILES,
        **view,
        **await my_case.case_details(view["complaint"]["id"]),
        **extra,
    )
    page.headers.update(NO_STORE)
    return page


@get("/my-case")
async def my_case_view(request: Request) -> Template | Redirect:
    complaint_id = await _my_case_id(request)
    if complaint_id is None:
        return _to_check()
    return await _my_case_page(request, await my_case.case_view(complaint_id))


@post("/my-case/reply")
async def my_case_reply(request: Request) -> Template | Redirect:
    complaint_id = await _my_case_id(request)
    if complaint_id is None:
        return _to_check()
    form = await text_fields(request)
    files = await uploads.uploaded_files(request, "attachments")
    try:
        await my_case.reply(complaint_id, form.get("body", ""), files, clock.now())
    except FormErrors as error:
        view = await my_case.case_view(complaint_id)
        return await _my_case_page(request, view, status_code=400, form=form, errors=error.errors)
    return redirect("/my-case", N_("Your message has been sent to the case officer."))


@get("/my-case/files/{file_id:int}")
async def my_case_file(request: Request, file_id: RecordId) -> Response:
    complaint_id = await _my_case_id(request)
    if complaint_id is None:
        return _to_check()
    f = await my_case.case_file(complaint_id, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


@post("/my-case/leave")
async def my_case_leave(request: Request) -> Redirect:
    response = redirect("/", N_("You have left your case. Nobody can open it on this device now."))
    response.cookies.append(
        Cookie(key=my_case.CASE_COOKIE, value="", path=my_case.CASE_COOKIE_PATH, max_age=0)
    )
    return response


ROUTES = [
    new_complaint,
    file_complaint,
    agency_suggestions,
    check_page,
    check_submit,
    my_case_view,
    my_case_reply,
    my_case_file,
    my_case_leave,
]
