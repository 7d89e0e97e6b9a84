"""The CSV import updates agencies already in the registry (matched by licence number) as
well as adding new ones: it shows, row by row, what would change before anything is saved,
then saves every row in one go, or none."""

from __future__ import annotations

import html
from datetime import date

from portal.agencies.tables import Agency, PendingImport
from portal.audit.tables import AuditEvent
from tests.agencies.importing import confirm, upload
from tests.conftest import post_form, sign_in

HEADER = "licence_number,name_en,phone,province,licence_status\n"


async def _registry() -> dict[str, tuple[str, str, str]]:
    rows = await Agency.select(Agency.licence_number, Agency.name_en, Agency.phone, Agency.province)
    return {r["licence_number"]: (r["name_en"], r["phone"], r["province"]) for r in rows}


async def _existing(make_agency) -> None:
    await make_agency(
        licence_number="OLD-1",
        name_en="Angkor Jobs",
        phone="012 111",
        province="Kandal",
        address="Street 1",
    )
    await make_agency(
        licence_number="OLD-2", name_en="Mekong Work", phone="012 222", province="Kep"
    )


FILE = HEADER + (
    "OLD-1,Angkor Jobs Ltd,012 111,Kandal,active\n"
    "OLD-2,Mekong Work,012 222,Kep,active\n"
    "NEW-1,Tonle Staffing,,សៀមរាប,active\n"
)


async def test_the_preview_shows_each_row_and_saves_nothing_until_confirmed(
    client, as_role, make_agency
):
    await _existing(make_agency)
    before = await _registry()
    await as_role("admin")
    preview = await upload(client, FILE)
    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert "Nothing has been saved yet. 1 to add, 1 to change, 1 unchanged." in page
    assert "name_en: <del>Angkor Jobs</del> → <ins>Angkor Jobs Ltd</ins>" in page
    assert [badge for badge in ("Changed", "Unchanged", "Added") if f">{badge}</span>" in page] == [
        "Changed",
        "Unchanged",
        "Added",
    ]
    assert "token=" not in preview.text  # the file waits on the server, not in an address
    assert await _registry() == before

    saved = await confirm(client, preview)
    assert saved.status_code == 303
    after = await _registry()
    assert after["OLD-1"] == ("Angkor Jobs Ltd", "012 111", "Kandal")
    assert after["OLD-2"] == before["OLD-2"]
    assert after["NEW-1"] == ("Tonle Staffing", "", "Siem Reap")  # the Khmer name, as its code
    old = await Agency.objects().get(Agency.licence_number == "OLD-1")
    assert old.address == "Street 1"  # a column the file leaves out keeps its value
    changed = await AuditEvent.objects().get(AuditEvent.action == "agency.import_updated")
    assert changed.summary == "OLD-1: name_en"
    # Confirmed once: the kept file is gone, a second confirmation saves nothing again.
    again = await confirm(client, preview)
    assert again.status_code == 400 and "Upload the file again." in again.text
    assert not await PendingImport.exists()


async def test_one_wrong_row_shows_its_message_and_nothing_is_saved(client, as_role, make_agency):
    await _existing(make_agency)
    before = await _registry()
    await as_role("admin")
    bad = FILE.replace("Kep,active", "Kep,revoked") + "NEW-2,Bad Province,,Atlantis,active\n"
    preview = await upload(client, bad)
    assert preview.status_code == 400
    page = html.unescape(preview.text)
    assert "Nothing was imported." in page
    assert "Line 5: Unknown province: Atlantis." in page
    assert (
        "Line 3: licence_status would change from “active” to “revoked”: a licence's status "
        "and dates change by a decision in the agency's licence history." in page
    )
    assert 'name="token"' not in preview.text
    assert await _registry() == before


async def test_a_row_that_no_longer_passes_at_confirmation_saves_nothing(
    client, as_role, make_agency
):
    await _existing(make_agency)
    await as_role("admin")
    preview = await upload(client, FILE)
    assert preview.status_code == 200
    # Meanwhile OLD-2's licence is suspended: the file's "active" now contradicts it.
    old2 = await Agency.objects().get(Agency.licence_number == "OLD-2")
    suspension = {
        "action": "suspended",
        "decided_on": "2026-01-05",
        "decision_reference": "MOLVT 1/26",
        "reason": "Fees charged",
    }
    assert (
        await post_form(client, f"/admin/agencies/{old2.id}/licence", suspension)
    ).status_code == 303
    saved = await confirm(client, preview)
    assert saved.status_code == 400
    assert "Nothing was imported." in saved.text and "Line 3: licence_status" in html.unescape(
        saved.text
    )
    registry = await _registry()
    assert "NEW-1" not in registry and registry["OLD-1"][0] == "Angkor Jobs"


async def test_only_the_admin_who_uploaded_can_confirm(
    client, client_at, as_role, make_agency, make_user
):
    await _existing(make_agency)
    await as_role("admin")
    preview = await upload(client, FILE)
    other = await client_at("198.51.100.8")
    await sign_in(other, await make_user("admin"))
    response = await confirm(other, preview)
    assert response.status_code == 400 and "Upload the file again." in response.text
    assert "NEW-1" not in await _registry()
    assert (await confirm(client, preview)).status_code == 303  # still the uploader's to save
    assert (await Agency.objects().get(Agency.licence_number == "NEW-1")).licence_expires_on is None


async def test_an_expired_licence_written_expired_is_unchanged(client, as_role, make_agency):
    await make_agency(
        licence_number="LAPSED", name_en="Lapsed", licence_expires_on=date(2020, 1, 1)
    )
    await as_role("admin")
    preview = await upload(client, "licence_number,name_en,licence_status\nLAPSED,Lapsed,expired\n")
    assert preview.status_code == 200 and ">Unchanged</span>" in preview.text
