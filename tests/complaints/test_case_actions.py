"""An officer works a case from receipt to closing and an appeal, through the pages: each
step changes the status only as the workflow allows, lands on the timeline and in the
audit log; a refused step says why and changes nothing."""

from __future__ import annotations

from portal import clock
from portal.audit.tables import AuditEvent
from portal.complaints import services
from portal.complaints.tables import CaseEvent, CaseFile, Complaint
from tests.checklists.conftest import PDF
from tests.conftest import post_form
from tests.files import pdf_text


async def _case(complaint_id: int) -> Complaint:
    return await Complaint.objects().get(Complaint.id == complaint_id)


async def _kinds(complaint_id: int) -> list[tuple[str, str]]:
    rows = (
        await CaseEvent.select(CaseEvent.kind, CaseEvent.audience)
        .where(CaseEvent.complaint == complaint_id)
        .order_by(CaseEvent.id)
    )
    return [(row["kind"], row["audience"]) for row in rows]


async def test_a_case_from_receipt_to_closing_and_appeal(client, as_role, make_complaint):
    officer = await as_role("officer")
    complaint = await make_complaint(status="received")
    url = f"/cases/{complaint.id}"

    page = await client.get(url)
    assert page.status_code == 200
    assert complaint.reference in page.text and "Acknowledge" in page.text
    assert "Close the case" not in page.text  # not allowed from "received"

    done = await post_form(client, f"{url}/acknowledge", {"acknowledge_message": "We have it."})
    assert done.status_code == 303 and done.headers["location"] == url
    assert (await _case(complaint.id)).status == "acknowledged"

    # A request without words is refused beside the field, nothing changes.
    empty = await post_form(client, f"{url}/request-response", {"request_message": " "})
    assert empty.status_code == 400
    assert 'id="e-request_message"' in empty.text
    assert (await _case(complaint.id)).status == "acknowledged"

    await post_form(
        client, f"{url}/request-response", {"request_message": "Explain the fees charged."}
    )
    case = await _case(complaint.id)
    assert case.status == "awaiting_agency" and case.stage == "agency_response"
    assert case.stage_due_at > clock.now()

    # Closing now skips the outcome: the workflow refuses, and the page says so.
    refused = await post_form(client, f"{url}/close", {})
    assert refused.status_code == 400
    assert "cannot become" in refused.text
    assert (await _case(complaint.id)).status == "awaiting_agency"

    await post_form(client, f"{url}/investigate", {})
    assert (await _case(complaint.id)).status == "investigation"

    wrong = await post_form(
        client,
        f"{url}/outcome",
        {"outcome": "compensation", "compensation": "twelve", "currency": "", "outcome_note": "x"},
    )
    assert wrong.status_code == 400
    assert 'id="e-compensation"' in wrong.text and 'id="e-currency"' in wrong.text
    assert 'value="twelve"' in wrong.text  # the form comes back filled in
    assert (await _case(complaint.id)).status == "investigation"

    recorded = await post_form(
        client,
        f"{url}/outcome",
        {
            "outcome": "compensation",
            "compensation": "1500.50",
            "currency": "USD",
            "sanction": "warning",
            "outcome_note": "The agency repays the fees.",
        },
        files={"minutes": ("minutes.pdf", PDF, "application/pdf")},
    )
    assert recorded.status_code == 303, recorded.text
    case = await _case(complaint.id)
    assert case.status == "resolved" and case.outcome == "compensation"
    assert case.sanction == "warning" and case.compensation_currency == "USD"
    month = services.month_key(clock.now())
    assert (await services.figures([f"compensation:{month}:USD"])) == {
        f"compensation:{month}:USD": 150050
    }
    minutes = await CaseFile.objects().first()
    assert minutes.audience == "internal" and minutes.filename == "minutes.pdf"
    download = await client.get(f"{url}/files/{minutes.id}")
    assert download.status_code == 200 and pdf_text(download.content) == pdf_text(PDF)

    await post_form(client, f"{url}/close", {"close_note": "Paid in full."})
    case = await _case(complaint.id)
    assert case.status == "closed" and case.closed_at is not None and not case.is_open

    no_reason = await post_form(client, f"{url}/reopen", {"reopen_reason": ""})
    assert no_reason.status_code == 400 and (await _case(complaint.id)).status == "closed"
    await post_form(client, f"{url}/reopen", {"reopen_reason": "The worker appeals: unpaid."})
    case = await _case(complaint.id)
    assert case.status == "investigation" and case.closed_at is None and case.is_open

    page = await client.get(url)
    assert "Reopened on appeal" in page.text and "The worker appeals: unpaid." in page.text
    assert await _kinds(complaint.id) == [
        ("status_changed", "public"),
        ("status_changed", "public"),
        ("response_requested", "agency"),
        ("status_changed", "public"),
        ("status_changed", "public"),
        ("outcome", "public"),
        ("status_changed", "public"),
        ("reopened", "public"),
    ]
    audited = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.actor)
        .where(AuditEvent.object_id == complaint.reference)
        .order_by(AuditEvent.id)
    )
    assert {row["actor"] for row in audited} == {officer.id}  # each step names who did it
    assert [row["action"] for row in audited] == [
        "complaint.status_changed",
        "complaint.status_changed",
        "complaint.status_changed",
        "complaint.status_changed",
        "complaint.outcome_recorded",
        "complaint.status_changed",
        "complaint.reopened",
    ]


