"""Admins open cycles; the committee follows submissions and answers questions that can be
published as guidance for every agency in the cycle; answers stay tied to their version."""

from __future__ import annotations

from datetime import date

from portal.checklists import checklist_versions
from portal.checklists.tables import Assessment, AssessmentCycle, Indicator
from tests.checklists.conftest import CHECKLIST, indicators
from tests.conftest import post_form, sign_in


async def _published_template() -> int:
    template = await checklist_versions.import_template(None, CHECKLIST.encode())
    await checklist_versions.publish(None, template.id)
    return template.id


async def test_an_admin_opens_a_cycle_for_chosen_agencies(client, as_role, make_agency):
    await as_role("admin")
    template_id = await _published_template()
    chosen = await make_agency(name_en="Angkor Manpower")
    await make_agency()  # not chosen
    response = await post_form(
        client,
        "/admin/cycles/new",
        {
            "title_en": "Pilot 2026",
            "template": str(template_id),
            "opens_on": "2026-12-01",
            "submission_deadline": "2027-01-31",
            "review_deadline": "2027-03-31",
            "participants": "chosen",
            "agencies": [str(chosen.id)],
        },
    )
    assert response.status_code == 303
    cycle = await AssessmentCycle.objects().first()
    assert cycle.submission_deadline == date(2027, 1, 31)
    rows = await Assessment.select(Assessment.agency)
    assert rows == [{"agency": chosen.id}]
    page = await client.get(response.headers["location"])
    assert "Angkor Manpower" in page.text and "0/3" in page.text


async def test_a_cycle_form_with_mistakes_comes_back_filled_in(client, as_role, make_agency):
    await as_role("admin")
    template_id = await _published_template()
    agency = await make_agency()
    response = await post_form(
        client,
        "/admin/cycles/new",
        {
            "title_en": "Pilot 2026",
            "template": str(template_id),
            "opens_on": "2026-12-01",
            "submission_deadline": "2026-11-01",
            "review_deadline": "next year",
            "participants": "chosen",
            "agencies": [str(agency.id)],
            "bands": "90 A Excellent\nfifty B Oops\n0 C Needs work",
        },
    )
    assert response.status_code == 400  # every mistake at once, each beside its field
    assert "The submission deadline comes after the opening date." in response.text
    assert "Enter a date like 2026-12-31." in response.text
    assert "Line 2: write each band" in response.text
    assert 'value="Pilot 2026"' in response.text and 'value="next year"' in response.text
    assert f'name="agencies" value="{agency.id}" checked' in response.text
    assert await AssessmentCycle.count() == 0 and await Assessment.count() == 0


async def test_only_a_published_version_can_be_used(client, as_role, make_agency):
    await as_role("admin")
    draft = await checklist_versions.import_template(None, CHECKLIST.encode())
    await make_agency()
    response = await post_form(
        client,
        "/admin/cycles/new",
        {
            "title_en": "Pilot",
            "template": str(draft.id),
            "opens_on": "2026-12-01",
            "submission_deadline": "2026-12-31",
            "review_deadline": "2027-01-31",
            "participants": "all",
        },
    )
    assert response.status_code == 400
    assert "Choose a published checklist version." in response.text


async def test_a_published_answer_becomes_guidance_for_every_agency_in_the_cycle(
    client, open_cycle, make_agency, make_user
):
    agency_a, agency_b = await make_agency(), await make_agency()
    cycle, [assessment_a, assessment_b] = await open_cycle(agency_a, agency_b)
    i11 = (await indicators(cycle.template))["1.1"]
    user_a, user_b = (
        await make_user("agency", agency=agency_a.id),
        await make_user("agency", agency=agency_b.id),
    )
    member = await make_user("committee")

    await sign_in(client, user_a)
    asked = await post_form(
        client,
        f"/assessments/{assessment_a['id']}/indicators/{i11['id']}/questions",
        {f"question-{i11['id']}": "Does a medical check paid by the worker count as a fee?"},
    )
    assert asked.status_code == 303
    client.cookies.clear()

    await sign_in(client, member)
    waiting = await client.get("/committee/questions")
    assert "Does a medical check paid by the worker count as a fee?" in waiting.text
    clarification_id = int(waiting.text.split('action="/committee/questions/')[1].split('"')[0])
    await post_form(
        client,
        f"/committee/questions/{clarification_id}",
        {f"answer-{clarification_id}": "Yes: any cost the worker pays is a fee."},
    )
    client.cookies.clear()

    section = f"/sections/{i11['section']}"
    await sign_in(client, user_b)
    page_b = await client.get(f"/assessments/{assessment_b['id']}{section}")
    assert "any cost the worker pays" not in page_b.text  # answered, not yet published
    client.cookies.clear()

    await sign_in(client, member)
    await post_form(
        client,
        f"/committee/questions/{clarification_id}",
        {f"answer-{clarification_id}": "Yes: any cost the worker pays is a fee.", "publish": "yes"},
    )
    client.cookies.clear()

    await sign_in(client, user_b)
    page_b = await client.get(f"/assessments/{assessment_b['id']}{section}")
    assert "Guidance from the committee:" in page_b.text
    assert "any cost the worker pays" in page_b.text
    client.cookies.clear()
    await sign_in(client, user_a)
    page_a = await client.get(f"/assessments/{assessment_a['id']}{section}")
    assert "Question from your agency:" in page_a.text


