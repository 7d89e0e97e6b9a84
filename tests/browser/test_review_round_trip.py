"""In Chromium, with JavaScript on and off: the chair returns an assessment before agreeing
every indicator, the agency revises and resubmits, the panel scores what is left, the chair
agrees the consensus and decides the rating, and the agency accepts it: only then does the
public registry show it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from portal import clock
from portal.checklists.tables import AssessmentCycle, Evidence
from tests.browser.conftest import both_ways
from tests.browser.test_committee_review import _as, _score, _submitted
from tests.checklists.conftest import PDF

pytestmark = pytest.mark.browser


@both_ways
async def test_return_revise_consensus_publish(page, make_agency, make_user, tmp_path):
    review = await _submitted(make_agency, make_user)
    await AssessmentCycle.update({AssessmentCycle.reply_days: 10}).where(AssessmentCycle.id > 0)
    codes, url = review["codes"], f"/reviews/{review['id']}"
    # The first submission carried the fee ledger that 1.1 requires.
    await Evidence.insert(
        Evidence(
            assessment=review["id"],
            indicator=codes["1.1"],
            stored_name="0" * 32 + ".pdf",
            filename="ledger.pdf",
            content_type="application/pdf",
            size=len(PDF),
            uploaded_at=clock.now(),
        )
    )

    await _as(page, review["chair"])
    await page.goto(url)
    await page.get_by_label("Dara Union").check()
    await page.get_by_label("Vanna CSO").check()
    await page.get_by_role("button", name="Save the panel").click()
    await _as(page, review["union"])
    await _score(page, review, {"1.1": "1", "1.2": "na", "2.1": "1"})
    await _as(page, review["cso"])
    await _score(page, review, {"1.1": "1", "1.2": "na", "2.1": "1"})

    # The chair agrees 1.1 only, then returns 2.1: the agency's page, not "Page not found".
    await _as(page, review["chair"])
    await page.goto(url)
    await page.locator(f"#f-consensus-{codes['1.2']}").select_option("")
    await page.locator(f"#f-consensus-{codes['2.1']}").select_option("")
    await page.get_by_role("button", name="Save the consensus scores").click()
    await expect(page.get_by_text("Consensus recorded for 1 of 3 indicators.")).to_be_visible()
    await page.locator(f"input[name=reopen][value='{codes['2.1']}']").check()
    await page.locator(f"#f-why-{codes['2.1']}").fill("Show the passport register.")
    await page.get_by_role("button", name="Return to the agency").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "The assessment has been returned to the agency."
    )
    await expect(page.get_by_text("Page not found")).to_have_count(0)
    await expect(page.locator("#timeline")).to_contain_text("Returned for revision")

    # The agency revises 2.1 with the register attached, and submits again.
    await _as(page, review["staff"])
    await page.goto(f"/assessments/{review['id']}")
    await expect(page.locator("#returned")).to_contain_text("Show the passport register.")
    await page.locator("#returned").get_by_role("link", name="2.1").click()
    await page.locator(f"input[name='answer-{codes['2.1']}'][value='met']").check()
    await page.wait_for_load_state("networkidle")  # with JavaScript, the change saves itself
    register = tmp_path / "register.pdf"
    register.write_bytes(PDF)
    await page.locator(f"#f-evidence-{codes['2.1']}").set_input_files(str(register))
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.get_by_role("link", name="register.pdf").first).to_be_visible()
    await page.goto(f"/assessments/{review['id']}")
    await page.get_by_role("button", name="Submit the self-assessment").click()
    await expect(page.get_by_role("status")).to_contain_text("submitted to the committee")

    # Round 2: 1.2 (never agreed) and 2.1 (revised) are scored and agreed.
    for member in (review["union"], review["cso"]):
        await _as(page, member)
        await _score(page, review, {"1.2": "na", "2.1": "2"})
    await _as(page, review["chair"])
    await page.goto(url)
    await page.get_by_role("button", name="Save the consensus scores").click()
    await expect(page.get_by_text("Consensus recorded for 3 of 3 indicators.")).to_be_visible()
    await page.get_by_role("button", name="Publish the rating").click()
    await expect(page.get_by_role("status")).to_contain_text("The rating is decided.")

    # Held back until the agency replies (or its window closes).
    await page.context.clear_cookies()
    await page.goto("/agencies?q=Sunrise")
    await expect(page.locator("tr", has_text="Sunrise Manpower")).not_to_contain_text(
        re.compile("compliant", re.IGNORECASE)
    )
    await _as(page, review["staff"])
    await page.goto(f"/assessments/{review['id']}/feedback")
    await page.get_by_role("button", name="Accept the rating").click()
    await expect(page.get_by_role("status")).to_contain_text("You have accepted the rating.")
    await page.context.clear_cookies()
    await page.goto("/agencies?q=Sunrise")
    # 1 (1.1) + 2 (2.1) of the 4 points that apply: 75%, band B.
    await expect(page.locator("tr", has_text="Sunrise Manpower")).to_contain_text(
        "Largely compliant"
    )
