"""An officer on a phone works the queue and a case, with and without JavaScript: the
filters narrow the list, the case page fits the screen, and acknowledging is a plain
form that works either way."""

from __future__ import annotations

import pytest

from tests.browser.conftest import both_ways, sign_in
from tests.complaints import conftest as complaint_fixtures

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
make_complaint = complaint_fixtures.make_complaint  # the complaint factory, here too


@both_ways
async def test_an_officer_filters_the_queue_and_acknowledges_a_case(
    page, make_user, make_agency, make_complaint
):
    officer = await make_user("officer")
    agency = await make_agency(name_en="Angkor Overseas Manpower Recruitment Company Limited")
    kampot = await make_complaint(
        agency=agency.id, province="Kampot", complainant_name="Sreyneang Chanthavy Sovann"
    )
    takeo = await make_complaint(province="Takeo")
    await page.set_viewport_size(PHONE)
    await page.goto("/cases")
    await sign_in(page, officer)
    await page.goto("/cases")
    results = page.locator("#queue-results tbody")
    await page.get_by_text(takeo.reference).wait_for()

    await page.get_by_text("Filters", exact=True).click()  # folded away on a phone
    await page.get_by_label("Province").select_option("Kampot")
    if not await page.evaluate("typeof htmx !== 'undefined'"):
        await page.get_by_role("button", name="Show").click()
    await results.get_by_text(takeo.reference).wait_for(state="detached")
    assert await results.get_by_text(kampot.reference).count() == 1
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    await results.get_by_role("link", name=kampot.reference).click()
    await page.wait_for_url(f"**/cases/{kampot.id}")
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await page.get_by_label("Acknowledgement to the complainant (optional)").fill(
        "We received your complaint and will call you."
    )
    await page.get_by_role("button", name="Acknowledge", exact=True).click()
    await page.get_by_text("The complaint has been acknowledged.").wait_for()
    assert await page.get_by_text("We received your complaint and will call you.").count() == 1
