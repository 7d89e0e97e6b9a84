"""The admin keeps the registry: add and edit agencies, import a CSV file in which every
row is added or none is, with a line-by-line report of what was refused."""

from __future__ import annotations

import pytest

from portal.agencies.tables import Agency
from portal.audit.tables import AuditEvent
from tests.agencies.importing import import_file, upload
from tests.conftest import post_form

HEADER = "licence_number,name_en,name_km,licence_status,licence_issued_on,licence_expires_on,association,province\n"


async def test_admin_adds_an_agency_that_the_public_then_finds(client, as_role):
    await as_role("admin")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "MOLVT-9",
            "name_en": "Preah Vihear Jobs",
            "name_km": "ព្រះវិហារ",
            "licence_status": "active",
            "association": "mac",
            "licence_issued_on": "2025-02-01",
            "licence_expires_on": "2027-01-31",
            "province": "Preah Vihear",
        },
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "The agency has been added to the registry." in page.text
    assert "Preah Vihear Jobs" in (await client.get("/agencies?q=vihear")).text
    assert await AuditEvent.exists().where(AuditEvent.action == "agency.created")


async def test_a_wrong_agency_form_comes_back_filled_in_with_errors(client, as_role, make_agency):
    await as_role("admin")
    await make_agency(licence_number="TAKEN-1")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "TAKEN-1",
            "name_en": "Second Agency",
            "licence_status": "active",
            "association": "none",
            "licence_issued_on": "2026-05-01",
            "licence_expires_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert 'value="Second Agency"' in response.text
    assert 'id="e-licence_number">Another agency already has this licence number.' in response.text
    assert (
        'id="e-licence_expires_on">The licence cannot expire before it was issued.' in response.text
    )
    assert await Agency.count() == 1


async def test_admin_edits_an_agency_but_not_its_licence(client, as_role, make_agency):
    """The licence's status changes by a decision in its history, not by editing."""
    await as_role("admin")
    agency = await make_agency(licence_number="EDIT-1", name_en="Old Name")
    form = (await client.get(f"/admin/agencies/{agency.id}/edit")).text
    assert 'value="Old Name"' in form
    response = await post_form(
        client,
        f"/admin/agencies/{agency.id}/edit",
        {
            "licence_number": "EDIT-1",
            "name_en": "New Name",
            "licence_status": "suspended",
            "association": "acra",
        },
    )
    assert response.status_code == 303
    saved = await Agency.objects().where(Agency.id == agency.id).first()
    assert (saved.name_en, saved.licence_status, saved.association) == (
        "New Name",
        "active",
        "acra",
    )
    assert 'name="licence_status"' not in form


async def test_csv_import_adds_every_row(client, as_role):
    await as_role("admin")
    content = HEADER + (
        "CSV-1,Siem Reap Staffing,សៀមរាប,active,2025-01-01,2027-01-01,acra,Siem Reap\n"
        "CSV-2,Pursat Placement,,expired,,,none,Pursat\n"
    )
    response = await import_file(client, content.encode("utf-8-sig"))
    assert response.status_code == 303
    names = {a["name_en"] for a in await Agency.select(Agency.name_en)}
    assert names == {"Siem Reap Staffing", "Pursat Placement"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "OK-1,Fine Agency,,active,,,none,\nBAD-1,,,active,,,none,\n",
            "Line 3: Enter the agency&#39;s name in English.",
        ),
        (
            "OK-1,Fine Agency,,active,,,none,\nOK-1,Again,,active,,,none,\n",
            "Line 3: Licence number OK-1 is also on line 2.",
        ),
        ("OK-1,Fine Agency,,closed,,,none,\n", "Line 2: Licence status must be"),
        ("OK-1,Fine Agency,,active,31/01/2026,,none,\n", "Line 2: Write the date as YYYY-MM-DD"),
    ],
)
async def test_csv_import_with_a_bad_row_adds_nothing_and_names_the_line(
    client, as_role, rows, expected
):
    await as_role("admin")
    response = await upload(client, HEADER + rows)
    assert response.status_code == 400
    assert "Nothing was imported." in response.text
    assert expected in response.text
    assert await Agency.count() == 0


async def test_csv_import_refuses_a_file_without_the_required_columns(client, as_role):
    await as_role("admin")
    response = await upload(client, b"name,province\nX,Y\n")
    assert "missing: licence_number, name_en" in response.text
    assert await Agency.count() == 0


@pytest.mark.parametrize("role", [None, "officer", "agency", "partner", "committee"])
async def test_only_admins_change_the_registry(client, as_role, make_agency, role):
    if role:
        await as_role(role)
    agency = await make_agency(name_en="Untouched")
    for path in [
        "/admin/agencies",
        "/admin/agencies/new",
        f"/admin/agencies/{agency.id}/edit",
        "/admin/agencies/import",
    ]:
        response = await client.get(path)
        assert response.status_code == (303 if role is None else 404), (role, path)
    response = await post_form(
        client, f"/admin/agencies/{agency.id}/edit", {"licence_number": "X", "name_en": "Changed"}
    )
    if role is None:
        assert response.headers["location"].startswith("/login")
    else:
        assert response.status_code == 404
    assert (await Agency.objects().where(Agency.id == agency.id).first()).name_en == "Untouched"
