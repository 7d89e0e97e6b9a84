"""Values the checklist pages refuse with the form's or the file's error, never a 500 nor
a quiet cut: scores and maximum scores of 5,000 digits, a checklist file nested 5,000
levels deep or carrying a control character, codes and titles longer than a checklist
keeps, bands with impossible numbers, panel members no database can hold."""

from __future__ import annotations

import html

import pytest

from portal.checklists import checklist_versions
from portal.checklists.tables import (
    AssessmentCycle,
    ChecklistTemplate,
    ConsensusScore,
    MemberScore,
    PanelMember,
    ReturnedIndicator,
    Section,
)
from tests.checklists.conftest import CHECKLIST
from tests.checklists.test_reviews import _both_members_submit, _panel, _submitted
from tests.checklists.test_templates import SMALL, _upload
from tests.conftest import post_form, sign_in

HUGE = "9" * 5000  # int() refuses more than 4,300 digits


async def test_a_score_of_5000_digits_is_refused_beside_it(client, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await sign_in(client, review["union"])
    indicator = review["codes"]["1.1"]
    response = await post_form(
        client, f"/reviews/{review['id']}/scores", {f"score-{indicator}": HUGE}
    )
    assert response.status_code == 400
    assert "Choose a score from 0 to 2." in response.text
    assert await MemberScore.count() == 0


async def _scored_before_the_chair(client, make_agency, make_user) -> dict:
    """A review both members scored, `client` signed in as its chair."""
    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await _both_members_submit(client, review)
    await sign_in(client, review["chair"])
    return review


async def test_a_consensus_of_5000_digits_is_refused_beside_it(client, make_agency, make_user):
    review = await _scored_before_the_chair(client, make_agency, make_user)
    indicator = review["codes"]["1.1"]
    sent = {f"consensus-{indicator}": HUGE}
    response = await post_form(client, f"/reviews/{review['id']}/consensus", sent)
    assert response.status_code == 400
    assert "Choose a score from 0 to 2." in response.text
    assert await ConsensusScore.count() == 0


@pytest.mark.parametrize("member", ["99999999999", HUGE, "²", "-1"])
async def test_a_panel_member_no_database_holds_is_not_found(
    client, make_agency, make_user, member
):
    review = await _submitted(make_agency, make_user)
    await sign_in(client, review["chair"])
    response = await post_form(
        client, f"/reviews/{review['id']}/panel", {"members": [str(review["union"].id), member]}
    )
    assert response.status_code == 404
    assert await PanelMember.count() == 0


async def test_the_reason_to_return_an_indicator_is_refused_when_too_long(
    client, make_agency, make_user
):
    review = await _scored_before_the_chair(client, make_agency, make_user)
    indicator = review["codes"]["1.1"]
    sent = {"reopen": [str(indicator)], f"why-{indicator}": "x" * 2001}
    response = await post_form(client, f"/reviews/{review['id']}/return", sent)
    assert response.status_code == 400
    assert "Use at most 2000 characters." in response.text
    assert await ReturnedIndicator.count() == 0  # not kept cut to 2,000


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SMALL.replace("max_score: 2", f"max_score: {HUGE}"), "a whole number from 1 to 10"),
        (SMALL.replace("max_score: 2", "max_score: ²"), "a whole number from 1 to 10"),
        ("format: 1\ntitle: " + "[" * 5000 + "]" * 5000, "nests lists or values too deeply"),
        (SMALL.replace('"Fees"', '"Fe\\0es"'), "invisible control character"),
        (SMALL.replace('code: "1.1"', f'code: "{"1" * 21}"'), "at most 20 characters"),
        (SMALL.replace('en: "Test checklist"', f'en: "{"T" * 301}"'), "at most 300 characters"),
    ],
)
async def test_a_checklist_file_is_refused_with_the_reason(client, as_role, broken, message):
    await as_role("admin")
    response = await _upload(client, broken)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert await ChecklistTemplate.count() == 0


async def _draft_section() -> tuple[int, int]:
    template = await checklist_versions.import_template(None, CHECKLIST.encode())
    section = await Section.select(Section.id).where(Section.template == template.id).first()
    return template.id, section["id"]


async def test_a_maximum_score_of_5000_digits_is_refused_beside_it(client, as_role):
    await as_role("admin")
    template_id, section_id = await _draft_section()
    sent = {"code": "1.9", "text_en": "Fees are refunded.", "max_score": HUGE}
    url = f"/admin/checklists/{template_id}/sections/{section_id}/indicators/new"
    response = await post_form(client, url, sent)
    assert response.status_code == 400
    assert "Enter a whole number from 1 to 10." in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "1" * 21, "Use at most 20 characters."),
        ("title_en", "T" * 301, "Use at most 300 characters."),
        ("title_en", "Fees\x00", "This text contains an invisible control character."),
    ],
)
async def test_an_article_is_refused_when_a_text_is_too_long(
    client, as_role, field, value, message
):
    await as_role("admin")
    template_id, section_id = await _draft_section()
    sent = {"code": "1", "title_en": "Fees", field: value}
    response = await post_form(
        client, f"/admin/checklists/{template_id}/sections/{section_id}", sent
    )
    assert response.status_code == 400
    assert message in response.text
    assert (await Section.select(Section.code).where(Section.id == section_id).first()) == {
        "code": "1"
    }


@pytest.mark.parametrize(
    "bands",
    [f"{'9' * 4400} A Top\n0 B Rest", "90 TOOLONG Top\n0 B Rest", f"90 A {'x' * 101}\n0 B Rest"],
)
async def test_bands_a_rating_cannot_keep_are_refused(client, as_role, make_agency, bands):
    await as_role("admin")
    template = await checklist_versions.import_template(None, CHECKLIST.encode())
    await checklist_versions.publish(None, template.id)
    sent = {
        "title_en": "Pilot 2027",
        "template": str(template.id),
        "opens_on": "2027-01-01",
        "submission_deadline": "2027-02-01",
        "review_deadline": "2027-03-01",
        "participants": "chosen",
        "agencies": [str((await make_agency()).id)],
        "bands": bands,
    }
    response = await post_form(client, "/admin/cycles/new", sent)
    assert response.status_code == 400
    assert "Line 1: write each band as a lowest percentage" in response.text
    assert await AssessmentCycle.count() == 0
