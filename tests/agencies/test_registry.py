"""The public registry: anyone finds an agency by English or Khmer name, licence number,
province or licence status, and sees its licence state."""

from __future__ import annotations

from portal.agencies.services import PAGE_SIZE


async def test_anyone_searches_by_english_or_khmer_name_and_licence_number(client, make_agency):
    await make_agency(name_en="Angkor Manpower", name_km="អង្គរ ម៉ែនផៅវើ", licence_number="L-001")
    await make_agency(name_en="Mekong Recruitment", name_km="មេគង្គ", licence_number="L-002")
    for query in ["angkor", "អង្គរ", "L-001"]:
        page = await client.get("/agencies", params={"q": query})
        assert page.status_code == 200
        assert "Angkor Manpower" in page.text and "Mekong Recruitment" not in page.text, query
    page = await client.get("/agencies", params={"q": "nothing like it"})
    assert "No agency matches this search." in page.text


async def test_filters_by_province_and_status(client, make_agency):
    await make_agency(name_en="Kampot Active", province="Kampot", licence_status="active")
    await make_agency(name_en="Kampot Revoked", province="Kampot", licence_status="revoked")
    await make_agency(name_en="Takeo Active", province="Takeo", licence_status="active")
    page = await client.get("/agencies", params={"province": "Kampot", "status": "revoked"})
    assert "Kampot Revoked" in page.text
    assert "Kampot Active" not in page.text and "Takeo Active" not in page.text
    assert "Revoked" in page.text


async def test_khmer_readers_see_khmer_names(client, make_agency):
    await make_agency(name_en="Angkor Manpower", name_km="អង្គរ ម៉ែនផៅវើ")
    page = await client.get("/agencies?lang=km")
    assert "អង្គរ ម៉ែនផៅវើ" in page.text and ">Angkor Manpower<" not in page.text


async def test_long_lists_continue_on_a_next_page_without_repeats(client, make_agency):
    for n in range(PAGE_SIZE + 3):
        await make_agency(licence_number=f"P-{n:03d}", name_en=f"Paged Agency {n:03d}")
    first = await client.get("/agencies", params={"q": "Paged"})
    assert first.text.count("Paged Agency") == PAGE_SIZE
    assert "More agencies" in first.text
    second = await client.get("/agencies", params={"q": "Paged", "after": f"P-{PAGE_SIZE - 1:03d}"})
    assert second.text.count("Paged Agency") == 3 and "More agencies" not in second.text
    assert "Paged Agency 000" not in second.text


async def test_agency_page_shows_the_licence_and_unknown_ids_are_404(client, make_agency):
    agency = await make_agency(
        name_en="Bayon Labour Link", licence_status="suspended", province="Battambang"
    )
    page = await client.get(f"/agencies/{agency.id}")
    assert "Bayon Labour Link" in page.text and "Suspended" in page.text
    assert (await client.get("/agencies/999999")).status_code == 404
