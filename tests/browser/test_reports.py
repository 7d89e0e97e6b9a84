"""A staff report with filters combined, without JavaScript: the page says the figures
are being counted and reloads itself until they are there."""

from __future__ import annotations

import pytest

from portal.reports import figures, periods
from tests.browser.conftest import _new_page, sign_in
from tests.browser.test_statistics import complaints_last_quarter

pytestmark = pytest.mark.browser


async def test_a_combined_report_reloads_itself_until_counted(
    browser, live_server, make_agency, make_user
):
    await complaints_last_quarter((await make_agency()).id, ["hotline"] * 3 + ["web"] * 9)
    await figures.rebuild_all()
    officer = await make_user("officer")
    page = await _new_page(browser, live_server, javascript=False)
    try:
        await page.goto("/login")
        await sign_in(page, officer)
        await page.goto(f"/reports?period={periods.last_complete_quarter().key}")
        await page.get_by_label("Home province", exact=True).select_option("Kandal")
        await page.get_by_label("Intake channel", exact=True).select_option("hotline")
        await page.get_by_role("button", name="Show").click()
        await page.get_by_role("status").get_by_text("are being counted").wait_for()
        # No click: the page reloads itself (a Refresh header) until the count is done.
        summary = page.locator(".summary").get_by_text("3 complaints were received")
        await summary.wait_for(timeout=20_000)
        assert "Kandal · Hotline" in await page.locator("h1").inner_text()
    finally:
        await page.context.close()