async def test_a_second_outcome_replaces_the_first_compensation(client, as_role, make_complaint):
    await as_role("officer")
    complaint = await make_complaint(status="investigation")
    url = f"/cases/{complaint.id}"
    month = services.month_key(clock.now())
    key = f"compensation:{month}:KHR"
    await post_form(
        client,
        f"{url}/outcome",
        {"outcome": "settlement", "compensation": "400000", "currency": "KHR"},
    )
    assert (await services.figures([key]))[key] == 40_000_000
    await post_form(client, f"{url}/investigate", {"investigate_note": "Agency did not pay."})
    await post_form(
        client,
        f"{url}/outcome",
        {"outcome": "compensation", "compensation": "600000", "currency": "KHR"},
    )
    assert (await services.figures([key]))[key] == 60_000_000


async def test_notes_messages_assignment_and_the_paused_clock(
    client, as_role, make_user, make_complaint
):
    await as_role("officer")
    colleague = await make_user("officer", full_name="Chantha Colleague")
    complaint = await make_complaint(status="acknowledged")
    url = f"/cases/{complaint.id}"

    bad = await post_form(client, f"{url}/assign", {"officer": "999999"})
    assert bad.status_code == 400 and 'id="e-officer"' in bad.text
    await post_form(client, f"{url}/assign", {"officer": str(colleague.id)})
    assert (await _case(complaint.id)).assigned_officer == colleague.id

    await post_form(client, f"{url}/note", {"note_body": "Called the agency, no answer."})
    sent = await post_form(
        client,
        f"{url}/message",
        {"message_body": "Please send your contract.", "asks_answer": "1"},
    )
    assert sent.status_code == 303
    case = await _case(complaint.id)
    assert case.paused_since is not None  # waiting on the complainant: the clock stops

    page = await client.get(url)
    assert "Called the agency, no answer." in page.text
    assert "Please send your contract." in page.text
    assert "Chantha Colleague" in page.text
    assert "Paused" in page.text
    assert await _kinds(complaint.id) == [
        ("assigned", "internal"),
        ("note", "internal"),
        ("message", "complainant"),
    ]


async def test_someone_else_moved_it_meanwhile(client, as_role, make_complaint):
    """The page was loaded while the case was received; another officer acknowledged it."""
    await as_role("officer")
    complaint = await make_complaint(status="acknowledged")
    again = await post_form(client, f"/cases/{complaint.id}/acknowledge", {})
    assert again.status_code == 400
    assert "cannot become" in again.text
    assert (await _case(complaint.id)).status == "acknowledged"
