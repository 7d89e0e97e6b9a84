"""A sanction recommended in a complaint's outcome waits on the agency's page for an admin,
who confirms it (it enters the licence history, linked to the case) or dismisses it with a
reason. The public sees a confirmed sanction, never the complaint behind it."""

from __future__ import annotations

import asyncio
import html

import pytest

from portal.agencies.tables import Agency, LicenceEvent, SanctionDecision
from portal.audit.tables import AuditEvent
from tests.conftest import post_form, sign_in
from tests.files import pdf_document

CONFIRM = {
    "decided_on": "2026-11-02",
    "decision_reference": "MOLVT 905/26",
    "reason": "The investigation found the passports kept",
}


async def _recommended(client, as_role, make_complaint, agency, sanction="suspension"):
    """An officer records the case's outcome with the sanction; returns the complaint."""
    complaint = await make_complaint(
        status="investigation", agency=agency.id, reference="C26-SANC01"
    )
    await as_role("officer")
    recorded = await post_form(
        client,
        f"/cases/{complaint.id}/outcome",
        {"outcome": "dismissed", "sanction": sanction, "outcome_note": "Recommended."},
    )
    assert recorded.status_code == 303, recorded.text
    return complaint


async def _admin(client_at, make_user):
    """A second browser, an admin's (the first is the officer's who recorded the outcome)."""
    admin = await client_at("198.51.100.5")
    await sign_in(admin, await make_user("admin"))
    return admin


async def test_an_admin_confirms_a_recommended_suspension(
    client, client_at, as_role, make_agency, make_complaint, make_user
):
    agency = await make_agency(name_en="Lotus Manpower")
    complaint = await _recommended(client, as_role, make_complaint, agency)
    admin = await _admin(client_at, make_user)
    page = (await admin.get(f"/agencies/{agency.id}")).text
    assert "Sanctions recommended in complaints" in page
    assert "Licence suspension" in page and "C26-SANC01" in page
    decide = f"/admin/agencies/{agency.id}/sanctions/{complaint.id}"
    assert decide in page

    form = (await admin.get(decide)).text
    assert "Confirm: Licence suspended" in form and f'href="/cases/{complaint.id}"' in form
    assert 'name="suspended_until"' in form
    confirmed = await post_form(
        admin,
        f"{decide}/confirm",
        CONFIRM,
        files={"document": ("prakas.pdf", pdf_document("Prakas 905"), "application/pdf")},
    )
    assert confirmed.status_code == 303, confirmed.text
    assert (await Agency.objects().get(Agency.id == agency.id)).licence_status == "suspended"
    event = await LicenceEvent.objects().get(LicenceEvent.action == "suspended")
    assert event.complaint_id == complaint.id
    page = (await admin.get(f"/agencies/{agency.id}")).text
    assert "Sanctions recommended in complaints" not in page
    assert f'<a href="/cases/{complaint.id}">Recommended in case C26-SANC01</a>' in page
    assert await AuditEvent.exists().where(AuditEvent.action == "agency.licence_suspended")

    public = (await (await client_at("198.51.100.6")).get(f"/agencies/{agency.id}")).text
    assert "Licence suspended" in public and "Nov 2, 2026" in public
    for hidden in ("C26-SANC01", f"/cases/{complaint.id}", "MOLVT 905/26", "passports kept"):
        assert hidden not in public
    committee = await client_at("198.51.100.7")
    await sign_in(committee, await make_user("committee"))
    seen = (await committee.get(f"/agencies/{agency.id}")).text
    assert (
        "MOLVT 905/26" in seen and "C26-SANC01" not in seen and "Sanctions recommended" not in seen
    )


