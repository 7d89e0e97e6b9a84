"""Whatever a request carries, the answer is a clear 4xx, never a 500: control characters
in any field or query value (refused beside the field, or with a 400 page), a CSRF token
that is not ASCII (403), a cursor or an id out of range, a field name no form has, a
number of server processes below one."""

from __future__ import annotations

import html
import re

import pytest

from portal.agencies.tables import Agency
from portal.complaints.tables import Complaint
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint
from tests.conftest import csrf_token, post_form, sign_in
from tests.core.test_cli import portal

CONTROL = "This text contains an invisible control character. Remove it."
IN_THE_ADDRESS = "The address of this page contains an invisible control character."


def error_beside(response, field: str) -> str:
    found = re.search(rf'id="e-{re.escape(field)}">([^<]*)<', response.text)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("character", ["\x00", "\x08", "\x1b", "\x7f", "\x85"])
async def test_a_control_character_in_a_complaint_is_refused_beside_its_field(
    client, make_agency, character
):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    fields["description"] = f"They kept my passport{character} and my contract."
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    assert error_beside(response, "description") == CONTROL
    assert await Complaint.count() == 0


async def test_tabs_and_new_lines_are_kept(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    fields["description"] = "First they kept my passport.\r\n\tThen they asked for $800."
    response = await post_complaint(client, fields)
    assert response.status_code == 200
    stored = await Complaint.select(Complaint.description).first()
    assert stored["description"] == fields["description"]


@pytest.mark.parametrize(
    ("url", "fields", "field"),
    [
        ("/login", {"email": "officer\x00@test.example", "password": "x"}, "email"),
        ("/complaints/check", {"reference": "C26-\x00", "code": "12345678"}, "reference"),
    ],
)
async def test_the_public_forms_refuse_nul(client, url, fields, field):
    response = await post_form(client, url, fields)
    assert response.status_code == 400
    assert error_beside(response, field) == CONTROL


@pytest.mark.parametrize(
    "url",
    [
        "/agencies?q=Mek%00ong",
        "/agencies?province=%01",
        "/complaints/agencies?q=Mek%00ong",
        "/complaints/agencies?agency_query=%00",
        "/login?next=/cases%00",
    ],
)
async def test_a_control_character_in_a_query_value_is_a_400_page(client, make_agency, url):
    await make_agency(name_en="Mekong Manpower")
    response = await client.get(url)
    assert response.status_code == 400
    assert IN_THE_ADDRESS in response.text


async def test_a_form_read_field_by_field_refuses_nul(client, make_agency, make_user):
    from portal.checklists.tables import MemberScore
    from tests.checklists.test_reviews import _panel, _submitted

    review = await _submitted(make_agency, make_user)
    await _panel(client, review)
    await sign_in(client, review["union"])
    indicator = review["codes"]["1.1"]
    sent = {f"score-{indicator}": "2", f"comment-{indicator}": "Fee\x00 refunded"}
    response = await post_form(client, f"/reviews/{review['id']}/scores", sent)
    assert response.status_code == 400
    assert 'class="field has-error"' in response.text and CONTROL in response.text
    assert await MemberScore.count() == 0


@pytest.mark.parametrize("where", ["field", "header", "cookie"])
async def test_a_csrf_token_that_is_not_ascii_is_refused_like_any_wrong_token(
    client, make_user, where
):
    user = await make_user("officer")
    token = await csrf_token(client)
    forged = token[:-1] + "é"  # in the part the check compares
    sent = {"email": user.email, "password": "correct horse battery"}
    if where == "field":
        response = await client.post("/login", data={"_csrf_token": forged, **sent})
    elif where == "header":
        response = await client.post("/login", data=sent, headers={"x-csrftoken": forged.encode()})
    else:
        client.cookies.clear()
        cookie = f"portal_csrf={forged}".encode()
        response = await client.post(
            "/login", data={"_csrf_token": token, **sent}, headers={"cookie": cookie}
        )
    assert response.status_code == 403
    assert "This form has expired" in response.text


@pytest.mark.parametrize("name", ["worker-²-name", "worker-١-name", f"worker-{'9' * 5000}-name"])
async def test_a_field_name_no_form_has_is_ignored(client, make_agency, name):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    fields[name] = "Sok Vannak"
    response = await client.post(
        "/complaints/new", data={"_csrf_token": await csrf_token(client), **fields}
    )
    assert response.status_code == 200  # filed, with the one worker the form named
    assert await Complaint.select(Complaint.workers_count).first() == {"workers_count": 1}


async def test_the_registry_search_page_still_works_with_any_printable_text(client, make_agency):
    await make_agency(name_en="Mekong Manpower")
    for text in ("Mek", "ភ្នាក់ងារ", "😀", "'; DROP TABLE agency; --", "x" * 2000):
        response = await client.get("/agencies", params={"q": text})
        assert response.status_code == 200
    assert await Agency.count() == 1


@pytest.mark.parametrize("workers", ["0", "-3", "two", "1.5", "9" * 5000])
def test_a_bogus_number_of_server_processes_is_refused_not_taken_as_one(workers):
    result = portal("serve", "--workers", workers)
    assert result.returncode == 2
    assert "--workers: expected a whole number from 1 to 1000" in result.stderr
