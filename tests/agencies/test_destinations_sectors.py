"""Each agency's destination countries and the sectors it recruits for: ticked on the
admin's form, imported from CSV as ";"-separated codes, shown on the public agency page."""

from __future__ import annotations

import pytest

from portal.agencies.tables import Agency
from tests.agencies.importing import import_file, upload
from tests.conftest import post_form

HEADER = "licence_number,name_en,province,destinations,sectors\n"


async def test_admin_ticks_destinations_and_sectors_that_the_public_page_shows(client, as_role):
    await as_role("admin")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "DEST-1",
            "name_en": "Koh Kong Overseas",
            "licence_status": "active",
            "association": "acra",
            "destinations": ["TH", "MY"],
            "sectors": ["fishing", "construction"],
        },
    )
    assert response.status_code == 303
    saved = await Agency.objects().where(Agency.licence_number == "DEST-1").first()
    # Kept in the lists' order, whatever order they were ticked in.
    assert (saved.destinations, saved.sectors) == ("TH,MY", "construction,fishing")

    client.cookies.clear()  # the public page, signed out
    page = (await client.get(f"/agencies/{saved.id}")).text
    assert "<dt>Destination countries</dt><dd>Thailand, Malaysia</dd>" in page
    assert "<dt>Sectors the agency recruits for</dt><dd>Construction, Fishing</dd>" in page
    khmer = (await client.get(f"/agencies/{saved.id}?lang=km")).text
    assert "ថៃ" in khmer and "ម៉ាឡេស៊ី" in khmer


async def test_the_edit_form_shows_the_ticked_boxes_and_an_untick_is_saved(
    client, as_role, make_agency
):
    await as_role("admin")
    agency = await make_agency(destinations="KR,JP", sectors="manufacturing")
    form = (await client.get(f"/admin/agencies/{agency.id}/edit")).text
    assert "<legend>Destination countries</legend>" in form
    assert 'name="destinations" value="KR" checked' in form
    assert 'name="destinations" value="JP" checked' in form
    assert 'name="destinations" value="TH" >' in form
    assert 'name="sectors" value="manufacturing" checked' in form
    assert "> South Korea</label>" in form  # every box has its visible label

    response = await post_form(
        client,
        f"/admin/agencies/{agency.id}/edit",
        {
            "licence_number": agency.licence_number,
            "name_en": agency.name_en,
            "licence_status": "active",
            "association": "none",
            "destinations": ["JP"],
        },
    )
    assert response.status_code == 303
    saved = await Agency.objects().where(Agency.id == agency.id).first()
    assert (saved.destinations, saved.sectors) == ("JP", "")


async def test_a_form_refused_for_another_field_keeps_the_ticked_boxes(client, as_role):
    await as_role("admin")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "",
            "name_en": "No Licence Yet",
            "licence_status": "active",
            "association": "none",
            "destinations": ["SA", "QA"],
            "sectors": ["domestic_work"],
        },
    )
    assert response.status_code == 400
    assert 'name="destinations" value="SA" checked' in response.text
    assert 'name="destinations" value="QA" checked' in response.text
    assert 'name="sectors" value="domestic_work" checked' in response.text
    assert await Agency.count() == 0


async def test_a_made_up_code_sent_by_the_form_is_refused_beside_the_field(client, as_role):
    await as_role("admin")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "DEST-2",
            "name_en": "Odd Agency",
            "licence_status": "active",
            "association": "none",
            "destinations": ["TH", "XX"],
        },
    )
    assert response.status_code == 400
    assert 'id="e-destinations">Unknown destination code: XX.' in response.text
    assert await Agency.count() == 0


async def test_csv_import_reads_semicolon_separated_codes(client, as_role):
    await as_role("admin")
    content = HEADER + (
        "CSV-D1,Battambang Links,Battambang,TH;KR, construction ; agriculture\n"
        "CSV-D2,Quiet Agency,Kep,,\n"
    )
    response = await import_file(client, content)
    assert response.status_code == 303
    rows = {
        a["licence_number"]: (a["destinations"], a["sectors"])
        for a in await Agency.select(Agency.licence_number, Agency.destinations, Agency.sectors)
    }
    assert rows == {"CSV-D1": ("TH,KR", "construction,agriculture"), "CSV-D2": ("", "")}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("CSV-B1,Bad Country,,TH;Narnia,\n", "Line 3: Unknown destination code: Narnia."),
        ("CSV-B1,Bad Sector,,,mining\n", "Line 3: Unknown sector code: mining."),
    ],
)
async def test_csv_import_refuses_a_bad_code_with_the_line(client, as_role, row, expected):
    await as_role("admin")
    content = HEADER + "CSV-OK,Good Agency,,MY,care\n" + row
    response = await upload(client, content)
    assert response.status_code == 400
    assert "Nothing was imported." in response.text
    assert expected in response.text
    assert await Agency.count() == 0


async def test_the_import_page_documents_the_codes(client, as_role):
    await as_role("admin")
    page = (await client.get("/admin/agencies/import")).text
    assert "destinations and sectors list codes separated by semicolons" in page
    assert "<dt>AE</dt><dd>United Arab Emirates</dd>" in page
    assert "<dt>domestic_work</dt><dd>Domestic work</dd>" in page
