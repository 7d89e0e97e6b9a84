"""Partner staff (MRC, union, NGO) file on a worker's behalf, with the intake channel, and
follow every complaint their organisation filed - and only those: the same 404 otherwise."""

from __future__ import annotations

import re

from portal import clock
from portal.complaints.tables import CaseEvent, CaseFile, Complaint
from tests.checklists.conftest import PDF
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint, receipt_of
from tests.conftest import post_form, sign_in
from tests.files import pdf_text

NEW = "/partner/complaints/new"


async def partner_files(client, agency, **changes):
    token = await form_token(client, NEW)
    fields = complaint_fields(token, agency.licence_number, channel="hotline", **changes)
    response = await post_complaint(client, fields, url=NEW)
    assert response.status_code == 200, response.text
    return receipt_of(response)


async def test_a_partner_files_for_a_worker_and_the_channel_is_recorded(
    client, make_agency, make_user
):
    agency = await make_agency()
    partner = await make_user("partner")
    await sign_in(client, partner)
    page = await client.get(NEW)
    assert 'name="channel"' in page.text and "Hotline" in page.text
    reference, code = await partner_files(
        client, agency, filer="representative", representative_of="MRC Prey Veng"
    )
    complaint = await Complaint.objects().get(Complaint.reference == reference)
    assert complaint.channel == "hotline"
    assert complaint.organisation == partner.organisation and complaint.filed_by == partner.id
    assert complaint.representative_of == "MRC Prey Veng"
    assert code  # the partner hands the receipt to the worker

    listing = await client.get("/partner/complaints")
    assert reference in listing.text and "Hotline" in listing.text
    case = await client.get(f"/partner/complaints/{complaint.id}")
    assert case.status_code == 200
    assert "Received" in case.text and "Complaint received" in case.text


async def test_a_partner_must_say_how_the_complaint_came_in(client, make_agency, make_user):
    agency = await make_agency()
    await sign_in(client, await make_user("partner"))
    token = await form_token(client, NEW)
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), url=NEW)
    assert response.status_code == 400
    assert "Say how the complaint reached you." in response.text
    assert await Complaint.count() == 0


async def test_another_organisation_gets_the_same_404_everywhere(client, make_agency, make_user):
    agency = await make_agency()
    await sign_in(client, await make_user("partner"))
    reference, _ = await partner_files(client, agency)
    complaint = await Complaint.objects().get(Complaint.reference == reference)
    event = await CaseEvent.objects().first()
    await CaseFile.insert(
        CaseFile(
            complaint=complaint.id,
            event=event.id,
            audience="complainant",
            stored_name="a" * 32 + ".pdf",
            filename="x.pdf",
            content_type="application/pdf",
            size=1,
            uploaded_at=clock.now(),
        )
    )
    file_id = (await CaseFile.objects().first()).id
    client.cookies.clear()

    await sign_in(client, await make_user("partner"))  # another organisation
    listing = await client.get("/partner/complaints")
    assert reference not in listing.text
    missing = await client.get("/partner/complaints/999999")
    for response in (
        await client.get(f"/partner/complaints/{complaint.id}"),
        await client.get(f"/partner/complaints/{complaint.id}/files/{file_id}"),
        await post_form(client, f"/partner/complaints/{complaint.id}/reply", {"body": "hi"}),
    ):
        assert response.status_code == missing.status_code == 404
        assert response.text.count("Page not found.") == missing.text.count("Page not found.")
    assert await CaseEvent.count() == 1


async def test_other_roles_and_the_public_cannot_reach_partner_pages(client, make_user):
    assert (await client.get("/partner/complaints")).status_code == 303  # sign in first
    for role in ("officer", "agency", "committee"):
        client.cookies.clear()
        await sign_in(client, await make_user(role))
        assert (await client.get("/partner/complaints")).status_code == 404
        assert (await client.get(NEW)).status_code == 404


async def test_the_partner_list_pages_by_keyset(client, make_agency, make_user, make_complaint):
    partner = await make_user("partner")
    for n in range(27):
        await make_complaint(organisation=partner.organisation, reference=f"C26-PAGE{n:04d}")
    await make_complaint(reference="C26-OTHER001")  # not theirs
    await sign_in(client, partner)
    first = await client.get("/partner/complaints")
    shown = re.findall(r"C26-PAGE\d{4}", first.text)
    assert len(shown) == 25 and shown[0] == "C26-PAGE0026"
    more = re.search(r'href="(/partner/complaints\?before=\d+)"', first.text).group(1)
    second = await client.get(more)
    assert re.findall(r"C26-PAGE\d{4}", second.text) == ["C26-PAGE0001", "C26-PAGE0000"]
    assert "C26-OTHER001" not in first.text + second.text
    assert "Older complaints" not in second.text


async def test_a_partner_replies_with_a_file(client, make_agency, make_user):
    agency = await make_agency()
    partner = await make_user("partner")
    await sign_in(client, partner)
    reference, _ = await partner_files(client, agency)
    complaint = await Complaint.objects().get(Complaint.reference == reference)
    response = await client.post(
        f"/partner/complaints/{complaint.id}/reply",
        data={"_csrf_token": client.cookies["portal_csrf"], "body": "The worker is back home."},
        files={"attachments": ("statement.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    event = await CaseEvent.objects().get(CaseEvent.kind == "reply")
    assert event.actor == partner.id and event.audience == "complainant"
    stored = await CaseFile.objects().get(CaseFile.event == event.id)
    page = await client.get(f"/partner/complaints/{complaint.id}")
    assert "The worker is back home." in page.text
    download = await client.get(f"/partner/complaints/{complaint.id}/files/{stored.id}")
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)
