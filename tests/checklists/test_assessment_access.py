"""Agency A can never read or change agency B's self-assessment, answers, evidence or
questions: every route, every method, htmx fragments and downloads answer the same 404.
The public sees none of it; the committee reads only what has been submitted."""

from __future__ import annotations

import re

import pytest

from portal.checklists import assessment_routes
from portal.checklists.tables import Answer, Assessment, Clarification, Evidence
from tests.checklists.conftest import PDF, indicators
from tests.conftest import csrf_token, post_form, sign_in
from tests.files import pdf_text

ASSESSMENT_ROUTES = [
    (method, route.path)
    for route in assessment_routes.assessment_pages.routes
    for method in route.methods & {"GET", "POST"}  # not Litestar's own OPTIONS
    if route.path.startswith("/assessments/{")
]


def _url(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+):int\}", lambda m: str(ids[m.group(1)]), path)


@pytest.fixture
async def agency_a_assessment(client, open_cycle, make_agency, make_user):
    """Agency A has answered and attached a file; returns the ids the routes take."""
    agency_a, agency_b = await make_agency(), await make_agency()
    cycle, [assessment_a, _] = await open_cycle(agency_a, agency_b)
    user_a = await make_user("agency", agency=agency_a.id)
    i11 = (await indicators(cycle.template))["1.1"]
    await sign_in(client, user_a)
    saved = await post_form(
        client,
        f"/assessments/{assessment_a['id']}/sections/{i11['section']}",
        {f"answer-{i11['id']}": "met", f"explanation-{i11['id']}": "Agency A writes this"},
        files={f"evidence-{i11['id']}": ("a-ledger.pdf", PDF, "application/pdf")},
    )
    assert saved.status_code == 303
    await post_form(
        client,
        f"/assessments/{assessment_a['id']}/indicators/{i11['id']}/questions",
        {f"question-{i11['id']}": "What counts as a fee?"},
    )
    client.cookies.clear()
    evidence = await Evidence.objects().first()
    return {
        "assessment_id": assessment_a["id"],
        "section_id": i11["section"],
        "indicator_id": i11["id"],
        "evidence_id": evidence.id,
        "agency_b": agency_b.id,
    }


async def _state() -> tuple:
    answers = await Answer.select(Answer.choice, Answer.explanation)
    return (
        answers,
        await Evidence.count(),
        await Clarification.count(),
        await Assessment.select(Assessment.status),
    )


async def _try_everything(client, ids) -> list[tuple[str, str, int]]:
    results = []
    token = await csrf_token(client)
    for method, path in ASSESSMENT_ROUTES:
        url = _url(path, ids)
        for headers in ({}, {"hx-request": "true"}):
            if method == "GET":
                response = await client.get(url, headers=headers)
            else:
                response = await client.post(
                    url,
                    data={
                        "_csrf_token": token,
                        f"answer-{ids['indicator_id']}": "not_met",
                        f"explanation-{ids['indicator_id']}": "overwritten",
                        f"question-{ids['indicator_id']}": "sneaky",
                    },
                    headers={**headers, "x-csrftoken": token},
                )
            results.append((method, url, response.status_code))
    return results


async def test_every_route_covers_the_assessment(agency_a_assessment):
    paths = {path for _, path in ASSESSMENT_ROUTES}
    assert len(paths) >= 7, paths  # overview, section, save, htmx save, file, delete, ask, submit


async def test_another_agency_gets_the_same_404_everywhere(client, agency_a_assessment, make_user):
    before = await _state()
    await sign_in(client, await make_user("agency", agency=agency_a_assessment["agency_b"]))
    results = await _try_everything(client, agency_a_assessment)
    assert {status for _, _, status in results} == {404}, results
    assert await _state() == before


@pytest.mark.parametrize("role", ["officer", "partner", "committee", "admin"])
async def test_other_roles_see_nothing_of_an_assessment_in_progress(
    client, agency_a_assessment, make_user, role
):
    before = await _state()
    await sign_in(client, await make_user(role))
    results = await _try_everything(client, agency_a_assessment)
    assert {status for _, _, status in results} == {404}, results
    assert await _state() == before


async def test_the_public_is_sent_to_sign_in_and_sees_nothing(client, agency_a_assessment):
    results = await _try_everything(client, agency_a_assessment)
    statuses = {status for method, _, status in results if method == "GET"}
    assert statuses == {303}
    page = await client.get(_url("/assessments/{assessment_id:int}", agency_a_assessment))
    assert "Agency A writes this" not in page.text
    assert page.headers["location"].startswith("/login")


async def test_the_committee_reads_a_submitted_assessment_but_cannot_change_it(
    client, agency_a_assessment, make_user
):
    await Assessment.update({Assessment.status: "submitted"}).where(
        Assessment.id == agency_a_assessment["assessment_id"]
    )
    before = await _state()
    await sign_in(client, await make_user("committee"))
    section = await client.get(
        _url("/assessments/{assessment_id:int}/sections/{section_id:int}", agency_a_assessment)
    )
    assert section.status_code == 200
    assert "Agency A writes this" in section.text and "a-ledger.pdf" in section.text
    download = await client.get(
        _url("/assessments/{assessment_id:int}/evidence/{evidence_id:int}", agency_a_assessment)
    )
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)
    results = await _try_everything(client, agency_a_assessment)
    assert {s for m, _, s in results if m == "POST"} == {404}, results
    assert await _state() == before
