"""Each agency's licence history: admins record renewals, warnings, suspensions,
reinstatements and revocations with a reason and an optional decision PDF; the public
sees what was decided and when, staff the reference, reason and document too."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest

from portal import clock
from portal.agencies.tables import Agency, LicenceEvent
from portal.audit.tables import AuditEvent
from tests.conftest import post_form, sign_in
from tests.core.test_uploads import png
from tests.files import pdf_document, pdf_text

TODAY = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # noon in Phnom Penh


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: TODAY)


SUSPENSION = {
    "action": "suspended",
    "decided_on": "2026-12-01",
    "decision_reference": "MOLVT 777/26",
    "suspended_until": "2027-03-01",
    "reason": "Passports kept from twelve workers",
}


async def _status(agency_id: int) -> str:
    return (await Agency.objects().get(Agency.id == agency_id)).licence_status


async def test_a_suspension_with_its_decision_is_seen_by_each_reader_as_they_may(
    client, client_at, as_role, make_user, make_agency
):
    agency = await make_agency(name_en="Lotus Manpower", licence_expires_on=date(2027, 6, 1))
    await as_role("admin")
    sent = await post_form(
        client,
        f"/admin/agencies/{agency.id}/licence",
        SUSPENSION,
        files={"document": ("decision 777.pdf", pdf_document("Prakas 777"), "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    assert await _status(agency.id) == "suspended"
    assert await AuditEvent.exists().where(AuditEvent.action == "agency.licence_suspended")

    public = (await (await client_at("198.51.100.1")).get(f"/agencies/{agency.id}")).text
    assert "Licence suspended" in public and "Dec 1, 2026" in public
    assert "suspended until Mar 1, 2027" in public
    for hidden in ("MOLVT 777/26", "Passports kept", "decision 777.pdf", "/document"):
        assert hidden not in public

    officer = await client_at("198.51.100.2")
    await sign_in(officer, await make_user("officer"))
    staff_page = (await officer.get(f"/agencies/{agency.id}")).text
    assert "MOLVT 777/26" in staff_page and "Passports kept from twelve workers" in staff_page
    event = await LicenceEvent.objects().get(LicenceEvent.action == "suspended")
    link = f"/agencies/{agency.id}/licence/{event.id}/document"
    assert link in staff_page
    download = await officer.get(link)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert "Prakas 777" in pdf_text(download.content)

    # The document is not the public's, nor an agency's, nor another agency's page's.
    anonymous = await (await client_at("198.51.100.3")).get(link)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    agency_staff = await client_at("198.51.100.4")
    await sign_in(agency_staff, await make_user("agency", agency=agency.id))
    assert (await agency_staff.get(link)).status_code == 404
    other = await make_agency()
    assert (
        await officer.get(f"/agencies/{other.id}/licence/{event.id}/document")
    ).status_code == 404


async def test_a_renewal_needs_its_new_expiry_and_the_form_comes_back_filled_in(
    client, as_role, make_agency
):
    agency = await make_agency(licence_status="expired", licence_expires_on=date(2026, 1, 14))
    await as_role("admin")
    renewal = {
        "action": "renewed",
        "decided_on": "2026-11-20",
        "decision_reference": "MOLVT 801/26",
        "reason": "Renewal requested with all documents",
    }
    form = (await client.get(f"/admin/agencies/{agency.id}/licence")).text
    for field in ("action", "decided_on", "decision_reference", "expires_on", "suspended_until"):
        assert f'name="{field}"' in form
    assert 'enctype="multipart/form-data"' in form and 'name="document" type="file"' in form
    wrong = await post_form(client, f"/admin/agencies/{agency.id}/licence", renewal)
    assert wrong.status_code == 400
    page = html.unescape(wrong.text)
    assert 'id="e-expires_on">Enter the date the renewed licence expires.' in page
    assert "Renewal requested with all documents</textarea>" in page
    assert 'value="MOLVT 801/26"' in page
    assert await _status(agency.id) == "expired"
    assert not await LicenceEvent.exists()

    done = await post_form(
        client, f"/admin/agencies/{agency.id}/licence", {**renewal, "expires_on": "2029-11-19"}
    )
    assert done.status_code == 303
    saved = await Agency.objects().get(Agency.id == agency.id)
    assert (saved.licence_status, saved.licence_expires_on) == ("active", date(2029, 11, 19))
    page = (await client.get(f"/agencies/{agency.id}")).text
    assert "Licence renewed" in page and "valid until Nov 19, 2029" in page
    assert '<span class="badge ok">Active</span>' in page


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("active", "reinstated", "A licence that is “Active” cannot be “Licence reinstated”."),
        ("revoked", "suspended", "A licence that is “Revoked” cannot be “Licence suspended”."),
    ],
)
async def test_a_decision_that_does_not_follow_the_licence_is_refused(
    client, as_role, make_agency, status, action, message
):
    agency = await make_agency(licence_status=status)
    await as_role("admin")
    response = await post_form(
        client, f"/admin/agencies/{agency.id}/licence", {**SUSPENSION, "action": action}
    )
    assert response.status_code == 400
    assert f'id="e-action">{message}' in html.unescape(response.text)
    assert await _status(agency.id) == status


async def test_the_decision_document_must_be_a_pdf(client, as_role, make_agency):
    agency = await make_agency()
    await as_role("admin")
    response = await post_form(
        client,
        f"/admin/agencies/{agency.id}/licence",
        SUSPENSION,
        files={"document": ("decision.txt", b"not a pdf", "text/plain")},
    )
    assert response.status_code == 400
    assert 'id="e-document">decision.txt is not a PDF, JPEG or PNG file.' in response.text
    photo = await post_form(
        client,
        f"/admin/agencies/{agency.id}/licence",
        SUSPENSION,
        files={"document": ("decision.png", png(4, 4), "image/png")},
    )
    assert photo.status_code == 400
    assert 'id="e-document">The decision document must be a PDF file.' in photo.text
    assert await _status(agency.id) == "active"
    assert not await LicenceEvent.exists()


async def test_a_suspension_past_its_end_stays_until_an_admin_reinstates(
    client, as_role, make_agency
):
    agency = await make_agency()
    await as_role("admin")
    ended = {**SUSPENSION, "decided_on": "2026-09-01", "suspended_until": "2026-11-30"}
    assert (
        await post_form(client, f"/admin/agencies/{agency.id}/licence", ended)
    ).status_code == 303
    page = (await client.get(f"/agencies/{agency.id}")).text
    assert "The suspension ended on Nov 30, 2026." in page
    assert '<span class="badge bad">Suspended</span>' in page
    reinstated = {
        "action": "reinstated",
        "decided_on": "2026-12-02",
        "decision_reference": "MOLVT 790/26",
        "reason": "Passports returned",
    }
    done = await post_form(client, f"/admin/agencies/{agency.id}/licence", reinstated)
    assert done.status_code == 303
    page = (await client.get(f"/agencies/{agency.id}")).text
    assert "The suspension ended" not in page and "Licence reinstated" in page
    assert await _status(agency.id) == "active"


async def test_a_new_agency_starts_its_history_with_its_issue(client, as_role):
    await as_role("admin")
    response = await post_form(
        client,
        "/admin/agencies/new",
        {
            "licence_number": "MOLVT-NEW",
            "name_en": "New Horizon",
            "licence_status": "active",
            "association": "none",
            "licence_issued_on": "2026-02-01",
            "licence_expires_on": "2028-01-31",
        },
    )
    page = (await client.get(response.headers["location"])).text
    assert "Licence issued" in page and "Feb 1, 2026" in page and "valid until Jan 31, 2028" in page


@pytest.mark.parametrize("role", ["officer", "committee", "agency", "partner"])
async def test_only_admins_record_licence_decisions(client, as_role, make_agency, role):
    agency = await make_agency()
    await as_role(role)
    assert (await client.get(f"/admin/agencies/{agency.id}/licence")).status_code == 404
    response = await post_form(client, f"/admin/agencies/{agency.id}/licence", SUSPENSION)
    assert response.status_code == 404
    assert await _status(agency.id) == "active"
