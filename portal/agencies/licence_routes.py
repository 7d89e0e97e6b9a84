"""The licence history's pages: an admin records a decision or answers a recommended
sanction; staff download a decision's document. The handlers join the routers of
routes.py (the admin's behind its guard, the document behind its own)."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, post
from litestar.response import Redirect, Template

from portal import uploads
from portal.access import RecordId, or_404, role_required
from portal.agencies import history, sanctions, services
from portal.agencies.forms import DecisionFields, DismissSanctionForm, LicenceDecisionForm
from portal.agencies.tables import LicenceAction
from portal.forms import form_page, read_form, submit
from portal.i18n import N_
from portal.templating import redirect
from portal.web import SignedInUser, get


def _decision_page(
    request: Request, agency: dict[str, Any], values: dict | None = None, errors: dict | None = None
) -> Template:
    return form_page(
        request,
        "agencies/licence_decision.html",
        values,
        errors,
        agency=agency,
        actions=[(a.value, a.label) for a in history.RULES],
    )


@get("/agencies/{agency_id:int}/licence")
async def decision_form(request: Request, agency_id: RecordId) -> Template:
    return _decision_page(request, await services.public_record(agency_id))


@post("/agencies/{agency_id:int}/licence")
async def decision_save(request: Request, user: SignedInUser, agency_id: RecordId) -> Response:
    agency = await services.public_record(agency_id)

    async def save() -> Redirect:
        form = await read_form(request, LicenceDecisionForm)
        decision = history.Decision(
            LicenceAction(form.action.data),
            form.decided_on.data,
            form.decision_reference.data,
            form.reason.data,
            expires_on=form.expires_on.data,
            suspended_until=form.suspended_until.data,
        )
        files = await uploads.uploaded_files(request, "document")
        await history.record(user, agency_id, decision, files)
        return redirect(f"/agencies/{agency_id}", N_("The decision is in the licence history."))

    return await submit(request, save, partial(_decision_page, request, agency))


async def _sanction_page(
    request: Request,
    agency: dict[str, Any],
    complaint_id: int,
    values: dict | None = None,
    errors: dict | None = None,
) -> Template:
    pending = await sanctions.pending(agency["id"])
    recommendation = or_404(next((p for p in pending if p["id"] == complaint_id), None))
    return form_page(
        request, "agencies/sanction.html", values, errors, agency=agency, sanction=recommendation
    )


@get("/agencies/{agency_id:int}/sanctions/{complaint_id:int}")
async def sanction_page(request: Request, agency_id: RecordId, complaint_id: RecordId) -> Template:
    return await _sanction_page(request, await services.public_record(agency_id), complaint_id)


@post("/agencies/{agency_id:int}/sanctions/{complaint_id:int}/confirm")
async def sanction_confirm(
    request: Request, user: SignedInUser, agency_id: RecordId, complaint_id: RecordId
) -> Response:
    agency = await services.public_record(agency_id)

    async def save() -> Redirect:
        form = await read_form(request, DecisionFields)
        files = await uploads.uploaded_files(request, "document")
        await sanctions.confirm(user, agency_id, complaint_id, form, files)
        return redirect(f"/agencies/{agency_id}", N_("The sanction is in the licence history."))

    return await submit(request, save, partial(_sanction_page, request, agency, complaint_id))


@post("/agencies/{agency_id:int}/sanctions/{complaint_id:int}/dismiss")
async def sanction_dismiss(
    request: Request, user: SignedInUser, agency_id: RecordId, complaint_id: RecordId
) -> Response:
    agency = await services.public_record(agency_id)

    async def save() -> Redirect:
        form = await read_form(request, DismissSanctionForm)
        await sanctions.dismiss(user, agency_id, complaint_id, form.dismiss_reason.data)
        return redirect(f"/agencies/{agency_id}", N_("The recommendation has been dismissed."))

    return await submit(request, save, partial(_sanction_page, request, agency, complaint_id))


@get(
    "/{agency_id:int}/licence/{event_id:int}/document",
    guards=[role_required(*history.STAFF_ROLES)],
)
async def decision_document(agency_id: RecordId, event_id: RecordId) -> Response:
    found = await history.document(agency_id, event_id)
    return uploads.download(found["stored_name"], found["filename"], found["content_type"])


ADMIN_HANDLERS = [decision_form, decision_save, sanction_page, sanction_confirm, sanction_dismiss]
