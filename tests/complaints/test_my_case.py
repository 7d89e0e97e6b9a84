"""Check my case: the reference and receipt code open a short session on the case; the
complainant reads the status, the public timeline and the officer's messages, replies and
adds files. Wrong codes slow that address down on that reference, right codes never
count, and a wrong code never tells whether a case exists."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import timedelta

from portal import clock
from portal.complaints import services
from portal.complaints.states import Status
from portal.complaints.tables import Audience, CaseEvent, CaseFile, Complaint
from portal.core.tables import RateLimitEvent
from tests.checklists.conftest import PDF
from tests.complaints.test_intake import file_one
from tests.conftest import csrf_token, post_form
from tests.files import pdf_text

WRONG = "This reference and receipt code do not match a case."


async def open_case(client, reference: str, code: str):
    return await post_form(client, "/complaints/check", {"reference": reference, "code": code})


async def test_the_reference_and_code_open_the_case(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    client.cookies.clear()
    response = await open_case(client, reference.lower(), code.replace(" ", "-"))
    assert response.status_code == 303
    assert response.headers["location"] == "/my-case"
    cookie = response.headers["set-cookie"]
    assert "portal_case=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Max-Age=1800" in cookie and "Path=/my-case" in cookie
    assert code.replace(" ", "") not in cookie and reference not in cookie

    page = await client.get("/my-case")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert reference in page.text and "Received" in page.text
    assert "What you told us" in page.text and "They kept my brother&#39;s passport" in page.text
    assert "Complaint received" in page.text


async def test_a_code_typed_in_khmer_digits_opens_the_case(client, make_agency):
    """A Khmer phone keyboard types ០១២៣៤៥៦៧៨៩; the receipt prints 0123456789."""
    reference, code = await file_one(client, await make_agency())
    client.cookies.clear()
    khmer = code.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert khmer != code
    response = await open_case(client, reference, khmer)
    assert response.status_code == 303 and response.headers["location"] == "/my-case"


async def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    wrong_code = await open_case(client, reference, "1" * 20)
    unknown = await open_case(client, "C26-ZZZZZZZZ", code)
    assert wrong_code.status_code == unknown.status_code == 400
    assert WRONG in wrong_code.text and WRONG in unknown.text
    # Once beside the field and once in the error summary at the top: nothing else.
    assert wrong_code.text.replace("1" * 20, "").count(WRONG) == 2
    assert "11111111" not in wrong_code.text  # the code typed is not sent back
    assert "portal_case" not in wrong_code.headers.get("set-cookie", "")


async def test_wrong_codes_for_a_reference_slow_that_address_down(
    client, make_complaint, monkeypatch
):
    await make_complaint(reference="C26-SLOW0001", receipt_code="1" * 20)
    for n in range(5):
        assert (await open_case(client, "C26-SLOW0001", f"{n:020d}")).status_code == 400
    blocked = await open_case(client, "C26-SLOW0001", "1" * 20)
    assert blocked.status_code == 429
    assert "Too many wrong codes. Wait 1 minute and try again." in blocked.text
    later = clock.now() + timedelta(seconds=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (await open_case(client, "C26-SLOW0001", "1" * 20)).status_code == 303


async def test_of_40_parallel_wrong_codes_at_most_5_are_checked(
    client, make_complaint, monkeypatch
):
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # no delay runs out meanwhile
    await make_complaint(reference="C26-PARA0001", receipt_code="1" * 20)
    await csrf_token(client)
    answers = await asyncio.gather(
        *(open_case(client, "C26-PARA0001", f"{n:020d}") for n in range(2, 42))
    )
    checked = [a for a in answers if a.status_code == 400]
    assert len(checked) <= 5, len(checked)  # each counts the others recorded before it
    assert all(a.status_code == 429 for a in answers if a not in checked)


async def test_an_agency_that_knows_the_reference_cannot_lock_the_complainant_out(
    client, client_at, make_complaint, monkeypatch
):
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # no delay runs out meanwhile
    await make_complaint(reference="C26-VICT0001", receipt_code="1" * 20)
    agency = await client_at("198.51.100.30")
    answers = [
        (await open_case(agency, "C26-VICT0001", f"{n:020d}")).status_code for n in range(2, 22)
    ]
    assert answers == [400] * 5 + [429] * 15
    # The complainant, with the right code, gets in: at once, and again later.
    for _ in range(3):
        assert (await open_case(client, "C26-VICT0001", "1" * 20)).status_code == 303


async def test_right_codes_never_count(client, make_complaint):
    """An MRC office behind one address opens thirty workers' cases in a row."""
    for n in range(30):
        await make_complaint(reference=f"C26-OFFC{n:04d}", receipt_code=f"{n:020d}")
    for n in range(30):
        response = await open_case(client, f"C26-OFFC{n:04d}", f"{n:020d}")
        assert response.status_code == 303
    assert await RateLimitEvent.count() == 0


