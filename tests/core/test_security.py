"""CSRF on every state-changing route, security headers on every page, no inline script,
friendly error pages without stack traces."""

from __future__ import annotations

import re

import pytest
from litestar import get

from tests.conftest import csrf_token, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app, methods):
    """(method, path) for every route handler of the app that answers one of `methods`."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods & methods:
                found.append((method, route.path))
    return found


def _fill(path: str, ids: dict[str, int]) -> str:
    # The token is checked before anything else, so any id serves where none is given.
    return re.sub(r"\{(\w+):\w+\}", lambda m: str(ids.get(m.group(1), 1)), path)


async def test_every_state_changing_route_refuses_a_request_without_a_valid_token(
    app, client, as_role, make_user, make_agency
):
    admin = await as_role("admin")
    target = await make_user("officer")
    ids = {"user_id": target.id, "agency_id": (await make_agency()).id}
    routes = _routes(app, UNSAFE)
    assert ("POST", "/login") in routes and len(routes) >= 5
    for method, path in routes:
        url = _fill(path, ids)
        missing = await client.request(method, url, data={"email": admin.email})
        forged = await client.request(
            method, url, data={"_csrf_token": "forged" * 20}, headers={"x-csrftoken": "x" * 80}
        )
        for response in (missing, forged):
            assert response.status_code == 403, (method, path, response.status_code)
            assert "This form has expired" in response.text
    # Nothing changed: the target account is still active and the admin still signed in.
    page = await client.get(f"/admin/users/{target.id}")
    assert page.status_code == 200 and "Deactivate account" in page.text


async def test_htmx_requests_may_send_the_token_as_a_header(client, as_role, make_user):
    await as_role("admin")
    target = await make_user("officer")
    response = await client.post(
        f"/admin/users/{target.id}/deactivate",
        headers={"x-csrftoken": await csrf_token(client), "hx-request": "true"},
    )
    assert response.status_code == 303


async def test_login_form_needs_the_token_too(client, make_user):
    user = await make_user("officer")
    response = await client.post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 403


async def _get_pages(app, client):
    pages = {}
    for _, path in _routes(app, {"GET"}):
        if "{" in path:
            continue
        pages[path] = await client.get(path)
    pages["/no-such-page"] = await client.get("/no-such-page")
    return pages


@pytest.mark.parametrize("role", [None, "admin", "officer"])
async def test_every_page_carries_the_security_headers(app, client, as_role, role):
    if role:
        await as_role(role)
    pages = await _get_pages(app, client)
    for path, response in pages.items():
        if path.startswith("/static"):
            continue
        headers = response.headers
        csp = headers["content-security-policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        if role and "text/html" in headers["content-type"]:
            assert headers["cache-control"] == "no-store", path


async def test_pages_have_no_inline_script_or_event_handlers(app, client, as_role):
    await as_role("admin")
    pages = await _get_pages(app, client)
    for path, response in pages.items():
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        html = response.text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", html), path


async def test_an_unexpected_error_shows_a_plain_page_without_a_stack_trace(app, client):
    @get("/test-explode")
    async def explode() -> str:
        raise RuntimeError("secret detail from deep inside")

    app.register(explode)
    response = await client.get("/test-explode")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


async def test_unknown_page_and_pages_of_another_role_answer_the_same_404(client, as_role):
    await as_role("agency")
    unknown = await client.get("/admin/nothing-here")
    admin_page = await client.get("/admin/users")
    assert unknown.status_code == admin_page.status_code == 404
    assert "Page not found." in admin_page.text


async def test_admin_asking_for_a_missing_user_gets_404(client, as_role):
    await as_role("admin")
    assert (await client.get("/admin/users/999999")).status_code == 404


async def test_healthz_reports_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = await make_user("officer")
    response = await sign_in(client, user)
    cookie = response.headers["set-cookie"].lower()
    assert "portal_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_behind_https_cookies_are_secure_and_hsts_is_sent(make_user, settings, monkeypatch):
    import dataclasses

    import httpx

    from portal import flash
    from portal.accounts import routes
    from portal.app import create_app

    https = dataclasses.replace(settings, base_url="https://portal.example.org")
    for module in (routes, flash):
        monkeypatch.setattr(module, "get_settings", lambda: https)
    transport = httpx.ASGITransport(app=create_app(https), client=("192.0.2.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as client:
        response = await sign_in(client, await make_user("officer"))
        session_cookie = response.headers["set-cookie"].lower()
        assert "portal_session=" in session_cookie and "secure" in session_cookie
        page = await client.get("/account/password")
        assert page.headers["strict-transport-security"].startswith("max-age=")
