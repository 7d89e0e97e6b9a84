"""Self-assessment pages: agencies fill their checklist article by article, attach evidence,
ask what an indicator means and submit; admins open cycles; the committee follows the
submissions and answers questions."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from portal import uploads
from portal.access import RecordId, role_required
from portal.accounts.tables import Role
from portal.checklists import assessments, clarifications, cycles, panel, scoring
from portal.checklists.tables import AnswerChoice, AssessmentStatus
from portal.errors import FormErrors
from portal.i18n import N_, local_name
from portal.i18n import gettext as _
from portal.templating import redirect, render
from portal.web import text_fields

readers = [role_required(Role.agency, Role.committee, Role.admin)]
agency_only = [role_required(Role.agency)]
staff = [role_required(Role.committee, Role.admin)]


def _section_url(assessment_id: int, section_id: int, indicator_id: int | None = None) -> str:
    anchor = f"#indicator-{indicator_id}" if indicator_id else ""
    return f"/assessments/{assessment_id}/sections/{section_id}{anchor}"


async def _entries(
    request: Request, indicator_ids: list[int]
) -> dict[int, assessments.AnswerInput]:
    """The answer fields of these indicators, as sent (fields of others are ignored)."""
    form = await request.form()
    entries = {}
    for indicator_id in indicator_ids:
        files = await uploads.uploaded_files(request, f"evidence-{indicator_id}")
        sent = {f"answer-{indicator_id}", f"explanation-{indicator_id}"} & set(form.keys())
        if sent or files:
            entries[indicator_id] = assessments.AnswerInput(
                choice=str(form.get(f"answer-{indicator_id}") or ""),
                explanation=str(form.get(f"explanation-{indicator_id}") or ""),
                files=files,
            )
    return entries


def _section(
    request: Request, page: dict[str, Any], status_code: int = 200, **extra: Any
) -> Template:
    return render(
        request,
        "checklists/section.html",
        status_code=status_code,
        answer_labels=AnswerChoice,
        statuses=AssessmentStatus,
        **page,
        **extra,
    )


# --- the agency's pages (read-only for the committee and admins once submitted) -------


@get("/assessments", guards=agency_only)
async def assessment_list(request: Request) -> Template:
    return render(
        request,
        "checklists/assessments.html",
        assessments=await assessments.agency_assessments(request.scope["user"]),
        statuses=AssessmentStatus,
    )


@get("/assessments/{assessment_id:int}", guards=readers)
async def assessment_overview(request: Request, assessment_id: RecordId) -> Template:
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    return render(
        request,
        "checklists/assessment.html",
        assessment=assessment,
        statuses=AssessmentStatus,
        **await assessments.progress(assessment),
    )


@get("/assessments/{assessment_id:int}/sections/{section_id:int}", guards=readers)
async def section_page(request: Request, assessment_id: RecordId, section_id: RecordId) -> Template:
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    page = await assessments.section_page(assessment, section_id)
    return _section(request, page, assessment=assessment)


@post("/assessments/{assessment_id:int}/sections/{section_id:int}", guards=agency_only)
async def section_save(
    request: Request, assessment_id: RecordId, section_id: RecordId
) -> Template | Redirect:
    """The Save button: every answer of the article at once (the page without JavaScript)."""
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    page = await assessments.section_page(assessment, section_id)
    entries = await _entries(request, [i["id"] for i in page["section"]["indicators"]])
    try:
        await assessments.save_answers(request.scope["user"], assessment, entries)
    except FormErrors as error:
        form = await text_fields(request)
        return _section(
            request, page, status_code=400, assessment=assessment, form=form, errors=error.errors
        )
    go_on = (await request.form()).get("then") == "next" and page["next_section"]
    target = page["next_section"]["id"] if go_on else section_id
    return redirect(_section_url(assessment_id, target), N_("Your answers have been saved."))


@post("/assessments/{assessment_id:int}/indicators/{indicator_id:int}", guards=agency_only)
async def indicator_save(
    request: HTMXRequest, assessment_id: RecordId, indicator_id: RecordId
) -> Template | Redirect:
    """htmx saves one indicator when a field changes; answers with the indicator's status,
    its evidence list and the progress bar."""
    user = request.scope["user"]
    assessment = await assessments.get_assessment(user, assessment_id)
    entries = await _entries(request, [indicator_id])
    errors: dict[str, str] = {}
    try:
        await assessments.save_answers(user, assessment, entries)
    except FormErrors as error:
        errors = error.errors
    section_id = await assessments.section_of(assessment, indicator_id)
    if not request.htmx:
        return redirect(_section_url(assessment_id, section_id, indicator_id))
    page = await assessments.section_page(assessment, section_id)
    item = next(i for i in page["items"] if i["indicator"]["id"] == indicator_id)
    return render(
        request,
        "checklists/_indicator_saved.html",
        status_code=200,  # htmx swaps only 2xx answers; the errors show in the fragment
        assessment=assessment,
        item=item,
        errors=errors,
        percent=page["percent"],
        complete=page["complete"],
        total=page["total"],
    )


@get("/assessments/{assessment_id:int}/evidence/{evidence_id:int}", guards=readers)
async def evidence_download(
    request: Request, assessment_id: RecordId, evidence_id: RecordId
) -> Response:
    assessment = await assessments.get_assessment(request.scope["user"], assessment_id)
    evidence = await assessments.evidence_file(assessment, evidence_id)
    return uploads.download(evidence["stored_name"], evidence["filename"], evidence["content_type"])


@post("/assessments/{assessment_id:int}/evidence/{evidence_id:int}/delete", guards=agency_only)
async def evidence_delete(
    request: Request, assessment_id: RecordId, evidence_id: RecordId
) -> Redirect:
    user = request.scope["user"]
    assessment = await assessments.get_assessment(user, assessment_id)
    indicator_id = await assessments.remove_evidence(user, assessment, evidence_id)
    section_id = await assessments.section_of(assessment, indicator_id)
    return redirect(
        _section_url(assessment_id, section_id, indicator_id), N_("The file has been removed.")
    )


@post(
    "/assessments/{assessment_id:int}/indicators/{indicator_id:int}/questions", guards=agency_only
)
async def question_ask(
    request: Request, assessment_id: RecordId, indicator_id: RecordId
) -> Template | Redirect:
    user = request.scope["user"]
    assessment = await assessments.get_assessment(user, assessment_id)
    form = await text_fields(request)
    section_id = await assessments.section_of(assessment, indicator_id)
    try:
        await clarifications.ask(
            user, assessment, indicator_id, form.get(f"question-{indicator_id}", "")
        )
    except FormErrors as error:
        page = await assessments.section_page(assessment, section_id)
        return _section(
            request, page, status_code=400, assessment=assessment, form=form, errors=error.errors
        )
    return redirect(
        _section_url(assessment_id, section_id, indicator_id),
        N_(
            "Your question has been sent to the committee. The answer will show under the indicator."
        ),
    )


@post("/assessments/{assessment_id:int}/submit", guards=agency_only)
async def assessment_submit(request: Request, assessment_id: RecordId) -> Template | Redirect:
    user = request.scope["user"]
    assessment = await assessments.get_assessment(user, assessment_id)
    missing = await assessments.submit(user, assessment)
    if missing:
        return render(
            request,
            "checklists/assessment.html",
            status_code=400,
            assessment=assessment,
            statuses=AssessmentStatus,
            submit_refused=True,
            **await assessments.progress(assessment),
        )
    return redirect(
        f"/assessments/{assessment_id}",
        N_("Your self-assessment has been submitted to the committee."),
    )


# --- cycles: opened by admins, followed by the committee -------------------------------


@get("/cycles", guards=staff)
async def cycle_list(request: Request) -> Template:
    return render(request, "checklists/cycles.html", cycles=await cycles.list_cycles())


@get("/cycles/{cycle_id:int}", guards=staff)
async def cycle_page(request: Request, cycle_id: RecordId) -> Template:
    cycle = await cycles.get_cycle(cycle_id)
    return render(
        request,
        "checklists/cycle.html",
        cycle=cycle,
        statuses=AssessmentStatus,
        members=[(str(m["id"]), m["full_name"]) for m in await panel.committee_members()],
        **await cycles.submissions(cycle),
    )


async def _cycle_form(request: Request, form: dict, errors: dict | None = None) -> Template:
    return render(
        request,
        "checklists/cycle_form.html",
        status_code=400 if errors else 200,
        form=form,
        default_bands=scoring.bands_text(scoring.DEFAULT_BANDS),
        errors=errors or {},
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


@get("/admin/cycles/new", guards=[role_required(Role.admin)])
async def cycle_new(request: Request) -> Template:
    return await _cycle_form(request, {"participants": "all"})


@post("/admin/cycles/new", guards=[role_required(Role.admin)])
async def cycle_create(request: Request) -> Template | Redirect:
    data = await request.form()
    form = await text_fields(request)
    chosen = [str(v) for v in data.getall("agencies")] if "agencies" in data else []
    new = cycles.NewCycle(
        **{k: form.get(k, "") for k in cycles.NEW_CYCLE_TEXT_FIELDS}, agencies=chosen
    )
    try:
        cycle = await cycles.open_cycle(request.scope["user"], new)
    except FormErrors as error:
        return await _cycle_form(request, {**form, "agencies": chosen}, error.errors)
    return redirect(f"/cycles/{cycle.id}", N_("The assessment cycle has been opened."))


@get("/committee/questions", guards=staff)
async def question_list(request: Request, show: FromQuery[str] = "waiting") -> Template:
    return render(
        request,
        "checklists/questions.html",
        show=show,
        questions=await clarifications.for_committee(waiting_only=show != "all"),
    )


@post("/committee/questions/{clarification_id:int}", guards=[role_required(Role.committee)])
async def question_answer(request: Request, clarification_id: RecordId) -> Template | Redirect:
    form = await text_fields(request)
    try:
        await clarifications.reply(
            request.scope["user"],
            clarification_id,
            form.get(f"answer-{clarification_id}", ""),
            publish=form.get("publish") == "yes",
        )
    except FormErrors as error:
        return render(
            request,
            "checklists/questions.html",
            status_code=400,
            show="waiting",
            questions=await clarifications.for_committee(waiting_only=False),
            form=form,
            errors=error.errors,
        )
    return redirect("/committee/questions", N_("Your answer has been saved."))


ROUTES = [
    assessment_list,
    assessment_overview,
    section_page,
    section_save,
    indicator_save,
    evidence_download,
    evidence_delete,
    question_ask,
    assessment_submit,
    cycle_list,
    cycle_page,
    cycle_new,
    cycle_create,
    question_list,
    question_answer,
]
