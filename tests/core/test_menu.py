"""The main menu: every link in it opens a page, for every role and for a visitor."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.core.roles import Role

MENU = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')


async def menu_links(client: Any) -> list[tuple[str, str]]:
    home = await client.get("/")
    assert home.status_code == 200
    menu = MENU.search(home.text)
    assert menu, "the home page has no main menu"
    return LINK.findall(menu.group(0))


@pytest.mark.parametrize("role", [None, *(role.value for role in Role)])
async def test_every_menu_link_opens_a_page(client: Any, as_role: Any, role: str | None) -> None:
    if role:
        await as_role(role)
    links = await menu_links(client)
    assert links
    broken = [
        (path, label, r.status_code)
        for path, label in links
        if (r := await client.get(path)).status_code != 200
    ]
    assert broken == []
    labels = [label for _, label in links]
    assert len(labels) == len(set(labels)), f"one label twice in the menu: {labels}"


async def test_agency_and_partner_staff_reach_their_complaints_from_the_menu(
    client: Any, as_role: Any, client_at: Any, make_user: Any
) -> None:
    from tests.conftest import sign_in

    await as_role("agency")
    assert ("/agency/complaints", "Complaints") in await menu_links(client)
    partner = await client_at("198.51.100.9")
    await sign_in(partner, await make_user("partner"))
    assert ("/partner/complaints", "Complaints") in await menu_links(partner)