async def test_an_empty_question_is_refused_beside_its_field(
    client, open_cycle, make_agency, as_role
):
    agency = await make_agency()
    cycle, [assessment] = await open_cycle(agency)
    await as_role("agency", agency=agency.id)
    i11 = (await indicators(cycle.template))["1.1"]
    response = await post_form(
        client,
        f"/assessments/{assessment['id']}/indicators/{i11['id']}/questions",
        {f"question-{i11['id']}": "   "},
    )
    assert response.status_code == 400
    assert "Write your question." in response.text


async def test_old_answers_keep_the_wording_of_their_version(
    client, open_cycle, make_agency, make_user
):
    agency = await make_agency()
    cycle, [assessment] = await open_cycle(agency)
    i11 = (await indicators(cycle.template))["1.1"]
    agency_user = await make_user("agency", agency=agency.id)
    await sign_in(client, agency_user)
    await post_form(
        client,
        f"/assessments/{assessment['id']}/sections/{i11['section']}",
        {f"answer-{i11['id']}": "met"},
    )
    client.cookies.clear()

    # The admin starts version 2 and rewords the indicator in the browser.
    await sign_in(client, await make_user("admin"))
    started = await post_form(client, f"/admin/checklists/{cycle.template}/new-version")
    draft_id = int(started.headers["location"].rsplit("/", 1)[1])
    new_i11 = (
        await Indicator.objects()
        .where(Indicator.template == draft_id)
        .where(Indicator.code == "1.1")
        .first()
    )
    edited = await post_form(
        client,
        f"/admin/checklists/{draft_id}/indicators/{new_i11.id}",
        {
            "code": "1.1",
            "text_en": "No worker pays any fee or cost for recruitment.",
            "text_km": "គ្មានពលករណាម្នាក់បង់ថ្លៃ ឬចំណាយលើការជ្រើសរើសទេ។",
            "max_score": "2",
            "evidence_required": "yes",
        },
    )
    assert edited.status_code == 303
    await post_form(client, f"/admin/checklists/{draft_id}/publish")
    client.cookies.clear()

    await sign_in(client, agency_user)
    page = await client.get(f"/assessments/{assessment['id']}/sections/{i11['section']}")
    assert "No worker pays a recruitment fee." in page.text
    assert "any fee or cost" not in page.text
    assert f'name="answer-{i11["id"]}" value="met" checked' in page.text


async def test_a_published_version_cannot_be_edited_and_a_draft_keeps_bad_input(client, as_role):
    await as_role("admin")
    template_id = await _published_template()
    i11 = (await indicators(template_id))["1.1"]
    refused = await post_form(
        client,
        f"/admin/checklists/{template_id}/indicators/{i11['id']}",
        {"code": "1.1", "text_en": "Changed", "max_score": "2"},
    )
    assert refused.status_code == 400
    assert "This version is published and cannot change." in refused.text
    assert (await Indicator.objects().get(Indicator.id == i11["id"])).text_en != "Changed"

    started = await post_form(client, f"/admin/checklists/{template_id}/new-version")
    draft_id = int(started.headers["location"].rsplit("/", 1)[1])
    draft = await indicators(draft_id)
    bad = await post_form(
        client,
        f"/admin/checklists/{draft_id}/sections/{draft['1.1']['section']}/indicators/new",
        {"code": "1.2", "text_en": "Workers get a copy of the contract", "max_score": "two"},
    )
    assert bad.status_code == 400
    assert "Another indicator of this version has this code." in bad.text
    assert "Enter a whole number from 1 to 10." in bad.text
    assert "Workers get a copy of the contract" in bad.text
    added = await post_form(
        client,
        f"/admin/checklists/{draft_id}/sections/{draft['1.1']['section']}/indicators/new",
        {"code": "1.3", "text_en": "Workers get a copy of the contract", "max_score": "2"},
    )
    assert added.status_code == 303
    assert "1.3" in await indicators(draft_id)
    assert "1.3" not in await indicators(template_id)
