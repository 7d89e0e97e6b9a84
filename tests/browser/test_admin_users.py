"""An administrator managing accounts in the browser, and the audit trail it leaves."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import both_ways, sign_in

pytestmark = pytest.mark.browser


@both_ways
async def test_admin_creates_and_deactivates_a_partner_and_the_audit_log_shows_it(page, make_user):
    admin = await make_user("admin")
    await page.goto("/admin/users/new")
    await sign_in(page, admin)
    await expect(page.get_by_role("heading", name="New account")).to_be_visible()

    await page.get_by_label("Full name").fill("Srey Mom Yin")
    await page.get_by_label("E-mail address").fill("srey.mom@mrc.example")
    await page.get_by_label("Role").select_option(label="Partner organisation staff")
    await page.get_by_label("Organisation", exact=True).fill("Banteay Meanchey MRC")
    await page.get_by_label("Temporary password").fill("temporary-pass-1")
    await page.get_by_role("button", name="Create account").click()

    # The new account's own page, with a note that it worked.
    await expect(page).to_have_url(re.compile(r"/admin/users/\d+$"))
    await expect(page.get_by_role("status")).to_contain_text("The account has been created.")
    await expect(page.get_by_role("heading", name="Srey Mom Yin")).to_be_visible()
    facts = page.locator(".facts")
    await expect(facts).to_contain_text("srey.mom@mrc.example")
    await expect(facts).to_contain_text("Partner organisation staff")
    await expect(facts).to_contain_text("Banteay Meanchey MRC")
    await expect(facts).to_contain_text("Active")

    await page.get_by_role("button", name="Deactivate account").click()
    await expect(page.get_by_role("status")).to_contain_text("The account has been deactivated.")
    await expect(facts).to_contain_text("Deactivated")
    await expect(page.get_by_role("button", name="Reactivate account")).to_be_visible()

    # Both steps are in the audit log, done by this admin. (Rows only: the filter's
    # <select> lists the same words.)
    await page.goto("/admin/audit")
    rows = page.locator("tbody tr")
    created = rows.filter(has_text="Account created")
    deactivated = rows.filter(has_text="Account deactivated")
    await expect(created).to_have_count(1)
    await expect(created).to_contain_text(admin.email)
    await expect(created).to_contain_text("srey.mom@mrc.example")
    await expect(deactivated).to_have_count(1)
    await expect(deactivated).to_contain_text(admin.email)
