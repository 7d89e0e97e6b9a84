"""In Chromium: two committee members score a submitted self-assessment, the chair records
the consensus and publishes, the public registry shows the rating, and the agency reports
on an improvement action. Run with JavaScript on and off: these pages are plain forms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import expect

from portal import clock
from portal.checklists.tables import AssessmentCycle, ImprovementAction
from tests.browser.conftest import both_ways, sign_in
from tests.checklists.conftest import submitted_for_review

pytestmark = pytest.mark.browser


async def _submitted(make_agency: Any, make_user: Any) -> dict[str, Any]:
    agency = await make_agency(name_en="Sunrise Manpower", name_km="ក្រុមហ៊ុន ថ្ងៃរះ")
    chair = await make_user("committee", full_name="Chair Sokha", constituency="ministry")
    assessment_id, codes = await submitted_for_review(agency, chair)
    # Published at once: the right of reply has its own test (test_review_round_trip.py).
    await AssessmentCycle.update({AssessmentCycle.reply_days: 0}).where(AssessmentCycle.id > 0)
    return {
        "id": assessment_id,
        "agency": agency,
        "codes": codes,
        "chair": chair,
        "union": await make_user("committee", full_name="Dara Union", constituency="union"),
        "cso": await make_user("committee", full_name="Vanna CSO", constituency="civil_society"),
        "staff": await make_user("agency", agency=agency.id),
    }


async def _as(page: Any, user: Any) -> None:
    await page.context.clear_cookies()
    await page.goto("/login")
    await sign_in(page, user)


async def _score(page: Any, review: dict[str, Any], scores: dict[str, str]) -> None:
    await page.goto(f"/reviews/{review['id']}")
    for code, score in scores.items():
        await page.locator(f"#f-score-{review['codes'][code]}").select_option(score)
        await page.get_by_label("Your comment").nth(list(scores).index(code)).fill(f"Seen {code}")
    await page.get_by_role("button", name="Submit my scores").click()
    await expect(page.get_by_role("status")).to_contain_text("Your scores have been submitted.")


@both_ways
async def test_members_score_the_chair_publishes_the_agency_reports(page, make_agency, make_user):
    review = await _submitted(make_agency, make_user)
    codes = review["codes"]

    # The chair names the panel.
    await _as(page, review["chair"])
    await page.goto(f"/reviews/{review['id']}")
    await page.get_by_label("Dara Union").check()
    await page.get_by_label("Vanna CSO").check()
    await page.get_by_role("button", name="Save the panel").click()
    await expect(page.get_by_role("status")).to_contain_text("The panel has been saved.")

    # Two members score independently; the second sees the first's scores only after.
    await _as(page, review["union"])
    await _score(page, review, {"1.1": "2", "1.2": "na", "2.1": "1"})
    await _as(page, review["cso"])
    await page.goto(f"/reviews/{review['id']}")
    await expect(page.get_by_text("Seen 1.1")).to_have_count(0)
    await expect(page.locator("th", has_text="Dara Union")).to_have_count(0)
    await _score(page, review, {"1.1": "1", "1.2": "na", "2.1": "1"})
    await expect(page.locator("th", has_text="Dara Union").first).to_be_visible()
    await expect(page.get_by_text("Members disagree").first).to_be_visible()

    # The chair agrees the consensus (2 for 1.1, against the suggested 1, with a reason).
    await _as(page, review["chair"])
    await page.goto(f"/reviews/{review['id']}")
    await page.locator(f"#f-consensus-{codes['1.1']}").select_option("2")
    await page.locator(f"#f-reason-{codes['1.1']}").fill("The fee ledger shows no worker paid.")
    await page.locator(f"#f-feedback-{codes['2.1']}").fill("Keep passports with the workers.")
    await page.get_by_role("button", name="Save the consensus scores").click()
    await expect(page.get_by_text("Total: 4.5 of 6")).to_be_visible()
    await page.get_by_role("button", name="Publish the rating").click()
    await expect(page.get_by_role("status")).to_contain_text("The rating is decided.")
    await page.get_by_label("Indicator", exact=True).select_option(str(codes["2.1"]))
    await page.get_by_label("What the agency must do (English)").fill(
        "Return every passport within a week."
    )
    due = (clock.now().date() + timedelta(days=30)).isoformat()
    await page.get_by_label("Due date").fill(due)
    await page.get_by_role("button", name="Add the action").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "The improvement action has been added."
    )

    # Anyone sees the rating in the public registry.
    await page.context.clear_cookies()
    await page.goto("/agencies?q=Sunrise")
    await expect(page.locator("tr", has_text="Sunrise Manpower")).to_contain_text(
        "Largely compliant"
    )

    # The agency reads its feedback (consensus only) and reports on the action, in Khmer.
    await _as(page, review["staff"])
    await page.goto(f"/assessments/{review['id']}/feedback?lang=km")
    await expect(page.locator("html")).to_have_attribute("lang", "km")
    await expect(page.get_by_text("Keep passports with the workers.")).to_be_visible()
    await expect(page.get_by_text("Seen 1.1")).to_have_count(0)
    await page.goto(f"/assessments/{review['id']}/feedback?lang=en")
    await page.get_by_label("What has your agency done?").fill("All passports returned.")
    await page.get_by_role("button", name="Send the update").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Your update has been sent to the committee."
    )
    await expect(page.get_by_text("Done, waiting for verification")).to_be_visible()
    action = await ImprovementAction.select().first()
    assert action["status"] == "done" and action["agency_note"] == "All passports returned."
