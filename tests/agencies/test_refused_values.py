"""The admin's registry refuses what it cannot keep as written, in the form and in a CSV
import alike: a name longer than the registry holds (a 200,000-character name reached
the public registry before), an e-mail address that is no address, a control character."""

from __future__ import annotations

import html

import pytest

from portal.agencies.tables import Agency
from tests.agencies.importing import upload
from tests.agencies.test_admin_registry import HEADER
from tests.conftest import post_form

FORM = {
    "licence_number": "MOLVT-9",
    "name_en": "Preah Vihear Jobs",
    "licence_status": "active",
    "association": "none",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_en", "P" * 200_000, "Use at most 200 characters."),
        ("name_km", "ក" * 201, "Use at most 200 characters."),
        ("province", "P" * 101, "Use at most 100 characters."),
        ("phone", "0" * 51, "Use at most 50 characters."),
        ("address", "A" * 1001, "Use at most 1000 characters."),
        ("email", "jobs@", "Enter an e-mail address like name@example.org."),
        ("email", "jobs@preah vihear.kh", "Enter an e-mail address like name@example.org."),
        ("email", "jobs@@example.org", "Enter an e-mail address like name@example.org."),
        ("email", f"{'j' * 250}@example.org", "Enter an e-mail address like name@example.org."),
        ("name_en", "Preah\x00Vihear", "This text contains an invisible control character."),
    ],
)
async def test_the_agency_form_refuses_what_the_registry_cannot_keep(
    client, as_role, field, value, message
):
    await as_role("admin")
    response = await post_form(client, "/admin/agencies/new", {**FORM, field: value})
    assert response.status_code == 400
    assert f'id="e-{field}">{message}' in html.unescape(response.text)
    assert await Agency.count() == 0
    assert "Preah Vihear Jobs" not in (await client.get("/agencies")).text


async def test_a_proper_address_is_kept(client, as_role):
    await as_role("admin")
    sent = {**FORM, "email": "jobs@preahvihear.example.org"}
    assert (await post_form(client, "/admin/agencies/new", sent)).status_code == 303
    assert (await Agency.select(Agency.email).first())["email"] == "jobs@preahvihear.example.org"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"CSV-1,{'P' * 201},,active,,,none,\n", "Line 2: Use at most 200 characters."),
        ("CSV-1,Pursat\x00Placement,,active,,,none,\n", "Line 2: This text contains an invisible"),
        (f"CSV-1,{'P' * 200_000},,active,,,none,\n", "Line 2: This line cannot be read as CSV"),
    ],
)
async def test_a_csv_import_refuses_the_same(client, as_role, row, message):
    await as_role("admin")
    response = await upload(client, HEADER + row)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert await Agency.count() == 0