async def test_no_case_without_a_valid_session(client, make_agency):
    complaint = await make_complaint_row(make_agency)
    assert (await client.get("/my-case")).headers["location"] == "/complaints/check"
    client.cookies.set("portal_case", f"{complaint.id}.9999999999.forged", path="/my-case")
    assert (await client.get("/my-case")).headers["location"] == "/complaints/check"
    reply = await post_form(client, "/my-case/reply", {"body": "hello"})
    assert reply.status_code == 303 and await CaseEvent.count() == 0


async def make_complaint_row(make_agency):
    from portal.complaints.tables import Complaint

    agency = await make_agency()
    now = clock.now()
    row = Complaint(
        reference="C26-ROW00001",
        receipt_hash=services.receipt_hash("1" * 20),
        received_at=now,
        updated_at=now,
        filer="worker",
        contact_preference="phone",
        description="x",
        agency=agency.id,
    )
    await row.save()
    return row


async def test_a_session_ends_after_thirty_minutes(client, make_agency, monkeypatch):
    reference, code = await file_one(client, await make_agency())
    await open_case(client, reference, code)
    assert (await client.get("/my-case")).status_code == 200
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (await client.get("/my-case")).headers["location"] == "/complaints/check"


async def test_a_session_cookie_changed_to_name_another_case_opens_nothing(client, make_agency):
    agency = await make_agency()
    mine, my_code = await file_one(client, agency)
    other, _ = await file_one(client, agency)
    await open_case(client, mine, my_code)
    genuine = client.cookies["portal_case"]
    other_id = (await Complaint.select().where(Complaint.reference == other).first())["id"]
    payload = base64.urlsafe_b64encode(json.dumps([other_id, "0" * 16]).encode()).rstrip(b"=")
    client.cookies.set(
        "portal_case", payload.decode() + genuine[genuine.index(".") :], path="/my-case"
    )
    assert (await client.get("/my-case")).headers["location"] == "/complaints/check"
    cut = genuine.rindex(".") + 1  # the signature's first letter, changed
    forged = genuine[:cut] + ("A" if genuine[cut] != "A" else "B") + genuine[cut + 1 :]
    client.cookies.set("portal_case", forged, path="/my-case")
    assert (await client.get("/my-case")).headers["location"] == "/complaints/check"
    client.cookies.set("portal_case", genuine, path="/my-case")
    page = await client.get("/my-case")
    assert mine in page.text and other not in page.text


