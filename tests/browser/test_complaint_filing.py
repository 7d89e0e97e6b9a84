"""A worker's family files a complaint from a phone, in Khmer or English, with JavaScript
on or off; keeps the receipt; checks the case with it; an officer acknowledges it and the
complainant sees the change. Script typed into the form never runs."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from portal import clock
from portal.complaints import services
from portal.complaints.states import Status
from portal.complaints.tables import Complaint, ComplaintWorker
from tests.browser.conftest import both_ways, sign_in
from tests.browser.test_language import khmer
from tests.checklists.conftest import PDF

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def in_language(language: str):
    def t(message: str) -> str:
        if language == "en":
            return message
        translated = khmer(message)
        assert translated, f"no Khmer for {message!r}"
        return translated

    return t


def shown_name(agency, language: str) -> str:
    """How the agency appears in the list to choose from, in the page's language."""
    name = agency.name_km if language == "km" else agency.name_en
    return f"{name} ({agency.licence_number})"


async def fill_complaint(page, t, agency, language: str, javascript: bool) -> None:
    query = page.get_by_label(t("Agency name or licence number"), exact=True)
    if javascript:
        # Suggestions as you type; picking one chooses the agency.
        await query.press_sequentially(agency.name_km[:4], delay=20)
        choice = page.get_by_label(shown_name(agency, language))
        await choice.check()
    else:
        await query.fill(agency.name_km)
    await page.get_by_label(t("A family member"), exact=True).check()
    await page.get_by_label(t("Your name (optional)"), exact=True).fill("Sok Dara")
    await page.get_by_label(t("Name (optional)"), exact=True).first.fill("Sok Vannak")
    await page.get_by_label(t("Sex"), exact=True).first.select_option("man")
    await page.get_by_label(t("Age"), exact=True).first.select_option("25_34")
    await page.get_by_label(t("Has a disability"), exact=True).first.select_option("no")
    await page.get_by_label(t("Country of work"), exact=True).select_option("TH")
    await page.get_by_label(t("Kind of work"), exact=True).select_option("construction")
    await page.get_by_label(t("Identity documents kept by someone else"), exact=True).check()
    await page.get_by_label(t("Tell us what happened"), exact=True).fill("They kept his passport.")
    await page.get_by_label(t("Amount claimed (optional)"), exact=True).fill("800")
    await page.get_by_label(t("Contact me"), exact=True).select_option("phone")
    await page.get_by_label(t("Phone number"), exact=True).fill("012 345 678")
    await page.get_by_label(t("Attach files"), exact=True).set_input_files(
        files=[{"name": "contract.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )


@both_ways
@pytest.mark.parametrize("language", ["en", "km"])
async def test_file_a_complaint_then_follow_it_with_the_receipt(
    page, language, make_agency, make_user, request
):
    t = in_language(language)
    js_on = request.node.callspec.params["page"] == "js"
    await page.set_viewport_size(PHONE)
    agency = await make_agency(name_en="Mekong Star Recruitment", name_km="មេគង្គស្តារ")
    await make_agency(name_en="Angkor Manpower", name_km="អង្គរ")

    await page.goto(f"/?lang={language}")
    await page.get_by_role("link", name=t("File a complaint")).click()
    await expect(page.locator("html")).to_have_attribute("lang", language)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the form scrolls sideways on a phone"
    await fill_complaint(page, t, agency, language, javascript=js_on)

    # A group complaint: one more worker, everything typed so far kept.
    await page.get_by_role("button", name=t("Add another worker")).click()
    await expect(page.get_by_label(t("Tell us what happened"), exact=True)).to_have_value(
        "They kept his passport."
    )
    await page.get_by_label(t("Sex"), exact=True).nth(1).select_option("woman")
    await page.get_by_label(t("Age"), exact=True).nth(1).select_option("18_24")
    await page.get_by_label(t("Has a disability"), exact=True).nth(1).select_option("not_said")
    attachments = page.get_by_label(t("Attach files"), exact=True)
    if js_on:  # htmx swapped in the worker blocks only: the chosen agency and file stay
        await expect(page.get_by_label(shown_name(agency, language))).to_be_checked()
        assert await attachments.evaluate("input => input.files.length") == 1
    else:  # the whole form came back; the file is held for it on the server, not asked again
        await expect(page.locator(".held-files li")).to_contain_text("contract.pdf")
    await page.get_by_role("button", name=t("Send the complaint"), exact=True).last.click()

    await expect(
        page.get_by_role("heading", name=t("Your complaint has been received"))
    ).to_be_visible()
    reference = (await page.locator("#receipt-reference").inner_text()).strip()
    code = (await page.locator("#receipt-code").inner_text()).strip()
    assert "receipt" not in page.url and code.replace(" ", "") not in page.url
    await expect(page.get_by_text(t("What happens next"))).to_be_visible()

    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    assert complaint["agency"] == agency.id and complaint["workers_count"] == 2
    assert await ComplaintWorker.count().where(ComplaintWorker.complaint == complaint["id"]) == 2

    await page.get_by_role("link", name=t("Check my case")).last.click()
    await page.get_by_label(t("Case reference"), exact=True).fill(reference)
    await page.get_by_label(t("Receipt code"), exact=True).fill(code)
    await page.get_by_role("button", name=t("Open my case")).click()
    await expect(page.locator("#case-status")).to_have_text(t("Received"))
    await expect(page.get_by_role("link", name="contract.pdf")).to_be_visible()

    # The officer's side is another page; here the officer acts on the same database.
    officer = await make_user("officer")
    await services.move(officer, complaint, Status.acknowledged, clock.now())
    await page.reload()
    await expect(page.locator("#case-status")).to_have_text(t("Acknowledged"))

    await page.get_by_label(t("Your message"), exact=True).fill("Thank you. He is still abroad.")
    await page.get_by_role("button", name=t("Send"), exact=True).click()
    await expect(page.get_by_text("Thank you. He is still abroad.")).to_be_visible()


async def test_script_typed_into_the_form_never_runs(page, make_agency, make_user):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    await page.goto("/complaints/new")
    await page.get_by_label("Agency name or licence number", exact=True).fill(payload)
    await page.get_by_label("Your name (optional)", exact=True).fill(payload)
    await page.get_by_label("Name (optional)", exact=True).fill(payload)
    await page.get_by_label("Tell us what happened", exact=True).fill(payload)
    await page.get_by_label("Phone number", exact=True).fill(payload)
    await page.get_by_role("button", name="Send the complaint", exact=True).last.click()
    await expect(page.locator(".field-error").first).to_be_visible()
    await expect(page.get_by_label("Tell us what happened", exact=True)).to_have_value(payload)
    await expect(page.get_by_label("Your name (optional)", exact=True)).to_have_value(payload)
    assert await page.locator("img[src=x]").count() == 0
    assert dialogs == []

    # Filed by a partner, then shown on the case page: still text.
    partner = await make_user("partner")
    await page.goto("/login")
    await sign_in(page, partner)
    await page.goto("/partner/complaints/new")
    await page.get_by_label("How the complaint reached you", exact=True).select_option("walk_in")
    await page.get_by_label("Agency name or licence number", exact=True).fill(payload)
    await page.get_by_role("button", name="Send the complaint", exact=True).last.click()
    await page.get_by_label(
        "The agency is not in the registry (unlicensed broker)", exact=True
    ).check()
    await page.get_by_label("A representative (union, MRC or NGO)", exact=True).check()
    await page.get_by_label(
        "Which union, MRC or NGO (if you are a representative)", exact=True
    ).fill(payload)
    await page.get_by_label("Sex", exact=True).select_option("woman")
    await page.get_by_label("Age", exact=True).select_option("35_44")
    await page.get_by_label("Has a disability", exact=True).select_option("yes")
    await page.get_by_label("Country of work", exact=True).select_option("MY")
    await page.get_by_label("Kind of work", exact=True).select_option("domestic_work")
    await page.get_by_label("Abuse or violence", exact=True).check()
    await page.get_by_label("Tell us what happened", exact=True).fill(payload)
    await page.get_by_label("Contact me", exact=True).select_option("partner")
    await page.get_by_label("Phone number", exact=True).fill("")
    await page.get_by_role("button", name="Send the complaint", exact=True).last.click()
    reference = (await page.locator("#receipt-reference").inner_text()).strip()
    await page.goto("/partner/complaints")
    await page.get_by_role("link", name=reference).click()
    await expect(page.get_by_text(payload).first).to_be_visible()
    assert await page.locator("img[src=x]").count() == 0
    assert dialogs == []
