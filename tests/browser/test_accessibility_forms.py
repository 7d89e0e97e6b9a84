"""A complaint form that comes back on a phone: the error summary at the top takes the
focus and leads to each field; the files attached stay attached (held on the server), with
JavaScript on and off; "Add another worker" takes the focus to the new worker and says so."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from portal.complaints.tables import CaseFile
from tests.browser.conftest import both_ways
from tests.browser.test_complaint_filing import fill_complaint, in_language
from tests.checklists.conftest import PDF

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


async def filled_in_form(page, make_agency, request) -> None:
    """The complaint form on a phone, filled in with one worker and a contract attached."""
    await page.set_viewport_size(PHONE)
    agency = await make_agency(name_en="Mekong Star Recruitment", name_km="មេគង្គស្តារ")
    await page.goto("/complaints/new?lang=en")
    javascript = request.node.callspec.params["page"] == "js"
    await fill_complaint(page, in_language("en"), agency, "en", javascript)


@both_ways
async def test_a_form_with_errors_keeps_its_files_and_leads_to_each_error(
    page, make_agency, request
):
    await filled_in_form(page, make_agency, request)
    await page.get_by_label("Tell us what happened", exact=True).fill("")
    await page.get_by_role("button", name="Send the complaint").last.click()

    summary = page.locator(".error-summary")
    await expect(summary).to_be_focused()
    await expect(summary.get_by_role("link")).to_have_count(1)
    await summary.get_by_role("link", name="Tell us what happened.").click()
    description = page.get_by_label("Tell us what happened", exact=True)
    await expect(description).to_be_focused()
    await expect(description).to_have_attribute("aria-invalid", "true")
    await expect(description).to_have_accessible_description(
        "When and where, who was involved, what you were promised and what happened instead."
        " Tell us what happened."
    )
    # The contract is still attached: listed, not asked for again.
    await expect(page.locator(".held-files li")).to_contain_text("contract.pdf")

    await description.fill("They kept his passport.")
    await page.get_by_role("button", name="Send the complaint").last.click()
    await expect(page.locator("#receipt-reference")).to_be_visible()
    assert [f["filename"] for f in await CaseFile.select(CaseFile.filename)] == ["contract.pdf"]


@both_ways
async def test_add_another_worker_keeps_the_files_and_takes_the_focus_to_the_new_worker(
    page, make_agency, request
):
    await filled_in_form(page, make_agency, request)
    await page.get_by_role("button", name="Add another worker").click()

    second = page.locator("#f-worker-1-name")
    await expect(second).to_be_focused()
    await expect(page.locator("#workers-news")).to_have_text("Worker 2 added.")
    await expect(page.locator("#workers-news")).to_have_attribute("aria-live", "polite")
    if (
        request.node.callspec.params["page"] == "no-js"
    ):  # the page came back: the file is held on the server
        await expect(page.locator(".held-files li")).to_contain_text("contract.pdf")
    await second.fill("Sok Dara")
    await page.get_by_label("Sex", exact=True).nth(1).select_option("woman")
    await page.get_by_label("Age", exact=True).nth(1).select_option("25_34")
    await page.get_by_label("Has a disability", exact=True).nth(1).select_option("no")
    await page.get_by_role("button", name="Send the complaint").last.click()
    await expect(page.locator("#receipt-reference")).to_be_visible()
    assert await CaseFile.count() == 1


async def test_a_held_file_can_be_removed(page):
    await page.goto("/complaints/new?lang=en")
    await page.get_by_label("Attach files", exact=True).set_input_files(
        files=[{"name": "wrong.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.get_by_role("button", name="Send the complaint").last.click()
    await expect(page.locator(".held-files li")).to_contain_text("wrong.pdf")
    await page.get_by_role("button", name="Remove wrong.pdf").click()
    await expect(page.locator(".held-files")).to_have_count(0)
