"""Flash messages: the note a page leaves for the next one after a redirect travels in a
signed cookie; a cookie someone changed, or an old one, shows nothing."""

from __future__ import annotations

from datetime import timedelta

from portal import clock
from tests.conftest import post_form

LEFT = "You have left your case."


async def left_my_case(client):
    response = await post_form(client, "/my-case/leave")
    assert response.status_code == 303
    return client.cookies["portal_flash"]


async def test_the_message_shows_once_on_the_next_page(client):
    await left_my_case(client)
    assert LEFT in (await client.get("/")).text
    assert LEFT not in (await client.get("/")).text


async def test_a_message_shows_in_the_readers_language(client):
    await left_my_case(client)
    page = await client.get("/?lang=km")
    assert LEFT not in page.text
    assert "អ្នកបានចាកចេញពីសំណុំរឿងរបស់អ្នក" in page.text


async def test_a_tampered_flash_cookie_shows_no_message(client):
    genuine = await left_my_case(client)
    payload, rest = genuine.split(".", 1)
    changed = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    client.cookies.set("portal_flash", f"{changed}.{rest}")
    page = await client.get("/")
    assert page.status_code == 200
    assert LEFT not in page.text


async def test_an_old_flash_cookie_shows_no_message(client, monkeypatch):
    await left_my_case(client)
    later = clock.now() + timedelta(minutes=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert LEFT not in (await client.get("/")).text
