"""The receipt: a reference and a secret code of 20 digits, shown once in the POST's
answer (never in a URL), stored only as a keyed hash, with the roadmap of what comes next."""

from __future__ import annotations

from piccolo.querystring import QueryString

from portal import clock, i18n
from portal.audit.tables import AuditEvent
from portal.complaints import services
from portal.complaints.tables import Complaint
from portal.deadlines.services import invalidate
from portal.deadlines.tables import DeadlinePolicy
from portal.i18n import format_datetime
from tests.complaints.test_intake import complaint_fields, file_one, form_token, post_complaint


async def test_the_receipt_shows_the_code_once_and_never_in_a_url(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    response = await post_complaint(client, complaint_fields(token, agency.licence_number))
    assert response.status_code == 200 and not response.is_redirect
    assert response.headers["cache-control"] == "no-store"
    code = response.text.split('id="receipt-code">')[1].split("<")[0]
    assert len(code.replace(" ", "")) == services.RECEIPT_DIGITS
    assert code.replace(" ", "") not in str(response.url)
    # A later visit to the form shows a fresh form, not the receipt.
    again = await client.get("/complaints/new")
    assert code not in again.text


async def test_the_code_is_stored_only_as_a_keyed_hash(client, make_agency):
    agency = await make_agency()
    reference, code = await file_one(client, agency)
    digits = code.replace(" ", "")
    complaint = await Complaint.select().where(Complaint.reference == reference).first()
    assert not any(digits in str(value) for value in complaint.values())
    assert complaint["receipt_hash"] == services.receipt_hash(digits)
    # Without the server's key the hash does not give the code back.
    assert complaint["receipt_hash"] != __import__("hashlib").sha256(digits.encode()).hexdigest()
    audit = await AuditEvent.select()
    assert not any(digits in str(row) for row in audit)


async def test_the_roadmap_gives_each_stage_in_phnom_penh_time(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    before = clock.now()
    response = await post_complaint(client, complaint_fields(token, agency.licence_number))
    complaint = await Complaint.objects().first()
    assert before <= complaint.received_at
    i18n.current_language.set("en")
    acknowledge = format_datetime(complaint.stage_due_at)
    resolution = format_datetime(complaint.resolution_due_at)
    text = response.text
    assert f"confirms it in writing by {acknowledge}" in text
    assert f"resolved by {resolution}" in text
    assert "within 5 working days of being asked" in text
    assert "You can appeal" in text


async def test_the_agency_response_time_follows_the_policy(client, make_agency):
    agency = await make_agency()
    await DeadlinePolicy.insert(
        DeadlinePolicy(
            stage="agency_response", amount=7, unit="working_days", updated_at=clock.now()
        )
    )
    invalidate()
    token = await form_token(client)
    response = await post_complaint(client, complaint_fields(token, agency.licence_number))
    assert "within 7 working days of being asked" in response.text


async def test_the_receipt_code_is_not_logged(client, make_agency, caplog):
    agency = await make_agency()
    caplog.set_level("DEBUG")
    _, code = await file_one(client, agency)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code.replace(" ", "") not in logged and code not in logged
    # The session table keeps no trace of it either.
    from portal.db import get_engine

    rows = await get_engine().run_querystring(QueryString("SELECT * FROM rate_limit_event"))
    assert not any(code.replace(" ", "") in str(r) for r in rows)


def test_references_use_the_unambiguous_letters_and_every_one_of_them():
    references = [services.new_reference(clock.now()) for _ in range(3000)]
    year = clock.now().astimezone(i18n.TIMEZONE).year % 100
    assert all(ref.startswith(f"C{year:02d}-") and len(ref) == 12 for ref in references)
    assert len(set(references)) == len(references)
    for position in range(4, 12):  # each letter of the tail, first to last, draws from all 31
        assert {ref[position] for ref in references} == set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
