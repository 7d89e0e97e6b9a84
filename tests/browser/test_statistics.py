"""The public statistics page on a small phone, in Khmer, without JavaScript."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from portal.reports import figures, periods
from tests.browser.conftest import _new_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


async def complaints_last_quarter(agency: int, channels: list[str]) -> None:
    """A complaint a day from the start of the last complete quarter, one per channel
    given, from Kandal to Thailand (written straight to the table)."""
    from portal import db

    start = figures.month_bounds(periods.last_complete_quarter().first)[0]
    rows = [
        (
            f"B{n:07d}",
            f"{n:064d}",
            "acknowledged",
            start + timedelta(days=n, hours=3),
            start + timedelta(days=n, hours=5),
            start + timedelta(days=n, hours=5),
            agency,
            "worker",
            channel,
            "phone",
            "Kandal",
            "TH",
            "construction",
            "",
        )
        for n, channel in enumerate(channels)
    ]
    await db.insert(
        "complaint",
        (
            "reference",
            "receipt_hash",
            "status",
            "received_at",
            "acknowledged_at",
            "updated_at",
            "agency",
            "filer",
            "channel",
            "contact_preference",
            "province",
            "destination",
            "sector",
            "description",
        ),
        rows,
    )


async def test_statistics_in_khmer_fit_a_phone_without_javascript(
    browser, live_server, make_agency
):
    await complaints_last_quarter((await make_agency()).id, ["web"] * 12)
    await figures.rebuild_all()
    page = await _new_page(browser, live_server, javascript=False, viewport=PHONE)
    try:
        await page.goto("/statistics?lang=km")
        assert await page.get_attribute("html", "lang") == "km"
        await page.get_by_role("heading", name="ស្ថិតិពាក្យបណ្ដឹង", exact=False).wait_for()
        assert "១២" in await page.locator("main").inner_text()  # 12, in Khmer digits
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the statistics page scrolls sideways"
        # The period chooser works without JavaScript: a plain form.
        await page.locator("select[name=period]").select_option("last12")
        await page.locator("form.filters button[type=submit]").click()
        await page.wait_for_url("**/statistics?period=last12")
        assert "១២" in await page.locator("main").inner_text()
        # The bilingual PDF downloads from the page.
        async with page.expect_download(timeout=30_000) as download:  # a PDF takes seconds
            await page.locator("a[href^='/statistics/download/pdf']").click()
        saved = await (await download.value).path()
        assert (await asyncio.to_thread(Path(saved).read_bytes)).startswith(b"%PDF-")
    finally:
        await page.context.close()
