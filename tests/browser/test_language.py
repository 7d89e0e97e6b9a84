"""Switching between English and Khmer from the header."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from playwright.async_api import expect

from portal.settings import PROJECT_ROOT
from tests.browser.conftest import both_ways

pytestmark = pytest.mark.browser

BRAND = "Fair Recruitment Portal"


def khmer(message: str) -> str | None:
    """The Khmer catalog's translation of `message`, or None while it has none."""
    po_file = PROJECT_ROOT / "portal" / "locale" / "km" / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return None
    with po_file.open("rb") as fh:
        entry = read_po(fh, locale="km").get(message)
    if entry is None or not entry.string or entry.fuzzy:
        return None
    return str(entry.string)


@both_ways
async def test_khmer_is_chosen_from_the_header_remembered_and_switched_back(page):
    await page.goto("/")
    html, brand = page.locator("html"), page.locator(".site-header .brand")
    await expect(html).to_have_attribute("lang", "en")
    await expect(brand).to_have_text(BRAND)

    await page.get_by_role("link", name="ខ្មែរ", exact=True).click()
    await expect(html).to_have_attribute("lang", "km")
    khmer_brand = khmer(BRAND)
    if khmer_brand:  # the catalog may not be filled in yet; the language switch still works
        await expect(brand).to_have_text(khmer_brand)
    await expect(page.get_by_role("link", name="ខ្មែរ", exact=True)).to_have_attribute(
        "aria-current", "true"
    )

    # The choice is remembered: a later page, without ?lang=, is still in Khmer.
    await page.goto("/login")
    await expect(html).to_have_attribute("lang", "km")

    await page.get_by_role("link", name="English", exact=True).click()
    await expect(html).to_have_attribute("lang", "en")
    await expect(brand).to_have_text(BRAND)
    await page.goto("/")
    await expect(html).to_have_attribute("lang", "en")
    await expect(brand).to_have_text(BRAND)


async def test_khmer_text_is_drawn_with_the_bundled_font(page):
    # The font is named by the (hashed) stylesheet: a wrong address leaves it in "error".
    await page.goto("/?lang=km")
    await page.evaluate("document.fonts.ready")
    faces = await page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Noto Sans Khmer'))"
        ".map(f => f.weight + ' ' + f.status)"
    )
    assert "400 loaded" in faces
