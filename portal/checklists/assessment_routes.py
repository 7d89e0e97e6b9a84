"""Self-assessment pages: agencies fill their checklist article by article, attach evidence,
ask what an indicator means and submit; admins open cycles; the committee follows the
submissions and answers questions."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, Router, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal import uploads
from portal.access import RecordId, role_required
from portal.checklists import (
    answers,
    assessments,
    clarifications,
    cycles,
    panel,
    scoring,
    timeline,
)
from portal.checklists.forms import CycleForm
from portal.checklists.tables import AnswerChoice, AssessmentStatus
from portal.core.roles import Role
from portal.errors import FormErrors
from portal.forms import form_page, read_form, read_values, submit
from portal.i18n import N_, local_name
from portal.i18n import gettext as _
from portal.templating import redirect, render
from portal.web import SignedInUser, get

# Readers look; only the agency changes its own answers (this guard adds to the Router's).
agency_only = [role_required(Role.agency)]


def _section_url(assessment_id: int, section_id: int, indicator_id: int | None = None) -> str:
    anchor = f"#indicator-{indicator_id}" if indicator_id else ""
    return f"/assessments/{assessment_id}/sections/{section_id}{anchor}"


async def _entries(request: Request, indicator_ids: list[int]) -> dict[int, answers.AnswerInput]:
    """The answer fields of these indicators, as sent (fields of others are ignored)."""
    form = await read_values(request)
    entries = {}
    for indicator_id in indicator_ids:
        files = await uploads.uploaded_files(request, f"evidence-{indicator_id}")
        sent = {f"answer-{indicator_id}", f"explanation-{indicator_id}"} & set(form.keys())
        if sent or files:
            entries[indicator_id] = answers.AnswerInput(
                choice=str(form.get(f"answer-{indicator_id}") or ""),
                explanation=str(form.get(f"explanation-{indicator_id}") or ""),
                files=files,
            )
    return entries


def _section(
    request: Request,
    assessment: dict,
    page: dict[str, Any],
    values: dict | None = None,
    errors: dict | None = None,
) -> Template:
    return form_page(
        request,
        "checklists/section.html",
        values,
        errors,
        assessment=assessment,
        answer_labels=AnswerChoice,
        statuses=AssessmentStatus,
        **page,
    )


# --- the agency's pages (read-only for the committee and admins once submitted) -------


@get("/{assessment_id:int}")
async def assessment_overview(
    request: Request, user: SignedInUser, assessment_id: RecordId
) -> Template:
    assessment = await assessments.get_assessment(user, assessment_id)
    return render(
        request,
        "checklists/assessment.html",
        assessment=assessment,
        statuses=AssessmentStatus,
        timeline=await timeline.timeline(assessment),
        **await assessments.progress(assessment),
    )


@get("/{assessment_id:int}/sections/{section_id:int}")
async def section_page(
    request: Request, user: SignedInUser, assessment_id: RecordId, section_id: RecordId
) -> Template:
    assessment = await assessments.get_assessment(user, assessment_id)
    page = await assessments.section_page(assessment, section_id)
    return _section(request, assessment, page)


@get("/{assessment_id:int}/evidence/{evidence_id:int}")
async def evidence_download(
    user: SignedInUser, assessment_id: RecordId, evidence_id: RecordId
) -> Response:
    assessment = await assessments.get_assessment(user, assessment_id)
    evidence = await assessments.evidence_file(assessment, evidence_id)
    return uploads.download(evidence["stored_name"], evidence["filename"], evidence["content_type"])


@get("/", guards=agency_only)
async def assessment_list(request: Request, user: SignedInUser) -> Template:
    return render(
        request,
        "checklists/assessments.html",
        assessments=await assessments.agency_assessments(user),
        statuses=AssessmentStatus,
    )


@post("/{assessment_id:int}/sections/{section_id:int}", guards=agency_only)
async def section_save(
    request: Request, user: SignedInUser, assessment_id: RecordId, section_id: RecordId
) -> Response:
    """The Save button: every answer of the article at once (the page without JavaScript)."""
    assessment = await assessments.get_assessment(user, assessment_id)
    page = await assessments.section_page(assessment, section_id)

    async def save() -> Redirect:
        entries = await _entries(request, [i["id"] for i in page["section"]["indicators"]])
        await answers.save_answers(user, assessment, entries)
        go_on = (await request.form()).get("then") == "next" and page["next_section"]
        target = page["next_section"]["id"] if go_on else section_id
        return redirect(_section_url(assessment_id, target), N_("Your answers have been saved."))

    return await submit(request, save, partial(_section, request, assessment, page))


@post("/{assessment_id:int}/indicators/{indicator_id:int}", guards=agency_only)
async def indicator_save(
    request: HTMXRequest, user: SignedInUser, assessment_id: RecordId, indicator_id: RecordId
) -> Template | Redirect:
    """htmx saves one indicator when a field changes; answers with the indicator's status,
    its evidence list and the progress bar."""
    assessment = await assessments.get_assessment(user, assessment_id)
    errors: dict[str, str] = {}
    try:
        await answers.save_answers(user, assessment, await _entries(request, [indicator_id]))
    except FormErrors as error:  # not submit(): htmx swaps only 2xx answers
        errors = error.errors
    section_id = await assessments.section_of(assessment, indicator_id)
    if not request.htmx:
        return redirect(_section_url(assessment_id, section_id, indicator_id))
    page = await assessments.section_page(assessment, section_id)
    item = next(i for i in page["items"] if i.indicator["id"] == indicator_id)
    return render(
        request,
        "checklists/_indicator_saved.html",
        assessment=assessment,
        item=item,
        errors=errors,
        percent=page["percent"],
        complete=page["complete"],
        total=page["total"],
    )


@post("/{assessment_id:int}/evidence/{evidence_id:int}/delete", guards=agency_only)
async def evidence_delete(
    user: SignedInUser, assessment_id: RecordId, evidence_id: RecordId
) -> Redirect:
    assessment = await assessments.get_assessment(user, assessment_id)
    indicator_id = await answers.remove_evidence(user, assessment, evidence_id)
    section_id = await assessments.section_of(assessment, indicator_id)
    return redirect(
        _section_url(assessment_id, section_id, indicator_id), N_("The file has been removed.")
    )


@post("/{assessment_id:int}/indicators/{indicator_id:int}/questions", guards=agency_only)
async def question_ask(
    request: Request, user: SignedInUser, assessment_id: RecordId, indicator_id: RecordId
) -> Response:
    assessment = await assessments.get_assessment(user, assessment_id)
    section_id = await assessments.section_of(assessment, indicator_id)

    async def save() -> Redirect:
        question = (await read_values(request)).get(f"question-{indicator_id}", "")
        await clarifications.ask(user, assessment, indicator_id, question)
        return redirect(
            _section_url(assessment_id, section_id, indicator_id),
            N_(
                "Your question has been sent to the committee. The answer will show under the indicator."
            ),
        )

    async def again(values: dict, errors: dict) -> Template:
        page = await assessments.section_page(assessment, section_id)
        return _section(request, assessment, page, values, errors)

    return await submit(request, save, again)


@post("/{assessment_id:int}/submit", guards=agency_only)
async def assessment_submit(
    request: Request, user: SignedInUser, assessment_id: RecordId
) -> Template | Redirect:
    assessment = await assessments.get_assessment(user, assessment_id)
    missing = await answers.submit(user, assessment)
    if missing:  # a button, not a form: the overview lists what is still to complete
        return render(
            request,
            "checklists/assessment.html",
            status_code=400,
            assessment=assessment,
            statuses=AssessmentStatus,
            submit_refused=True,
            timeline=await timeline.timeline(assessment),
            **await assessments.progress(assessment),
        )
    return redirect(
        f"/assessments/{assessment_id}",
        N_("Your self-assessment has been submitted to the committee."),
    )


assessment_pages = Router(
    path="/assessments",
    guards=[role_required(Role.agency, Role.committee, Role.admin)],
    route_handlers=[
        assessment_overview,
        section_page,
        evidence_download,
        assessment_list,
        section_save,
        indicator_save,
        evidence_delete,
        question_ask,
        assessment_submit,
    ],
)


# --- cycles: opened by admins, followed by the committee -------------------------------


@get("/cycles")
async def cycle_list(request: Request) -> Template:
    return render(request, "checklists/cycles.html", cycles=await cycles.list_cycles())


@get("/cycles/{cycle_id:int}")
async def cycle_page(request: Request, user: SignedInUser, cycle_id: RecordId) -> Template:
    cycle = await cycles.get_cycle(cycle_id)
    return render(
        request,
        "checklists/cycle.html",
        cycle=cycle,
        opens_assessments=user.role != Role.ministry_viewer,  # the ministry reads results only
        statuses=AssessmentStatus,
        members=[(str(m["id"]), m["full_name"]) for m in await panel.committee_members()],
        **await cycles.submissions(cycle),
    )


@get("/committee/questions")
async def question_list(request: Request, show: FromQuery[str] = "waiting") -> Template:
    return render(
        request,
        "checklists/questions.html",
        show=show,
        questions=await clarifications.for_committee(waiting_only=show != "all"),
    )


for_staff = Router(
    path="/",
    guards=[role_required(Role.committee, Role.admin)],
    route_handlers=[question_list],
)
# The cycles' results are read by the ministry too.
for_readers = Router(
    path="/",
    guards=[role_required(Role.committee, Role.admin, Role.ministry_viewer)],
    route_handlers=[cycle_list, cycle_page],
)


@post("/committee/questions/{clarification_id:int}")
async def question_answer(
    request: Request, user: SignedInUser, clarification_id: RecordId
) -> Response:
    async def save() -> Redirect:
        form = await read_values(request)
        await clarifications.reply(
            user,
            clarification_id,
            form.get(f"answer-{clarification_id}", ""),
            publish=form.get("publish") == "yes",
        )
        return redirect("/committee/questions", N_("Your answer has been saved."))

    async def again(values: dict, errors: dict) -> Template:
        questions = await clarifications.for_committee(waiting_only=False)
        return form_page(
            request,
            "checklists/questions.html",
            values,
            errors,
            show="waiting",
            questions=questions,
        )

    return await submit(request, save, again)


for_committee = Router(
    path="/", guards=[role_required(Role.committee)], route_handlers=[question_answer]
)


async def _cycle_form(request: Request, values: dict, errors: dict | None = None) -> Template:
    return form_page(
        request,
        "checklists/cycle_form.html",
        values,
        errors,
        default_bands=scoring.bands_text(scoring.DEFAULT_BANDS, translated=True),
        template_options=[
            (
                str(t["id"]),
                f"{local_name(t['title_en'], t['title_km'])} · "
                + _("version %(n)s") % {"n": t["version"]},
            )
            for t in await cycles.published_templates()
        ],
        agencies=await cycles.agencies_to_choose(),
    )


@get("/new")
async def cycle_new(request: Request) -> Template:
    return await _cycle_form(
        request, {"participants": "all", "reply_days": str(cycles.DEFAULT_REPLY_DAYS)}
    )


@post("/new")
async def cycle_create(request: Request, user: SignedInUser) -> Response:
    async def save() -> Redirect:
        published = await cycles.published_template_ids()
        form = await read_form(request, CycleForm, published=published)
        cycle = await cycles.open_cycle(user, form.new_cycle())
        return redirect(f"/cycles/{cycle.id}", N_("The assessment cycle has been opened."))

    async def again(values: dict, errors: dict) -> Template:
        ticked = CycleForm(await request.form()).agencies.data  # every box, not just one
        return await _cycle_form(request, {**values, "agencies": ticked}, errors)

    return await submit(request, save, again)


for_admins = Router(
    path="/admin/cycles",
    guards=[role_required(Role.admin)],
    route_handlers=[cycle_new, cycle_create],
)
