"""A partner files for a worker with the facts investigators need (the employer abroad,
the dates, the sub-agent, the worker's passport number); the officer finds them on the
case page, sees the agency was the wrong one, and corrects it with a reason."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from portal.complaints.tables import Complaint
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


async def test_a_partner_files_with_the_facts_and_an_officer_corrects_the_agency(
    new_page, make_agency, make_user
):
    wrong = await make_agency(name_en="Angkor Manpower", licence_number="ML-0101")
    right = await make_agency(name_en="Mekong Star Recruitment", licence_number="ML-0202")
    partner = await make_user("partner")
    officer = await make_user("officer")

    page = await new_page()
    await page.goto("/login")
    await sign_in(page, partner)
    await page.goto("/partner/complaints/new")
    await page.get_by_label("How the complaint reached you", exact=True).select_option("embassy")
    await page.get_by_label("Agency name or licence number", exact=True).fill("ML-0101")
    await page.get_by_label("A representative (union, MRC or NGO)", exact=True).check()
    await page.get_by_label(
        "Which union, MRC or NGO (if you are a representative)", exact=True
    ).fill("MRC Prey Veng")
    await page.get_by_label("Name (optional)", exact=True).fill("Sok Vannak")
    await page.get_by_label("ID card or passport number (optional)").fill("N0987654")
    await page.get_by_label("Sex", exact=True).select_option("man")
    await page.get_by_label("Age", exact=True).select_option("25_34")
    await page.get_by_label("Has a disability", exact=True).select_option("no")
    await page.get_by_label("Country of work", exact=True).select_option("MY")
    await page.get_by_label("Kind of work", exact=True).select_option("agriculture")
    await page.get_by_label("Unpaid or underpaid wages", exact=True).check()
    await page.get_by_label("Tell us what happened", exact=True).fill("No wages for 4 months.")
    await page.get_by_label("Employer abroad (optional)").fill("Johor Palm Holdings")
    await page.get_by_label("Employer's country (optional)").select_option("MY")
    await page.get_by_label("Employer's city (optional)").fill("Johor Bahru")
    await page.get_by_label("Date of recruitment (optional)").fill("2026-03-02")
    await page.get_by_label("Date of departure (optional)").fill("2026-04-15")
    await page.get_by_label("Sub-agent or broker who recruited the worker (optional)").fill(
        "Mr Sokha"
    )
    await page.get_by_label("Sub-agent's phone (optional)").fill("097 111 2222")
    await page.get_by_label("Sub-agent's village (optional)").fill("Prey Kabbas")
    await page.get_by_label("Contact me", exact=True).select_option("partner")
    await page.get_by_role("button", name="Send the complaint", exact=True).last.click()
    reference = (await page.locator("#receipt-reference").inner_text()).strip()
    complaint = await Complaint.objects().get(Complaint.reference == reference)
    assert complaint.agency == wrong.id and complaint.channel == "embassy"

    officer_page = await new_page()
    await officer_page.goto("/login")
    await sign_in(officer_page, officer)
    await officer_page.goto("/cases")
    await officer_page.get_by_role("link", name=reference).click()
    facts = officer_page.locator("dl.facts", has_text="Against")
    await expect(facts).to_contain_text("Angkor Manpower")
    await expect(facts).to_contain_text("Embassy or labour attaché abroad")
    await expect(facts).to_contain_text("Johor Palm Holdings · Johor Bahru · Malaysia")
    await expect(facts).to_contain_text("Mr Sokha · 097 111 2222 · Prey Kabbas")
    await expect(officer_page.locator("table.workers")).to_contain_text("N0987654")

    await officer_page.get_by_role("link", name="Correct the facts").click()
    licence = officer_page.get_by_label("Licence number of the agency in the registry")
    await expect(licence).to_have_value("ML-0101")
    await licence.fill("ML-0202")
    await officer_page.get_by_role("button", name="Save the corrections").click()
    # Without a reason the page comes back, filled in, with the message beside the field.
    await expect(officer_page.locator("#e-correction_reason")).to_have_text("Write something here.")
    await expect(licence).to_have_value("ML-0202")
    await officer_page.get_by_label("Why the facts are corrected").fill(
        "The worker's contract names Mekong Star."
    )
    await officer_page.get_by_role("button", name="Save the corrections").click()

    await expect(officer_page.get_by_text("The facts have been corrected.")).to_be_visible()
    await expect(officer_page.locator("dl.facts", has_text="Against")).to_contain_text(
        "Mekong Star Recruitment"
    )
    entry = officer_page.locator(".timeline li", has_text="Facts corrected")
    await expect(entry).to_contain_text("The worker's contract names Mekong Star.")
    await expect(entry).to_contain_text("ML-0101 → ML-0202")
    corrected = await Complaint.objects().get(Complaint.id == complaint.id)
    assert corrected.agency == right.id
