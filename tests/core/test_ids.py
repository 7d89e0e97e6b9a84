"""Numbers that name no record - past the largest id there can be, or written with digits
that int() refuses ("²") - get the same 4xx as any unknown record, never a server error
(each database refuses numbers past its integer in a query)."""

from __future__ import annotations

import pytest

from tests.conftest import post_form, sign_in

PAST_POSTGRES = str(2**31)  # one past PostgreSQL's integer
PAST_SQLITE = "9" * 20  # past SQLite's too
RECORD_PAGES = [
    "/cases/{}",
    "/assessments/{}/sections/1",
    "/alerts?before={}",
    "/admin/outbox?before={}",
    "/agencies/{}",
    "/agency/complaints/{}",
    "/cycles/{}",
    "/admin/users/{}",
]


@pytest.mark.parametrize("number", [PAST_POSTGRES, PAST_SQLITE])
@pytest.mark.parametrize("role", ["officer", "agency", "admin"])
async def test_an_id_past_any_record_is_refused_not_an_error(client, make_user, role, number):
    await sign_in(client, await make_user(role))
    for page in RECORD_PAGES:
        response = await client.get(page.format(number))
        assert 400 <= response.status_code < 500, (page, response.status_code)
        assert "Traceback" not in response.text


@pytest.mark.parametrize("number", ["²", "٣", PAST_POSTGRES, PAST_SQLITE])
async def test_odd_numbers_in_filters_and_forms_are_no_choice(client, make_user, number):
    await sign_in(client, await make_user("officer"))
    queue = await client.get("/cases", params={"agency": number})
    assert queue.status_code == 200
    page = await client.get("/cases", params={"after": f"2026-11-30T00:00:00+00:00_{number}"})
    assert page.status_code == 200
    search = await post_form(client, "/cases/search", {"q": "Sok", "after": number})
    assert search.status_code == 200
    filed = await post_form(client, "/complaints/new", {"agency_id": number})
    assert filed.status_code == 400  # the form again, with its messages


@pytest.mark.parametrize("number", [PAST_POSTGRES, PAST_SQLITE])
async def test_a_forged_case_cookie_with_an_odd_id_opens_nothing(client, number):
    client.cookies.set("portal_case", f"{number}.9999999999.forged", path="/my-case")
    response = await client.get("/my-case")
    assert 300 <= response.status_code < 500
    assert "/my-case" not in response.headers.get("location", "")
