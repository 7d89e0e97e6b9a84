"""The public's complaint pages, no account needed: file a complaint and get a receipt,
then check the case with its reference and receipt code, reply and add files."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template

from portal import clock, security, upload_drafts, uploads
from portal.access import RecordId
from portal.complaints import agency_lookup, filing, my_case
from portal.complaints.forms import (
    FORM_LABELS,
    MAX_WORKERS,
    CheckCaseForm,
    ComplaintForm,
    PartnerComplaintForm,
    ReplyForm,
)
from portal.complaints.tables import Channel
from portal.errors import DomainError, Throttled
from portal.forms import form_page, read_form, sent_values, submit, text_data
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.security import client_address
from portal.settings import get_settings
from portal.templating import redirect, render
from portal.web import get

NO_STORE = {"Cache-Control": "no-store"}
# The id of the case opened on this device with its receipt code.
OpenCaseId = NamedDependency[int]


# --- filing (shared with the partner pages) -------------------------------------------


def complaint_form(
    request: Request,
    action: str,
    form: ComplaintForm,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    agency: agency_lookup.AgencyChoice | None = None,
    partner: Any = None,
    added_worker: int | None = None,
) -> Template:
    """The complaint form, filled in with `values` as sent (for a partner, with the intake
    channel to choose)."""
    if not filing.valid_form_token(values.get("form_token", "")):
        # New, or its token lost: a fresh one, so that this form files one complaint.
        values = {**values, "form_token": security.new_token()}
    return form_page(
        request,
        "complaints/new.html",
        values,
        errors,
        workers=form.worker.data,
        ticked=form.grounds.data or [],
        agency=agency or agency_lookup.AgencyChoice(),
        action=action,
        partner=partner,
        channels=Channel,
        max_workers=MAX_WORKERS,
        max_files=uploads.MAX_FILES,
        held_files=upload_drafts.held(values["form_token"]),
        added_worker=added_worker,  # its first field takes the focus, and it is announced
        max_file_mb=uploads.MAX_FILE_BYTES // (1024 * 1024),
        **FORM_LABELS,
    )


def receipt_page(request: Request, receipt: filing.Receipt) -> Template:
    # The code is shown once: never cached, never in a URL (the POST answers with it).
    page = render(request, "complaints/receipt.html", receipt=receipt)
    page.headers.update(NO_STORE)
    return page


async def file_from(request: Request, action: str, partner: Any = None) -> Response:
    """The form's POST: another worker block, the form again with errors, or the receipt."""
    form_class = PartnerComplaintForm if partner else ComplaintForm

    async def save() -> Response:
        form = form_class(await text_data(request))
        files = await uploads.uploaded_files(request, "attachments")
        pressed = str((await request.form()).get("action") or "")
        if pressed == "add_worker" or pressed.startswith(REMOVE_FILE):
            # The same form back (no JavaScript): one more worker, or one file fewer; the
            # files it brought are held for it.
            token = form.form_token.data or ""
            if pressed.startswith(REMOVE_FILE):
                upload_drafts.remove(token, pressed.removeprefix(REMOVE_FILE))
            errors = form.add_worker() if pressed == "add_worker" else {}
            errors |= await hold_files(token, files)
            added = len(form.worker) - 1 if pressed == "add_worker" and not errors else None
            agency = await agency_lookup.resolve_agency(form.data) if form.agency_id.data else None
            values = await sent_values(request)
            return complaint_form(request, action, form, values, errors, agency, partner, added)
        # The public form is limited per address; signed-in partner staff are not.
        address = client_address(request.scope, get_settings())
        limit = None if partner else (security.FILING_PER_ADDRESS, address)
        try:
            receipt = await filing.file_form(form, files, clock.now(), partner, limit)
        except security.TooSoon as error:
            message = _("Many complaints have come from your connection.")
            wait = security.wait_text(error.wait)
            page = await again(await sent_values(request), {"form": f"{message} {wait}"})
            page.status_code = 429  # the form comes back filled in: nothing typed is lost
            return page
        return receipt_page(request, receipt)

    async def again(values: dict[str, str], errors: dict[str, str]) -> Template:
        form = form_class(await text_data(request))
        agency = await agency_lookup.resolve_agency(values)  # the choices to offer again
        return complaint_form(request, action, form, values, errors, agency, partner)

    return await submit(request, save, again)


REMOVE_FILE = "remove_file:"  # the value of a held file's Remove button, before its id


