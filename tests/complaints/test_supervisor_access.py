"""Supervisors are alerted to sensitive cases to assign them, and may open them: the
queue shows a supervisor the row's details as it shows them to the assigned officer.
Nothing else widens: other officers still see the row masked and get the 404, and a
search by name still finds a sensitive case only for its assigned officer and admins."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import post_form, sign_in

NAME = "Bopha Consentname"
# actor → (queue row shows the details and the case page opens, a name search finds it)
EXPECTED = {
    "officer": (False, False),
    "provincial officer": (False, False),
    "supervisor": (True, False),
    "assigned officer": (True, True),
    "admin": (True, True),
}


@pytest.fixture
async def world(make_complaint, make_user) -> dict[str, Any]:
    users = {
        "officer": await make_user("officer"),
        "provincial officer": await make_user("provincial_officer", provinces="Kandal"),
        "supervisor": await make_user("officer", is_supervisor=True),
        "assigned officer": await make_user("officer"),
        "admin": await make_user("admin"),
    }
    case = await make_complaint(
        status="investigation",
        is_sensitive=True,
        assigned_officer=users["assigned officer"].id,
        province="Kandal",
        reference="C26-SUPER234",
        complainant_name=NAME,
    )
    return {"users": users, "case": case}


@pytest.mark.parametrize("actor", list(EXPECTED))
async def test_who_reads_a_sensitive_row_and_case(client, world, actor):
    details, found = EXPECTED[actor]
    await sign_in(client, world["users"][actor])
    queue = (await client.get("/cases")).text
    assert "C26-SUPER234" in queue  # every case handler sees the row itself
    assert (NAME in queue) == details
    assert ("Details shown only to the assigned officer" in queue) == (not details)
    page = await client.get(f"/cases/{world['case'].id}")
    assert page.status_code == (200 if details else 404)
    search = await post_form(client, "/cases/search", {"q": "Consentname"})
    assert ("C26-SUPER234" in search.text) == found