async def test_the_complainant_sees_only_what_is_meant_for_them(client, make_agency, make_user):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    officer = await make_user("officer")
    now = clock.now()
    for audience, body in (
        (Audience.complainant, "Please send a photo of your contract."),
        (Audience.internal, "Officer note: check the agency's history."),
        (Audience.agency, "Agency: please respond by Friday."),
    ):
        await services.add_event(complaint["id"], "message", audience, now, officer, body)
    await services.add_event(complaint["id"], "assigned", Audience.public, now, officer)
    await open_case(client, reference, code)
    page = await client.get("/my-case")
    assert "Please send a photo of your contract." in page.text
    assert "Message from the case officer" in page.text
    assert page.text.count("Message from the case officer") == 1
    assert "Case updated" in page.text  # a step without words for the complainant
    assert "Officer note" not in page.text and "please respond by Friday" not in page.text


async def test_a_reply_with_a_file_reaches_the_case_and_restarts_the_clock(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    paused_at = clock.now() - timedelta(hours=5)
    await Complaint.update({Complaint.paused_since: paused_at}).where(
        Complaint.id == complaint["id"]
    )
    await open_case(client, reference, code)
    await csrf_token(client)
    response = await client.post(
        "/my-case/reply",
        data={"_csrf_token": client.cookies["portal_csrf"], "body": "Here is my contract."},
        files={"attachments": ("contract.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    event = await CaseEvent.objects().get(CaseEvent.kind == "reply")
    assert event.by_complainant and event.audience == "complainant"
    assert event.body == "Here is my contract."
    stored = await CaseFile.objects().get(CaseFile.event == event.id)
    after = await Complaint.select().where(Complaint.id == complaint["id"]).first()
    assert after["paused_since"] is None
    assert after["stage_due_at"] - complaint["stage_due_at"] >= timedelta(hours=5)

    page = await client.get("/my-case")
    assert "Here is my contract." in page.text and "Your message" in page.text
    download = await client.get(f"/my-case/files/{stored.id}")
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)
    assert "attachment" in download.headers["content-disposition"]


async def test_an_empty_reply_is_refused_beside_the_field(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    await open_case(client, reference, code)
    response = await post_form(client, "/my-case/reply", {"body": "  "})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.text
    assert await CaseEvent.count() == 1  # only "filed"


async def test_files_of_other_cases_or_for_the_agency_are_not_found(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    other_ref, _ = await file_one(client, agency)
    mine = await Complaint.select().where(Complaint.reference == reference).first()
    other = await Complaint.select().where(Complaint.reference == other_ref).first()
    now = clock.now()
    for complaint_id, audience, name in (
        (other["id"], "complainant", "1" * 32 + ".pdf"),
        (mine["id"], "agency", "2" * 32 + ".pdf"),
        (mine["id"], "internal", "3" * 32 + ".pdf"),
    ):
        await CaseFile.insert(
            CaseFile(
                complaint=complaint_id,
                audience=audience,
                stored_name=name,
                filename="x.pdf",
                content_type="application/pdf",
                size=1,
                uploaded_at=now,
            )
        )
    await open_case(client, reference, code)
    for f in await CaseFile.select(CaseFile.id):
        assert (await client.get(f"/my-case/files/{f['id']}")).status_code == 404


async def test_the_complainant_sees_the_officer_acknowledge_and_leaves(
    client, make_agency, make_user
):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    await open_case(client, reference, code)
    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    await services.move(await make_user("officer"), complaint, Status.acknowledged, clock.now())
    page = await client.get("/my-case")
    assert "Acknowledged" in page.text and "Status: Acknowledged" in page.text

    left = await post_form(client, "/my-case/leave")
    assert left.status_code == 303
    assert (await client.get("/my-case")).status_code == 303


async def test_after_the_outcome_a_reply_asks_for_an_appeal(client, make_agency, make_user):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    officer = await make_user("officer")
    await services.move(officer, complaint, Status.dismissed, clock.now())
    await open_case(client, reference, code)
    page = await client.get("/my-case")
    assert "Dismissed" in page.text and "Write to the case officer" in page.text
    response = await post_form(client, "/my-case/reply", {"body": "I disagree; please reopen."})
    assert response.status_code == 303
    assert await CaseEvent.count().where(CaseEvent.kind == "reply") == 1