async def hold_files(form_token: str, files: list[uploads.Upload]) -> dict[str, str]:
    """Hold the files sent with a form that comes back; the error if one is refused."""
    if not filing.valid_form_token(form_token):
        return {}
    try:
        already = len(upload_drafts.held(form_token))
        await upload_drafts.keep(form_token, await uploads.check(files, "attachments", already))
    except DomainError as error:
        return {"attachments": error.message}
    return {}


@get("/complaints/new")
async def new_complaint(request: Request) -> Template:
    return complaint_form(request, "/complaints/new", ComplaintForm(), {})


@post("/complaints/new")
async def file_complaint(request: Request) -> Response:
    return await file_from(request, "/complaints/new")


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


def _check_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int
) -> Template:
    values = {name: value for name, value in values.items() if name != "code"}  # never sent back
    return form_page(request, "complaints/check.html", values, errors, status_code=status_code)


@get("/complaints/check")
async def check_page(request: Request) -> Template:
    return render(request, "complaints/check.html")


@post("/complaints/check")
async def check_submit(request: Request) -> Response:
    async def save() -> Response:
        form = await read_form(request, CheckCaseForm)
        address = client_address(request.scope, get_settings())
        try:
            row = await my_case.open_case(form.reference.data, form.code.data, address, clock.now())
        except Throttled as error:
            return _check_page(request, await sent_values(request), {"code": error.message}, 429)
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

    return await submit(
        request, save, again=lambda values, errors: _check_page(request, values, errors, 400)
    )


class NoCaseOpen(Exception):
    """No case is open on this device: never opened, left, or its time is up."""


async def _open_case_id(request: Request) -> int:
    complaint_id = await my_case.case_from_cookie(request.cookies.get(my_case.CASE_COOKIE))
    if complaint_id is None:
        raise NoCaseOpen
    return complaint_id


def _to_check(request: Request, _: NoCaseOpen) -> Redirect:
    return redirect(
        "/complaints/check",
        N_("Enter your case reference and receipt code to see your case."),
    )


async def complainant_page(
    request: Request,
    complaint_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    partner: Any = None,
) -> Template:
    """A case as the complainant's side reads it, with the reply form: the complainant's
    own page, or the page of the partner who filed it."""
    page = form_page(
        request,
        "complaints/partner_case.html" if partner else "complaints/my_case.html",
        values,
        errors,
        channels=Channel,
        max_files=uploads.MAX_FILES,
        **await my_case.case_view(complaint_id),
        **await my_case.case_details(complaint_id),
    )
    if not partner:  # opened by the receipt code: never kept in a cache
        page.headers.update(NO_STORE)
    return page


async def reply_from(request: Request, complaint_id: int, partner: Any = None) -> Response:
    """The reply form's POST: a message and files to the case officer, then back to the
    case; on errors, the case again with them."""
    address = f"/partner/complaints/{complaint_id}" if partner else "/my-case"

    async def save() -> Redirect:
        form = await read_form(request, ReplyForm)
        files = await uploads.uploaded_files(request, "attachments")
        await my_case.reply(complaint_id, form.body.data, files, clock.now(), actor=partner)
        return redirect(address, N_("Your message has been sent to the case officer."))

    again = partial(complainant_page, request, complaint_id, partner=partner)
    return await submit(request, save, again)


@get("/")
async def my_case_view(request: Request, case_id: OpenCaseId) -> Response:
    return await complainant_page(request, case_id)


@post("/reply")
async def my_case_reply(request: Request, case_id: OpenCaseId) -> Response:
    return await reply_from(request, case_id)


@get("/files/{file_id:int}")
async def my_case_file(case_id: OpenCaseId, file_id: RecordId) -> Response:
    f = await my_case.case_file(case_id, file_id)
    return uploads.download(f["stored_name"], f["filename"], f["content_type"])


@post("/leave")
async def my_case_leave(request: Request) -> Redirect:
    response = redirect("/", N_("You have left your case. Nobody can open it on this device now."))
    response.cookies.append(
        Cookie(key=my_case.CASE_COOKIE, value="", path=my_case.CASE_COOKIE_PATH, max_age=0)
    )
    return response


# No guard: anyone may file, and "my case" is opened by the receipt code, not an account.
router = Router(
    path="/",
    route_handlers=[
        new_complaint,
        file_complaint,
        agency_suggestions,
        check_page,
        check_submit,
        # The case opened on this device with its receipt code: without one, the check page.
        Router(
            path="/my-case",
            route_handlers=[my_case_view, my_case_reply, my_case_file, my_case_leave],
            dependencies={"case_id": Provide(_open_case_id)},
            exception_handlers={NoCaseOpen: _to_check},
        ),
    ],
)
