"""An agency fills its self-assessment in Khmer: one article through the browser (answers,
explanations, an evidence PDF), leaves and comes back to find it saved, asks what an
indicator means, completes the checklist and submits; then the answers are read-only.
With JavaScript each field is saved by htmx when it changes; without, by the Save button."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.async_api import expect

from portal.i18n import current_language, gettext
from tests.browser.conftest import both_ways
from tests.checklists.conftest import open_cycle_for
from tests.conftest import PASSWORD
from tests.files import pdf_document

pytestmark = pytest.mark.browser

PDF = pdf_document("Human resources policy")
EXPLANATIONS = {
    0: "ភ្នាក់ងាររបស់យើងគោរពច្បាប់ការងារ និងអនុក្រឹត្យលេខ ១៩០។",
    1: "We keep a register of every law that applies, updated each quarter.",
    2: "យើងមិនទាន់មានការបណ្តុះបណ្តាលបុគ្គលិកនៅឡើយទេ។",
    3: "Our director checks each contract before it is signed.",
}
LABELS = {"met": "Met", "not_met": "Not met"}
QUESTION = "តើសូចនាករនេះមានន័យយ៉ាងណា? What does this indicator mean?"


def km(message: str) -> str:
    """What the portal shows for `message` in Khmer (the same catalog the server uses)."""
    token = current_language.set("km")
    try:
        return gettext(message)
    finally:
        current_language.reset(token)


async def _open_sample_cycle(make_user: Any, make_agency: Any) -> tuple[Any, dict, dict]:
    """An agency user, and its assessment in a cycle (open since yesterday) on the sample
    COC checklist (12 articles, 50 indicators); the checklist's structure."""
    from portal.checklists import checklist_versions
    from portal.demo import SAMPLE_CHECKLIST

    agency = await make_agency(name_en="Angkor Manpower", name_km="អង្គរ ម៉ែនផៅវ័រ")
    user = await make_user("agency", agency=agency.id)
    cycle, [assessment] = await open_cycle_for(agency, checklist=SAMPLE_CHECKLIST.read_bytes())
    return user, assessment, await checklist_versions.structure(cycle.template)


async def _fill_the_other_articles(user: Any, assessment_id: int, checklist: dict) -> None:
    """What the agency would type in the other eleven articles, saved by the services on
    the live server's database (50 indicators through the browser would be slow)."""
    from portal.accounts.services import CurrentUser
    from portal.checklists import answers, assessments
    from portal.uploads import Upload

    agent = CurrentUser(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        role="agency",
        agency_id=user.agency,
        organisation_id=None,
        constituency=None,
        language="km",
        must_change_password=False,
        session_id=0,
    )
    assessment = await assessments.get_assessment(agent, assessment_id)
    for section in checklist["sections"][1:]:
        await answers.save_answers(
            agent,
            assessment,
            {
                i["id"]: answers.AnswerInput(
                    choice="met",
                    explanation=f"Written in our HR policy, section {i['code']}.",
                    files=[Upload(f"policy-{i['code']}.pdf", io.BytesIO(PDF))]
                    if i["evidence_required"]
                    else [],
                )
                for i in section["indicators"]
            },
        )


async def _sign_in_in_khmer(page: Any, user: Any) -> None:
    await page.get_by_label(km("E-mail address")).fill(user.email)
    await page.get_by_label(km("Password")).fill(PASSWORD)
    await page.get_by_role("button", name=km("Sign in")).click()
    await page.wait_for_load_state()


def _choice(indicator: dict) -> str:
    # "Met" or "partly met" needs evidence where the indicator requires it; the browser
    # attaches one file (to the first indicator), so the others with that rule are "not met".
    return "not_met" if indicator["evidence_required"] else "met"


def _autosave(response: Any) -> bool:
    """htmx's request that saves one indicator."""
    return response.request.method == "POST" and "/indicators/" in response.url


