"""Signing in and out through the login form, as a person at the browser sees it."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.conftest import both_ways, sign_in

pytestmark = pytest.mark.browser


@both_ways
async def test_sign_in_lands_on_the_page_asked_for_and_sign_out_ends_it(page, make_user):
    admin = await make_user("admin", full_name="Sokha Chan")

    # Asking for an admin page while signed out leads to the login form...
    await page.goto("/admin/users")
    await expect(page).to_have_url(re.compile(r"/login\?next=/admin/users$"))
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    # ...and signing in there opens the page that was asked for, with the name in the header.
    await sign_in(page, admin)
    await expect(page).to_have_url(re.compile(r"/admin/users$"))
    await expect(page.get_by_role("heading", name="Users")).to_be_visible()
    await expect(page.locator(".site-header")).to_contain_text("Sokha Chan")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    await expect(page.locator(".site-header")).not_to_contain_text("Sokha Chan")

    # Signed out for real: the admin page sends us back to the login form.
    await page.goto("/admin/users")
    await expect(page).to_have_url(re.compile(r"/login\?next=/admin/users$"))


@both_ways
async def test_wrong_password_shows_the_error_by_the_form_and_keeps_the_address(page, make_user):
    officer = await make_user("officer")
    await page.goto("/login")

    await sign_in(page, officer, password="not the password")

    # The message sits in the same card as the form, where the person is looking, and
    # takes the focus so a screen reader reads it first.
    card = page.locator(".card", has=page.locator("form[action='/login']"))
    await expect(card.locator("#error-summary")).to_contain_text(
        "The e-mail address or password is not right"
    )
    await expect(card.locator("#error-summary")).to_be_focused()
    # The address is kept so only the password needs typing again; the password is not.
    await expect(page.get_by_label("E-mail address", exact=True)).to_have_value(officer.email)
    await expect(page.get_by_label("Password", exact=True)).to_have_value("")
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


async def test_pages_run_under_the_content_security_policy_without_errors(page, make_user):
    """With JavaScript on: htmx loads from our own /static/ under the strict CSP, and
    signing in and out raises no CSP violation and no JavaScript error."""
    admin = await make_user("admin")
    console_errors: list[str] = []
    page_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    # Runs before the page's own scripts (injected by the browser, outside the CSP).
    await page.context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
    )

    response = await page.goto("/admin/users")
    # A policy is in force, so "no violations" below means something.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await sign_in(page, admin)
    await expect(page.get_by_role("heading", name="Users")).to_be_visible()

    # htmx came from our own server and ran.
    assert await page.locator("script[src^='/static/'][src*='/vendor/htmx']").count() == 1
    assert await page.evaluate("typeof window.htmx") == "object"
    violations = await page.evaluate("window.__csp")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    violations += await page.evaluate("window.__csp")

    assert violations == []
    assert console_errors == []
    assert page_errors == []
