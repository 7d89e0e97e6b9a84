"""HTTP as clients expect it: HEAD wherever GET answers, and one 404 page for a page that
does not exist and a page the user may not see, so that nothing tells them apart."""

from __future__ import annotations

from litestar.routes import HTTPRoute


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
