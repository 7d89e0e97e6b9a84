"""Committee review pages: a member scores a submitted self-assessment; the cycle's chair
names the panel, agrees the consensus and publishes the rating; an admin names the chair."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from portal.access import role_required
from portal.accounts.tables import CONSTITUENCY_LABELS, Role
from portal.checklists import reviews
from portal.checklists.tables import ANSWER_LABELS
from portal.errors import DomainError, FormErrors, NotFound
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.templating import redirect, render
from portal.web import text_fields

members_only = [role_required(Role.committee)]


async def _page(
    request: Request,
    review: reviews.Review,
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
        sheet=await reviews.score_sheet(user, review),
        members=await reviews.committee_members() if review.can_decide else [],
        constituencies=CONSTITUENCY_LABELS,
        answer_labels=ANSWER_LABELS,
        form=form or {},
        errors=errors or {},
    )


@get("/reviews/{assessment_id:int}", guards=members_only)
async def review_page(request: Request, assessment_id: FromPath[int]) -> Template:
    review = await reviews.get_review(request.scope["user"], assessment_id)
    return await _page(request, review)


@post("/reviews/{assessment_id:int}/scores", guards=members_only)
async def scores_save(request: Request, assessment_id: FromPath[int]) -> Template | Redirect:
    """Save this member's scores; with then=submit, hand them in when complete."""
    user = request.scope["user"]
    review = await reviews.get_review(user, assessment_id)
    if review.seat is None:
        raise NotFound(_("Page not found."))
    form = await text_fields(request)
    try:
        await reviews.save_scores(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    if form.get("then") != "submit":
        return redirect(f"/reviews/{assessment_id}", N_("Your scores have been saved."))
    missing = await reviews.submit_scores(user, review)
    if missing:
        message = _("Score every indicator before submitting: %(n)s still without a score.") % {
            "n": missing
        }
        return await _page(request, review, 400, form, {"submit": message})
    return redirect(f"/reviews/{assessment_id}", N_("Your scores have been submitted."))


@post("/reviews/{assessment_id:int}/panel", guards=members_only)
async def panel_save(request: Request, assessment_id: FromPath[int]) -> Template | Redirect:
    user = request.scope["user"]
    review = await reviews.get_review(user, assessment_id)
    chosen = (await request.form()).getall("members", [])
    try:
        member_ids = [int(m) for m in chosen]
        await reviews.set_panel(user, review, member_ids)
    except ValueError:
        raise NotFound(_("Page not found.")) from None
    except FormErrors as error:
        return await _page(request, review, 400, errors=error.errors)
    return redirect(f"/reviews/{assessment_id}", N_("The panel has been saved."))


@post("/reviews/{assessment_id:int}/consensus", guards=members_only)
async def consensus_save(request: Request, assessment_id: FromPath[int]) -> Template | Redirect:
    user = request.scope["user"]
    review = await reviews.get_review(user, assessment_id)
    form = await text_fields(request)
    try:
        await reviews.save_consensus(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    return redirect(f"/reviews/{assessment_id}", N_("The consensus scores have been saved."))


@post("/reviews/{assessment_id:int}/publish", guards=members_only)
async def rating_publish(request: Request, assessment_id: FromPath[int]) -> Template | Redirect:
    user = request.scope["user"]
    review = await reviews.get_review(user, assessment_id)
    try:
        await reviews.publish(user, review)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return await _page(request, review, 400, errors={"publish": error.message})
    return redirect(f"/reviews/{assessment_id}", N_("The rating has been published."))


@post("/reviews/{assessment_id:int}/return", guards=members_only)
async def return_save(request: Request, assessment_id: FromPath[int]) -> Template | Redirect:
    """The chair returns the assessment for revision of the indicators named."""
    user = request.scope["user"]
    review = await reviews.get_review(user, assessment_id)
    form_data = await request.form()
    form: dict = {**await text_fields(request), "reopen": form_data.getall("reopen", [])}
    try:
        await reviews.return_for_revision(user, review, form)
    except FormErrors as error:
        return await _page(request, review, 400, form, error.errors)
    return redirect(
        f"/reviews/{assessment_id}", N_("The assessment has been returned to the agency.")
    )


@post("/cycles/{cycle_id:int}/chair", guards=[role_required(Role.admin)])
async def chair_save(request: Request, cycle_id: FromPath[int]) -> Redirect:
    """An admin names the committee member who chairs the cycle's reviews."""
    text = (await text_fields(request)).get("chair", "")
    members = {m["id"] for m in await reviews.committee_members()}
    if not text.isdigit() or int(text) not in members:
        raise NotFound(_("Page not found."))
    await reviews.set_chair(request.scope["user"], cycle_id, int(text))
    return redirect(f"/cycles/{cycle_id}", N_("The chair has been saved."))


ROUTES = [
    review_page,
    scores_save,
    panel_save,
    consensus_save,
    rating_publish,
    return_save,
    chair_save,
]
