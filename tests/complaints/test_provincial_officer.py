"""A provincial officer's queue, search and dashboard count only the complaints of workers
from their own provinces; a ministry viewer reads figures and changes nothing."""

from __future__ import annotations

import re

from portal.complaints.tables import Complaint
from tests.conftest import post_form


async def _cases(make_complaint) -> dict[str, Complaint]:
    return {
        province: await make_complaint(
            province=province, complainant_name=f"Sokha {province}", reference=reference
        )
        for province, reference in (
            ("Kandal", "C26-KANDAL23"),
            ("Takeo", "C26-TAKEO234"),
            ("Kampot", "C26-KAMPOT23"),
        )
    }


async def test_the_queue_and_search_hold_only_their_provinces_cases(
    client, as_role, make_complaint
):
    await _cases(make_complaint)
    await as_role("provincial_officer", provinces="Kandal,Takeo")
    queue = (await client.get("/cases")).text
    assert "C26-KANDAL23" in queue and "C26-TAKEO234" in queue
    assert "C26-KAMPOT23" not in queue
    found = (await post_form(client, "/cases/search", {"q": "Sokha"})).text
    assert "Sokha Kandal" in found and "Sokha Takeo" in found and "Sokha Kampot" not in found
    by_reference = (await post_form(client, "/cases/search", {"q": "C26-KAMPOT23"})).text
    assert "Sokha Kampot" not in by_reference and "C26-KAMPOT23<" not in by_reference


async def test_an_officer_given_no_province_yet_sees_no_case(client, as_role, make_complaint):
    await make_complaint(province="")  # not even those with no province recorded
    await as_role("provincial_officer")
    queue = (await client.get("/cases")).text
    assert "C26-TEST" not in queue


async def test_the_dashboard_counts_their_provinces_only(client, as_role, make_complaint):
    await _cases(make_complaint)
    await make_complaint(status="investigation", province="Kandal")
    await as_role("provincial_officer", provinces="Kandal")
    page = (await client.get("/cases/dashboard")).text
    assert re.search(r'id="status-total">2<', page)
    assert re.search(r'id="status-investigation">1<', page)
    assert re.search(r'id="received-this-month">2<', page)


async def test_a_ministry_viewer_has_no_case_and_no_change(client, as_role, make_complaint):
    case = await make_complaint()
    await as_role("ministry_viewer")
    for path in ("/cases", "/cases/dashboard", f"/cases/{case.id}", "/admin/users"):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get("/reports")).status_code == 200
    assert (await client.get("/cycles")).status_code == 200
    refused = await post_form(client, f"/cases/{case.id}/note", {"body": "x"})
    assert refused.status_code == 404


async def test_a_case_is_given_to_an_officer_of_its_province_only(
    client, as_role, make_user, make_complaint
):
    case = await make_complaint(province="Kandal")
    kandal = await make_user("provincial_officer", provinces="Kandal", full_name="Kandal Officer")
    kampot = await make_user("provincial_officer", provinces="Kampot", full_name="Kampot Officer")
    await as_role("admin")
    page = (await client.get(f"/cases/{case.id}")).text
    assert "Kandal Officer" in page and "Kampot Officer" not in page
    refused = await post_form(client, f"/cases/{case.id}/assign", {"officer": str(kampot.id)})
    assert refused.status_code == 400 and "Choose an officer from the list." in refused.text
    given = await post_form(client, f"/cases/{case.id}/assign", {"officer": str(kandal.id)})
    assert given.status_code == 303
    assigned = await Complaint.select(Complaint.assigned_officer).where(Complaint.id == case.id)
    assert assigned[0]["assigned_officer"] == kandal.id