@both_ways
async def test_an_agency_fills_an_article_in_khmer_comes_back_asks_and_submits(
    page, make_user, make_agency, tmp_path, request
):
    javascript = request.node.callspec.params["page"] == "js"
    user, assessment, checklist = await _open_sample_cycle(make_user, make_agency)
    article = checklist["sections"][0]
    indicators = article["indicators"]
    first = indicators[0]
    assert first["evidence_required"]  # the PDF below is what completes it
    article_url = f"/assessments/{assessment['id']}/sections/{article['id']}"
    pdf = tmp_path / "hr-policy.pdf"
    pdf.write_bytes(PDF)

    await page.goto("/login?lang=km")
    await expect(page.locator("html")).to_have_attribute("lang", "km")
    await _sign_in_in_khmer(page, user)
    await page.goto(article_url)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(article["title_km"])

    # --- fill the article: an answer and an explanation each, a PDF for the first ------
    for n, indicator in enumerate(indicators):
        box = page.locator(f"#indicator-{indicator['id']}")
        choice = "met" if n == 0 else _choice(indicator)
        radio = box.get_by_role("radio", name=km(LABELS[choice]), exact=True)
        explanation = box.get_by_label(km("Explanation: how does your agency do this?"))
        if javascript:
            async with page.expect_response(_autosave):
                await radio.check()
            await explanation.fill(EXPLANATIONS[n])
            async with page.expect_response(_autosave):
                await explanation.blur()  # a textarea's "change" fires when it loses focus
            await expect(box.locator(".indicator-status")).to_contain_text(km("Saved"))
        else:
            await radio.check()
            await explanation.fill(EXPLANATIONS[n])
    first_box = page.locator(f"#indicator-{first['id']}")
    await first_box.get_by_label(
        km("Add evidence files (PDF, JPEG or PNG, up to 10 MB each)")
    ).set_input_files(str(pdf))
    if javascript:
        # htmx sent the file on its own: it is listed without pressing Save.
        await expect(first_box.get_by_role("link", name="hr-policy.pdf")).to_be_visible()
        await expect(first_box.locator(".indicator-status")).to_contain_text(km("Complete"))
        await page.reload()  # nothing was pressed: a reload shows what the server has
    else:
        await page.get_by_role("button", name=km("Save"), exact=True).click()
        await expect(page.locator(".messages")).to_contain_text(km("Your answers have been saved."))
    await expect(page.locator("#progress-bar")).to_have_attribute("value", str(len(indicators)))

    # --- leave: another page, sign out, sign in again, come back -------------------------
    await page.goto("/assessments")
    await page.get_by_role("button", name=km("Sign out")).click()
    await page.goto("/login")
    await expect(page.locator("html")).to_have_attribute("lang", "km")  # remembered
    await _sign_in_in_khmer(page, user)
    await page.goto(article_url)
    for n, indicator in enumerate(indicators):
        box = page.locator(f"#indicator-{indicator['id']}")
        choice = "met" if n == 0 else _choice(indicator)
        await expect(box.locator(f'input[value="{choice}"]')).to_be_checked()
        await expect(
            box.get_by_label(km("Explanation: how does your agency do this?"))
        ).to_have_value(EXPLANATIONS[n])
        await expect(box.locator(".indicator-status")).to_contain_text(km("Complete"))
    await expect(first_box.get_by_role("link", name="hr-policy.pdf")).to_be_visible()

    # --- ask what an indicator means ----------------------------------------------------
    await first_box.get_by_text(km("What does this indicator mean? Ask the committee")).click()
    await first_box.get_by_label(km("Your question")).fill(QUESTION)
    await first_box.get_by_role("button", name=km("Send the question")).click()
    await expect(page.locator(".messages")).to_contain_text(
        km(
            "Your question has been sent to the committee. The answer will show under the indicator."
        )
    )
    asked = page.locator(f"#indicator-{first['id']} .question")
    await expect(asked).to_contain_text(QUESTION)
    await expect(asked).to_contain_text(km("Waiting for the committee's answer."))

    # --- the rest of the checklist, then submit ------------------------------------------
    await _fill_the_other_articles(user, assessment["id"], checklist)
    await page.goto(f"/assessments/{assessment['id']}")
    await expect(page.locator("#progress-bar")).to_have_attribute("value", "50")
    await page.get_by_role("button", name=km("Submit the self-assessment")).click()
    await expect(page.locator(".messages")).to_contain_text(
        km("Your self-assessment has been submitted to the committee.")
    )

    # --- after submitting the answers can be read, not changed ---------------------------
    await page.goto(article_url)
    await expect(
        page.get_by_text(
            km(
                "This self-assessment has been submitted. The answers can be read but no longer changed."
            )
        )
    ).to_be_visible()
    await expect(page.get_by_role("radio")).to_have_count(0)
    await expect(page.get_by_role("textbox")).to_have_count(0)
    await expect(page.get_by_role("button", name=km("Save"), exact=True)).to_have_count(0)
    await expect(first_box).to_contain_text(km("Met"))
    await expect(first_box).to_contain_text(EXPLANATIONS[0])
    await expect(first_box.get_by_role("link", name="hr-policy.pdf")).to_be_visible()
