"""Pages fit a small phone screen: nothing makes the whole page scroll sideways."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


async def page_width(page) -> int:
    return await page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("language", ["en", "km"])
async def test_login_and_users_pages_fit_a_360px_screen(new_page, make_user, language):
    admin = await make_user("admin", full_name="Chanthavy Sovannarith Phalla")
    # Long names and addresses are what push a table wider than the screen.
    for n in range(3):
        await make_user("partner", email=f"very.long.address.number.{n}@migrant-centre.example.org")
    page = await new_page(viewport=PHONE)

    await page.goto(f"/admin/users?lang={language}")
    assert await page.get_attribute("html", "lang") == language
    assert await page_width(page) <= PHONE["width"], "login page scrolls sideways"

    # The labels are in `language` here, so the fields are found by name.
    await page.locator("input[name=email]").fill(admin.email)
    await page.locator("input[name=password]").fill(PASSWORD)
    await page.locator("form[action='/login'] button[type=submit]").click()
    await page.wait_for_url("**/admin/users")
    assert await page.locator("tbody tr").count() == 4
    assert await page_width(page) <= PHONE["width"], "users page scrolls sideways"
