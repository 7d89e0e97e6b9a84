"""HTTP as clients expect it: HEAD wherever GET answers, and one 404 page for a page that
does not exist and a page the user may not see, so that nothing tells them apart."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from portal.accounts.tables import LoginSession
from tests.conftest import post_form


async def test_head_answers_like_get_without_a_body(client):
    page = await client.get("/")
    head = await client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"]
    assert (await client.head("/cases")).headers["location"].startswith("/login")


def test_every_get_route_answers_head(app):
    routes = [r for r in app.routes if isinstance(r, HTTPRoute) and "GET" in r.methods]
    assert len(routes) > 50
    assert [r.path for r in routes if "HEAD" not in r.methods] == []


def _kind(response, path: str) -> tuple:
    """What tells one answer from another, but the address asked for."""
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    if "set-cookie" in headers:  # a new CSRF token each time: the cookie's name counts
        headers["set-cookie"] = headers["set-cookie"].split("=")[0]
    body = CSRF.sub("token", response.text.replace(path, "PATH"))
    return response.status_code, headers, body


CSRF = re.compile(r"[0-9a-f]{128}")


async def test_a_staff_page_and_a_missing_page_give_the_same_404(client, as_role):
    await as_role("officer")
    gzip = {"accept-encoding": "gzip"}
    for staff, missing in [
        ("/admin/users", "/admin/no-such-page"),
        ("/admin/users/1", "/admin/users/not-a-number"),
        ("/audit", "/no-such-page"),
    ]:
        guarded = await client.get(staff, headers=gzip)
        unknown = await client.get(missing, headers=gzip)
        assert guarded.status_code == 404
        assert _kind(guarded, staff) == _kind(unknown, missing)
        assert guarded.headers["content-encoding"] == "gzip"
        assert f'href="{missing}?lang=km"' in unknown.text  # the address asked for

    # A browser without its CSRF cookie gets one from either.
    client.cookies.delete("portal_csrf")
    guarded = await client.get("/admin/users")
    client.cookies.delete("portal_csrf")
    unknown = await client.get("/admin/no-such-page")
    assert _kind(guarded, "/admin/users") == _kind(unknown, "/admin/no-such-page")
    assert "portal_csrf=" in unknown.headers["set-cookie"]

    # A route for another method, and posts with and without the form's token.
    only_post = "/admin/users/1/deactivate"
    assert _kind(await client.get(only_post), only_post) == _kind(
        await client.get("/admin/users/1/nothing"), "/admin/users/1/nothing"
    )
    for path in ("/admin/users/new", "/admin/no-such-form"):
        assert (await client.post(path, data={"x": "1"})).status_code == 403
        assert (await post_form(client, path, {"x": "1"})).status_code == 404


async def test_sign_out_works_on_the_404_page(client, as_role):
    await as_role("officer")
    page = await client.get("/no-such-page")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303
    assert await LoginSession.count() == 0
