"""Committee review pages: a member scores a submitted self-assessment; the cycle's chair
names the panel, agrees the consensus and publishes the rating; an admin names the chair."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal import uploads
from portal.access import RecordId, record_id, role_required
from portal.accounts.tables import Constituency, Role
from portal.checklists import (
    assessments,
    cycle_results,
    cycles,
    improvements,
    panel,
    ratings,
    scores,
)
from portal.checklists.tables import ActionStatus, AnswerChoice
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.templating import redirect, render
from portal.web import text_fields

members_only = [role_required(Role.committee)]
readers = [role_required(Role.agency, Role.committee, Role.admin)]


async def _page(
    request: Request,
    review: panel.Review,
    status_code: int = 200,
    form: dict | None = None,
    errors: dict | None = None,
) -> Template:
    user = request.scope["user"]
    return render(
        request,
        "checklists/review.html",
        status_code=status_code,
        review=review,
        sheet=await scores.score_sheet(user, review),
        members=await panel.committee_members() if review.can_decide else [],
        constituencies=Constituency,
        answer_labels=AnswerChoice,
        actions=await improvements.actions(review.assessment["id"]),
        action_statuses=ActionStatus,
        form=form or {},
        errors=errors or {},
    )


@get("/reviews/{assessment_id:int}", guards=members_only)
async def review_page(request: Request, assessment_id: RecordId) -> Template:
    review = await panel.get_review(request.scope["user"], assessment_id)
    return await _page(request, review)


@post("/reviews/{assessment_id:int}/scores", guards=members_only)
async def scores_save(request: Request, assessment_id: RecordId) -> Template | Redirect:
    """Save this member's scores; with then=submit, hand them in when complete."""
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    if review.seat is None:
        raise NotFound(_("Page not found."))
    form = await text_fields(request)
    try:
        await scores.save_scores(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    if form.get("then") != "submit":
        return redirect(f"/reviews/{assessment_id}", N_("Your scores have been saved."))
    missing = await scores.submit_scores(user, review)
    if missing:
        message = _("Score every indicator before submitting: %(n)s still without a score.") % {
            "n": missing
        }
        return await _page(request, review, 400, form, {"submit": message})
    return redirect(f"/reviews/{assessment_id}", N_("Your scores have been submitted."))


@post("/reviews/{assessment_id:int}/panel", guards=members_only)
async def panel_save(request: Request, assessment_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    chosen = (await request.form()).getall("members", [])
    try:
        member_ids = [int(m) for m in chosen]
        await panel.set_panel(user, review, member_ids)
    except ValueError:
        raise NotFound(_("Page not found.")) from None
    except FormErrors as error:
        return await _page(request, review, 400, errors=error.errors)
    return redirect(f"/reviews/{assessment_id}", N_("The panel has been saved."))


@post("/reviews/{assessment_id:int}/consensus", guards=members_only)
async def consensus_save(request: Request, assessment_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    form = await text_fields(request)
    try:
        await scores.save_consensus(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    return redirect(f"/reviews/{assessment_id}", N_("The consensus scores have been saved."))


@post("/reviews/{assessment_id:int}/publish", guards=members_only)
async def rating_publish(request: Request, assessment_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    try:
        await ratings.publish(user, review)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return await _page(request, review, 400, errors={"publish": error.message})
    return redirect(f"/reviews/{assessment_id}", N_("The rating has been published."))


@post("/reviews/{assessment_id:int}/return", guards=members_only)
async def return_save(request: Request, assessment_id: RecordId) -> Template | Redirect:
    """The chair returns the assessment for revision of the indicators named."""
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    form_data = await request.form()
    form: dict = {**await text_fields(request), "reopen": form_data.getall("reopen", [])}
    try:
        await ratings.return_for_revision(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    return redirect(
        f"/reviews/{assessment_id}", N_("The assessment has been returned to the agency.")
    )


@post("/reviews/{assessment_id:int}/actions", guards=members_only)
async def action_add(request: Request, assessment_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    form = await text_fields(request)
    try:
        await improvements.add_action(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    return redirect(f"/reviews/{assessment_id}#plan", N_("The improvement action has been added."))


@post("/reviews/{assessment_id:int}/actions/{action_id:int}/{decision:str}", guards=members_only)
async def action_decide(
    request: Request,
    assessment_id: RecordId,
    action_id: RecordId,
    decision: FromPath[str],
) -> Template | Redirect:
    """A committee member verifies an action the agency reported done, or reopens it."""
    if decision not in ("verify", "reopen"):
        raise NotFound(_("Page not found."))
    user = request.scope["user"]
    review = await panel.get_review(user, assessment_id)
    form = await text_fields(request)
    try:
        await improvements.decide(
            user, review, action_id, decision == "verify", form.get(f"why-{action_id}", "")
        )
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    message = (
        N_("The action is verified.") if decision == "verify" else N_("The action is reopened.")
    )
    return redirect(f"/reviews/{assessment_id}#plan", message)


# --- what the agency reads after its rating ---------------------------------------------


async def _feedback_page(
    request: Request, assessment: dict, status_code: int = 200, form=None, errors=None
) -> Template:
    return render(
        request,
        "checklists/feedback.html",
        status_code=status_code,
        assessment=assessment,
        action_statuses=ActionStatus,
        form=form or {},
        errors=errors or {},
        **await improvements.feedback(assessment),
    )


@get("/assessments/{assessment_id:int}/feedback", guards=readers)
async def feedback_page(request: Request, assessment_id: RecordId) -> Template:
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    return await _feedback_page(request, assessment)


@post(
    "/assessments/{assessment_id:int}/actions/{action_id:int}", guards=[role_required(Role.agency)]
)
async def action_update(
    request: Request, assessment_id: RecordId, action_id: RecordId
) -> Template | Redirect:
    user = request.scope["user"]
    assessment = await assessments.get_assessment(user, assessment_id)
    form = await text_fields(request)
    files = await uploads.uploaded_files(request, f"files-{action_id}")
    try:
        await improvements.update_by_agency(
            user, assessment, action_id, form.get(f"note-{action_id}", ""), files
        )
    except FormErrors as error:
        return await _feedback_page(request, assessment, 400, form, error.errors)
    return redirect(
        f"/assessments/{assessment_id}/feedback#action-{action_id}",
        N_("Your update has been sent to the committee."),
    )


@get("/assessments/{assessment_id:int}/action-files/{file_id:int}", guards=readers)
async def action_file_download(
    request: Request, assessment_id: RecordId, file_id: RecordId
) -> Response:
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    found = await improvements.action_file(assessment["id"], file_id)
    return uploads.download(found["stored_name"], found["filename"], found["content_type"])


# --- a cycle across the sector ------------------------------------------------------------

staff = [role_required(Role.committee, Role.admin)]


@get("/cycles/{cycle_id:int}/heatmap", guards=staff)
async def heatmap_page(request: Request, cycle_id: RecordId) -> Template:
    cycle = await cycles.get_cycle(cycle_id)
    return render(
        request,
        "checklists/heatmap.html",
        cycle=cycle,
        **await cycle_results.heatmap(cycle, request.scope["user"]),
    )


@get("/cycles/{cycle_id:int}/scores.csv", guards=staff)
async def scores_export(request: Request, cycle_id: RecordId) -> Response:
    cycle = await cycles.get_cycle(cycle_id)
    return Response(
        await cycle_results.scores_csv(cycle, request.scope["user"]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cycle-{cycle_id}-scores.csv"'},
    )


@post("/cycles/{cycle_id:int}/chair", guards=[role_required(Role.admin)])
async def chair_save(request: Request, cycle_id: RecordId) -> Redirect:
    """An admin names the committee member who chairs the cycle's reviews."""
    chair = record_id((await text_fields(request)).get("chair", ""))
    members = {m["id"] for m in await panel.committee_members()}
    if chair is None or chair not in members:
        raise NotFound(_("Page not found."))
    await panel.set_chair(request.scope["user"], cycle_id, chair)
    return redirect(f"/cycles/{cycle_id}", N_("The chair has been saved."))


ROUTES = [
    review_page,
    scores_save,
    panel_save,
    consensus_save,
    rating_publish,
    return_save,
    action_add,
    action_decide,
    feedback_page,
    action_update,
    action_file_download,
    heatmap_page,
    scores_export,
    chair_save,
]