async def test_an_admin_dismisses_a_recommendation_with_a_reason(
    client, client_at, as_role, make_agency, make_complaint, make_user
):
    agency = await make_agency()
    complaint = await _recommended(client, as_role, make_complaint, agency, "revocation")
    admin = await _admin(client_at, make_user)
    url = f"/admin/agencies/{agency.id}/sanctions/{complaint.id}"
    empty = await post_form(admin, f"{url}/dismiss", {"dismiss_reason": "  "})
    assert empty.status_code == 400
    assert 'id="e-dismiss_reason">Say why the recommendation is dismissed.' in html.unescape(
        empty.text
    )
    dismissed = await post_form(
        admin, f"{url}/dismiss", {"dismiss_reason": "The court ruled for the agency"}
    )
    assert dismissed.status_code == 303
    assert (await Agency.objects().get(Agency.id == agency.id)).licence_status == "active"
    assert not await LicenceEvent.exists()
    decision = await SanctionDecision.objects().first()
    assert (decision.confirmed, decision.reason) == (False, "The court ruled for the agency")
    page = (await admin.get(f"/agencies/{agency.id}")).text
    assert "Sanctions recommended in complaints" not in page
    assert (await admin.get(url)).status_code == 404  # answered: no longer pending
    audit = await AuditEvent.objects().get(AuditEvent.action == "agency.sanction_dismissed")
    assert "The court ruled for the agency" in audit.summary


async def test_a_confirmation_the_licence_cannot_take_comes_back_filled_in(
    client, client_at, as_role, make_agency, make_complaint, make_user
):
    agency = await make_agency(licence_status="revoked")
    complaint = await _recommended(client, as_role, make_complaint, agency)
    admin = await _admin(client_at, make_user)
    url = f"/admin/agencies/{agency.id}/sanctions/{complaint.id}"
    refused = await post_form(admin, f"{url}/confirm", CONFIRM)
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    assert "A licence that is “Revoked” cannot be “Licence suspended”." in page
    assert 'value="MOLVT 905/26"' in page
    assert not await SanctionDecision.exists()
    assert "Sanctions recommended in complaints" in (await admin.get(f"/agencies/{agency.id}")).text


async def test_no_one_but_admins_sees_or_answers_a_recommendation(
    client, client_at, as_role, make_agency, make_complaint, make_user
):
    agency = await make_agency()
    complaint = await _recommended(client, as_role, make_complaint, agency, "warning")
    url = f"/admin/agencies/{agency.id}/sanctions/{complaint.id}"
    officer_page = (await client.get(f"/agencies/{agency.id}")).text
    assert "Sanctions recommended" not in officer_page
    assert (await client.get(url)).status_code == 404
    assert (await post_form(client, f"{url}/confirm", CONFIRM)).status_code == 404
    assert (
        "Sanctions recommended"
        not in (await (await client_at("198.51.100.9")).get(f"/agencies/{agency.id}")).text
    )
    # Another agency's page does not answer this agency's recommendation.
    admin = await _admin(client_at, make_user)
    other = await make_agency()
    response = await admin.get(f"/admin/agencies/{other.id}/sanctions/{complaint.id}")
    assert response.status_code == 404
    assert not await SanctionDecision.exists()


@pytest.mark.parametrize("sanction", ["warning", "suspension"])
async def test_two_admins_confirming_at_the_same_moment_make_one_decision(
    client, client_at, as_role, make_agency, make_complaint, make_user, sanction
):
    agency = await make_agency()
    complaint = await _recommended(client, as_role, make_complaint, agency, sanction)
    first, second = await _admin(client_at, make_user), await _admin(client_at, make_user)
    url = f"/admin/agencies/{agency.id}/sanctions/{complaint.id}/confirm"
    answers = await asyncio.gather(
        post_form(first, url, {**CONFIRM, "decision_reference": "MOLVT 1/26"}),
        post_form(second, url, {**CONFIRM, "decision_reference": "MOLVT 2/26"}),
    )
    assert sorted(a.status_code for a in answers) in ([303, 400], [303, 404])
    assert await LicenceEvent.count().where(LicenceEvent.complaint_id == complaint.id) == 1
    assert await SanctionDecision.count().where(SanctionDecision.complaint_id == complaint.id) == 1
    assert await AuditEvent.count().where(AuditEvent.object_type == "agency") == 1
    loser = next(a for a in answers if a.status_code != 303)
    if loser.status_code == 400:
        assert "Another administrator has just answered this recommendation." in loser.text
