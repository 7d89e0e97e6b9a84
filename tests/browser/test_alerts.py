"""An administrator sees the alert count rise when a licence nears expiry, opens the list
and marks the alert read, with and without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import expect

from portal.scheduler import scan
from tests.browser.conftest import both_ways, sign_in

pytestmark = pytest.mark.browser


@both_ways
async def test_admin_sees_the_count_rise_opens_the_list_and_marks_read(
    page, make_user, make_agency, request
):
    admin = await make_user("admin")
    await page.goto("/login")
    await sign_in(page, admin)
    count = page.locator("#alert-count")
    await expect(count).to_have_text("0")

    now = datetime.now(UTC)
    await make_agency(
        name_en="Golden Lotus Recruitment", licence_expires_on=(now + timedelta(days=25)).date()
    )
    await scan(now)  # what the scheduler does every few minutes

    await page.reload()
    await expect(count).to_have_text("1")
    await page.get_by_role("link", name="Alerts").click()
    await expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    alert = page.locator(".alert-list li")
    await expect(alert).to_contain_text("The licence of Golden Lotus Recruitment expires")
    await expect(alert).to_have_class("unread")

    await alert.get_by_role("button", name="Mark as read").click()
    await expect(count).to_have_text("0")
    await expect(alert).to_have_class("read")
    await expect(alert.get_by_role("button", name="Mark as read")).to_have_count(0)
    if request.node.callspec.params["page"] == "js":
        # htmx swapped the alert and the count in place: no page load, so no flash note.
        await expect(page.get_by_role("status")).to_have_count(0)
    else:
        await expect(page.get_by_role("status")).to_contain_text("The alert is marked as read.")
