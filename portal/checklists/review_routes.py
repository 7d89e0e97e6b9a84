"""Committee review pages: a member scores a submitted self-assessment; the cycle's chair
names the panel, agrees the consensus and publishes the rating; an admin names the chair."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from litestar import Request, Response, Router, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from portal import uploads
from portal.access import RecordId, record_id, role_required
from portal.accounts.services import CurrentUser
from portal.accounts.tables import Constituency
from portal.checklists import (
    assessments,
    cycle_results,
    cycles,
    improvements,
    panel,
    ratings,
    replies,
    scores,
)
from portal.checklists.forms import ActionForm
from portal.checklists.tables import ActionStatus, AnswerChoice, ReplyStatus
from portal.core.roles import Role
from portal.errors import FormErrors, NotFound
from portal.forms import form_page, read_form, read_values, submit
from portal.i18n import N_
from portal.i18n import gettext as _
from portal.templating import redirect, render
from portal.web import SignedInUser, get


async def _page(
    request: Request,
    user: CurrentUser,
    review: panel.Review,
    values: dict | None = None,
    errors: dict | None = None,
) -> Template:
    rating = await improvements.rating_of(review.assessment["id"])
    return form_page(
        request,
        "checklists/review.html",
        values,
        errors,
        review=review,
        sheet=await scores.score_sheet(user, review),
        members=await panel.committee_members() if review.can_decide else [],
        constituencies=Constituency,
        answer_labels=AnswerChoice,
        actions=await improvements.actions(review.assessment["id"]),
        action_statuses=ActionStatus,
        rating=rating,
        reply=await replies.view(rating),
        can_decide_contest=review.is_chair
        and rating is not None
        and rating["reply"] == ReplyStatus.contested,
        band_options=[
            (b.code, f"{b.code} {_(b.label)}")
            for b in scores.cycle_bands(review.assessment["bands"] or "")
        ],
    )


async def _review_form(
    request: Request,
    user: CurrentUser,
    assessment_id: int,
    save: Callable[[panel.Review], Awaitable[Redirect]],
) -> Response:
    """A form of the review page: `save(review)`, or on errors the review page again
    with them."""
    review = await panel.get_review(user, assessment_id)
    return await submit(request, partial(save, review), partial(_page, request, user, review))


@get("/{assessment_id:int}")
async def review_page(request: Request, user: SignedInUser, assessment_id: RecordId) -> Template:
    review = await panel.get_review(user, assessment_id)
    return await _page(request, user, review)


@post("/{assessment_id:int}/scores")
async def scores_save(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    """Save this member's scores; with then=submit, hand them in when complete."""

    async def save(review: panel.Review) -> Redirect:
        if review.seat is None:
            raise NotFound(_("Page not found."))
        form = await read_values(request)
        await scores.save_scores(user, review, form)
        if form.get("then") != "submit":
            return redirect(f"/reviews/{assessment_id}", N_("Your scores have been saved."))
        missing = await scores.submit_scores(user, review)
        if missing:
            message = _("Score every indicator before submitting: %(n)s still without a score.") % {
                "n": missing
            }
            raise FormErrors({"submit": message})
        return redirect(f"/reviews/{assessment_id}", N_("Your scores have been submitted."))

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/panel")
async def panel_save(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    async def save(review: panel.Review) -> Redirect:
        chosen = [record_id(str(m)) for m in (await request.form()).getall("members", [])]
        member_ids = [m for m in chosen if m is not None]
        if len(member_ids) != len(chosen):
            raise NotFound(_("Page not found."))
        await panel.set_panel(user, review, member_ids)
        return redirect(f"/reviews/{assessment_id}", N_("The panel has been saved."))

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/consensus")
async def consensus_save(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    async def save(review: panel.Review) -> Redirect:
        await scores.save_consensus(user, review, await read_values(request))
        return redirect(f"/reviews/{assessment_id}", N_("The consensus scores have been saved."))

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/publish")
async def rating_publish(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    async def save(review: panel.Review) -> Redirect:
        await ratings.publish(user, review)
        return redirect(
            f"/reviews/{assessment_id}#reply",
            N_(
                "The rating is decided. The agency may accept or contest it before it is published."
            ),
        )

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/return")
async def return_save(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    """The chair returns the assessment for revision of the indicators named."""
    review = await panel.get_review(user, assessment_id)

    async def ticked() -> list[str]:
        return [str(v) for v in (await request.form()).getall("reopen", [])]

    async def save() -> Redirect:
        form = {**await read_values(request), "reopen": await ticked()}
        await ratings.return_for_revision(user, review, form)
        # Back with the agency, it leaves the review: its own page shows what was reopened.
        return redirect(
            f"/assessments/{assessment_id}#returned",
            N_("The assessment has been returned to the agency."),
        )

    async def again(values: dict, errors: dict) -> Template:
        return await _page(request, user, review, {**values, "reopen": await ticked()}, errors)

    return await submit(request, save, again)


@post("/{assessment_id:int}/actions")
async def action_add(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    async def save(review: panel.Review) -> Redirect:
        indicators = await improvements.indicator_ids(review)
        form = await read_form(request, ActionForm, indicators=indicators)
        await improvements.add_action(user, review, form.new_action())
        return redirect(
            f"/reviews/{assessment_id}#plan", N_("The improvement action has been added.")
        )

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/actions/{action_id:int}/{decision:str}")
async def action_decide(
    request: Request,
    user: SignedInUser,
    assessment_id: RecordId,
    action_id: RecordId,
    decision: FromPath[str],
) -> Response:
    """A committee member verifies an action the agency reported done, or reopens it."""
    if decision not in ("verify", "reopen"):
        raise NotFound(_("Page not found."))

    async def save(review: panel.Review) -> Redirect:
        why = (await read_values(request)).get(f"reopen-why-{action_id}", "")
        await improvements.decide(user, review, action_id, decision == "verify", why)
        message = (
            N_("The action is verified.") if decision == "verify" else N_("The action is reopened.")
        )
        return redirect(f"/reviews/{assessment_id}#plan", message)

    return await _review_form(request, user, assessment_id, save)


@post("/{assessment_id:int}/contest")
async def contest_decide(request: Request, user: SignedInUser, assessment_id: RecordId) -> Response:
    """The chair upholds a contested rating or changes its band, with a reason."""

    async def save(review: panel.Review) -> Redirect:
        form = await read_values(request)
        await replies.decide_contest(
            user,
            review,
            form.get("outcome", ""),
            form.get("band", ""),
            form.get("decision_reason", ""),
        )
        return redirect(
            f"/reviews/{assessment_id}#reply",
            N_("Your decision has been recorded and the rating is published."),
        )

    return await _review_form(request, user, assessment_id, save)


for_members = Router(
    path="/reviews",
    guards=[role_required(Role.committee)],
    route_handlers=[
        review_page,
        scores_save,
        panel_save,
        consensus_save,
        rating_publish,
        return_save,
        action_add,
        action_decide,
        contest_decide,
    ],
)


# --- what the agency reads after its rating ---------------------------------------------


async def _feedback_page(
    request: Request, assessment: dict, values: dict | None = None, errors: dict | None = None
) -> Template:
    page = await improvements.feedback(assessment)
    return form_page(
        request,
        "checklists/feedback.html",
        values,
        errors,
        assessment=assessment,
        action_statuses=ActionStatus,
        reply=await replies.view(page["rating"]),
        **page,
    )


@get("/{assessment_id:int}/feedback")
async def feedback_page(request: Request, user: SignedInUser, assessment_id: RecordId) -> Template:
    assessment = await assessments.get_assessment(user, assessment_id)
    return await _feedback_page(request, assessment)


async def _file_download(
    user: CurrentUser,
    assessment_id: int,
    file_id: int,
    find: Callable[[int, int], Awaitable[dict]],
) -> Response:
    """A file `find` returns for an assessment this reader may open (else the 404)."""
    assessment = await assessments.get_assessment(user, assessment_id)
    found = await find(assessment["id"], file_id)
    return uploads.download(found["stored_name"], found["filename"], found["content_type"])


@get("/{assessment_id:int}/action-files/{file_id:int}")
async def action_file_download(
    user: SignedInUser, assessment_id: RecordId, file_id: RecordId
) -> Response:
    return await _file_download(user, assessment_id, file_id, improvements.action_file)


@get("/{assessment_id:int}/reply-files/{file_id:int}")
async def reply_file_download(
    user: SignedInUser, assessment_id: RecordId, file_id: RecordId
) -> Response:
    return await _file_download(user, assessment_id, file_id, replies.reply_file)


for_readers = Router(
    path="/assessments",
    guards=[role_required(Role.agency, Role.committee, Role.admin)],
    route_handlers=[feedback_page, action_file_download, reply_file_download],
)


@post("/{assessment_id:int}/actions/{action_id:int}")
async def action_update(
    request: Request, user: SignedInUser, assessment_id: RecordId, action_id: RecordId
) -> Response:
    assessment = await assessments.get_assessment(user, assessment_id)

    async def save() -> Redirect:
        note = (await read_values(request)).get(f"note-{action_id}", "")
        files = await uploads.uploaded_files(request, f"files-{action_id}")
        await improvements.update_by_agency(user, assessment, action_id, note, files)
        return redirect(
            f"/assessments/{assessment_id}/feedback#action-{action_id}",
            N_("Your update has been sent to the committee."),
        )

    return await submit(request, save, partial(_feedback_page, request, assessment))


@post("/{assessment_id:int}/reply/{answer:str}")
async def rating_reply(
    request: Request, user: SignedInUser, assessment_id: RecordId, answer: FromPath[str]
) -> Response:
    """The agency accepts its rating, or contests it with its reasons and files."""
    if answer not in ("accept", "contest"):
        raise NotFound(_("Page not found."))
    assessment = await assessments.get_assessment(user, assessment_id)

    async def save() -> Redirect:
        if answer == "accept":
            await replies.accept(user, assessment)
            return redirect(
                f"/assessments/{assessment_id}/feedback",
                N_("You have accepted the rating. It is now published."),
            )
        reason = (await read_values(request)).get("reason", "")
        files = await uploads.uploaded_files(request, "files")
        await replies.contest(user, assessment, reason, files)
        return redirect(
            f"/assessments/{assessment_id}/feedback#reply",
            N_("Your contest has been sent to the committee's chair."),
        )

    return await submit(request, save, partial(_feedback_page, request, assessment))


for_agencies = Router(
    path="/assessments",
    guards=[role_required(Role.agency)],
    route_handlers=[action_update, rating_reply],
)


# --- a cycle across the sector ------------------------------------------------------------


@get("/{cycle_id:int}/heatmap")
async def heatmap_page(
    request: Request, user: SignedInUser, cycle_id: RecordId, article: FromQuery[str] = ""
) -> Template:
    """The cycle's heatmap by article; with ?article=<id>, that article by indicator."""
    cycle = await cycles.get_cycle(cycle_id)
    if article:
        section_id = record_id(article)
        if section_id is None:
            raise NotFound(_("Page not found."))
        found = await cycle_results.article_indicators(cycle, user, section_id)
        return render(request, "checklists/heatmap_article.html", cycle=cycle, **found)
    return render(
        request, "checklists/heatmap.html", cycle=cycle, **await cycle_results.heatmap(cycle, user)
    )


@get("/{cycle_id:int}/scores.csv")
async def scores_export(user: SignedInUser, cycle_id: RecordId) -> Response:
    cycle = await cycles.get_cycle(cycle_id)
    return Response(
        await cycle_results.scores_csv(cycle, user),
        media_type="text/csv",  # Litestar adds the charset: one Content-Type
        headers={"Content-Disposition": f'attachment; filename="cycle-{cycle_id}-scores.csv"'},
    )


for_staff = Router(
    path="/cycles",
    guards=[role_required(Role.committee, Role.admin, Role.ministry_viewer)],
    route_handlers=[heatmap_page, scores_export],
)


@post("/{cycle_id:int}/chair")
async def chair_save(request: Request, user: SignedInUser, cycle_id: RecordId) -> Redirect:
    """An admin names the committee member who chairs the cycle's reviews."""
    chair = record_id(str((await request.form()).get("chair", "")))
    members = {m["id"] for m in await panel.committee_members()}
    if chair is None or chair not in members:
        raise NotFound(_("Page not found."))
    await panel.set_chair(user, cycle_id, chair)
    return redirect(f"/cycles/{cycle_id}", N_("The chair has been saved."))


for_admins = Router(path="/cycles", guards=[role_required(Role.admin)], route_handlers=[chair_save])
