"""Agency staff see the complaints against their own agency, without the complainant's
identity unless they consented, and only the agency's side of the timeline; they answer
the officer's request with text and files."""

from __future__ import annotations

from portal import clock
from portal.accounts.services import session_user
from portal.complaints import case_page, services
from portal.complaints.tables import Audience, CaseEvent, CaseFile, Complaint
from portal.settings import get_settings
from tests.checklists.conftest import PDF
from tests.conftest import post_form, sign_in
from tests.files import pdf_text, stored_file


async def _complaint(make_complaint, agency, **fields):
    return await make_complaint(
        agency=agency.id,
        complainant_name=fields.pop("complainant_name", "Bopha Private"),
        phone="012 345 678",
        **fields,
    )


async def test_staff_see_their_own_agency_only(client, make_agency, make_user, make_complaint):
    ours, theirs = await make_agency(), await make_agency()
    mine = await _complaint(make_complaint, ours)
    other = await _complaint(make_complaint, theirs)
    await sign_in(client, await make_user("agency", agency=ours.id))
    listing = await client.get("/agency/complaints")
    assert listing.status_code == 200
    assert mine.reference in listing.text and other.reference not in listing.text
    assert (await client.get(f"/agency/complaints/{mine.id}")).status_code == 200
    for url in (f"/agency/complaints/{other.id}", "/agency/complaints/999999"):
        assert (await client.get(url)).status_code == 404
    respond = await post_form(client, f"/agency/complaints/{other.id}/response", {"response": "x"})
    assert respond.status_code == 404
    # Officers' pages are not for agency staff.
    assert (await client.get(f"/cases/{mine.id}")).status_code == 404
    assert (await client.get("/cases")).status_code == 404


async def test_identity_is_hidden_unless_the_complainant_consented(
    client, make_agency, make_user, make_complaint
):
    agency = await make_agency()
    hidden = await _complaint(make_complaint, agency, complainant_name="Bopha Private")
    shared = await _complaint(
        make_complaint, agency, complainant_name="Kosal Shared", share_identity=True
    )
    await sign_in(client, await make_user("agency", agency=agency.id))
    listing = await client.get("/agency/complaints")
    assert "Bopha Private" not in listing.text and "Kosal Shared" in listing.text
    page = await client.get(f"/agency/complaints/{hidden.id}")
    assert "Bopha Private" not in page.text and "012 345 678" not in page.text
    assert "did not agree to share" in page.text
    # Nothing of the name reaches the page's template either, not even its search key.
    staff = await session_user(client.cookies.get("portal_session"), get_settings())
    view = await case_page.case_page(
        staff, await case_page.find_case(staff, hidden.id), clock.now()
    )
    assert "bopha" not in repr(view).lower()
    page = await client.get(f"/agency/complaints/{shared.id}")
    assert "Kosal Shared" in page.text and "012 345 678" in page.text


async def test_the_agency_reads_only_its_side_of_the_timeline(
    client, make_agency, make_user, make_complaint
):
    agency = await make_agency()
    complaint = await _complaint(make_complaint, agency, status="awaiting_agency")
    officer = await make_user("officer")
    now = clock.now()
    for audience, body in [
        (Audience.internal, "Officer thinks the agency lies."),
        (Audience.complainant, "Dear complainant, send the contract."),
        (Audience.agency, "Explain the fee of 800 dollars."),
        (Audience.public, "Case acknowledged."),
    ]:
        await services.add_event(complaint.id, "note", audience, now, officer, body)
    internal_file = await stored_file("minutes.pdf", PDF)
    minutes = CaseFile(
        complaint=complaint.id,
        audience=Audience.internal,
        stored_name=internal_file.stored_name,
        filename="minutes.pdf",
        content_type="application/pdf",
        size=internal_file.size,
        uploaded_at=now,
    )
    await minutes.save()
    await sign_in(client, await make_user("agency", agency=agency.id))
    page = await client.get(f"/agency/complaints/{complaint.id}")
    assert "Explain the fee of 800 dollars." in page.text and "Case acknowledged." in page.text
    assert "Officer thinks" not in page.text and "Dear complainant" not in page.text
    assert "minutes.pdf" not in page.text
    assert (
        await client.get(f"/agency/complaints/{complaint.id}/files/{minutes.id}")
    ).status_code == 404


async def test_the_agency_responds_with_files_before_the_deadline(
    client, make_agency, make_user, make_complaint
):
    agency = await make_agency()
    complaint = await _complaint(make_complaint, agency, status="awaiting_agency")
    staff = await make_user("agency", agency=agency.id)
    await sign_in(client, staff)
    url = f"/agency/complaints/{complaint.id}"
    page = await client.get(url)
    assert "Send the response" in page.text

    empty = await post_form(client, f"{url}/response", {"response": ""})
    assert empty.status_code == 400 and 'id="e-response"' in empty.text
    wrong = await post_form(
        client,
        f"{url}/response",
        {"response": "We refunded the fee."},
        files={"files": ("receipt.pdf", b"not a pdf", "application/pdf")},
    )
    assert wrong.status_code == 400 and "not a PDF, JPEG or PNG" in wrong.text
    assert "We refunded the fee." in wrong.text  # filled in again
    assert await CaseFile.count() == 0

    sent = await post_form(
        client,
        f"{url}/response",
        {"response": "We refunded the fee on 3 May."},
        files={"files": ("receipt.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 303
    row = await Complaint.objects().get(Complaint.id == complaint.id)
    assert row.status == "investigation"  # back with the officer; the agency's clock stops
    event = await CaseEvent.objects().where(CaseEvent.kind == "agency_response").first()
    assert event.audience == "agency" and event.actor == staff.id
    receipt = await CaseFile.objects().first()
    assert receipt.audience == "agency" and receipt.event == event.id
    download = await client.get(f"{url}/files/{receipt.id}")
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)

    again = await post_form(client, f"{url}/response", {"response": "And again."})
    assert again.status_code == 400 and "not waiting for your response" in again.text

    # The officer reads the response and its file on the case.
    client.cookies.clear()
    await sign_in(client, await make_user("officer"))
    case = await client.get(f"/cases/{complaint.id}")
    assert "We refunded the fee on 3 May." in case.text and "receipt.pdf" in case.text
