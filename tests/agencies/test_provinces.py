"""An agency's province is one of Cambodia's 25, the list complaints use: stored as its
code, shown in the reader's language. Text typed before the list is moved to its code when
it names a province in a common spelling, and kept for an admin to fix otherwise."""

from __future__ import annotations

import html
from datetime import date

import pytest

from migrations.agencies import agencies_2026_12_03t20_54_28_668061 as data_migration
from portal.agencies import provinces
from portal.agencies.tables import Agency, LicenceEvent
from tests.conftest import post_form

FORM = {"licence_number": "MOLVT-P1", "name_en": "Siem Reap Jobs", "association": "none"}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Siem Reap", "Siem Reap"),
        ("siem reap province", "Siem Reap"),
        ("ខេត្តសៀមរាប", "Siem Reap"),
        ("រាជធានី ភ្នំពេញ", "Phnom Penh"),
        ("Kompong Cham", "Kampong Cham"),
        ("Sihanoukville", "Preah Sihanouk"),
        ("កណ្តាល", "Kandal"),  # typed with the subscript ta
        ("Kâmpôt", "Kampot"),
        ("", ""),
        ("Atlantis", None),
    ],
)
def test_common_spellings_name_their_province(written, code):
    assert provinces.code_for(written) == code


async def test_the_province_is_chosen_from_the_list_and_shown_in_khmer(client, as_role):
    await as_role("admin")
    form = (await client.get("/admin/agencies/new")).text
    assert '<option value="Tbong Khmum"' in form and 'name="province"' in form
    response = await post_form(client, "/admin/agencies/new", {**FORM, "province": "Siem Reap"})
    assert response.status_code == 303
    assert (await Agency.select(Agency.province).first())["province"] == "Siem Reap"
    page = (await client.get(f"{response.headers['location']}?lang=km")).text
    assert "សៀមរាប" in page
    found = (await client.get("/agencies?province=Siem+Reap")).text
    assert "Siem Reap Jobs" in found
    assert "Siem Reap Jobs" not in (await client.get("/agencies?province=Kandal")).text


async def test_a_province_not_in_the_list_is_refused_beside_the_field(client, as_role):
    await as_role("admin")
    response = await post_form(
        client, "/admin/agencies/new", {**FORM, "province": "Atlantis", "name_km": "សៀម"}
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert 'id="e-province">Unknown province: Atlantis.' in page
    assert 'value="សៀម"' in page  # the rest as typed
    assert not await Agency.exists()


async def test_the_migration_moves_known_spellings_to_codes_and_keeps_the_rest(
    client, as_role, make_agency
):
    kept = await make_agency(name_en="Far Away", province="Prov. of Nowhere")
    khmer = await make_agency(province="ខេត្ត សៀមរាប", licence_issued_on=date(2024, 1, 15))
    latin = await make_agency(province="kompong cham")
    await (await data_migration.forwards()).run()
    stored = {a["id"]: a["province"] for a in await Agency.select(Agency.id, Agency.province)}
    assert stored == {kept.id: "Prov. of Nowhere", khmer.id: "Siem Reap", latin.id: "Kampong Cham"}
    # Agencies with an issue date start their licence history with it.
    issued = await LicenceEvent.select(LicenceEvent.agency, LicenceEvent.decided_on)
    assert issued == [{"agency": khmer.id, "decided_on": date(2024, 1, 15)}]

    await as_role("admin")
    listing = html.unescape((await client.get("/admin/agencies")).text)
    assert (
        "Provinces to choose" in listing
        and f"{kept.licence_number} Far Away</a>: “Prov. of Nowhere”" in listing
    )
    form = html.unescape((await client.get(f"/admin/agencies/{kept.id}/edit")).text)
    assert "The province was written “Prov. of Nowhere”, which is not in the list" in form
