"""Filing a complaint without an account: the form, its rules, the agency look-up, group
complaints, attachments, the one transaction and its figures, and double submission."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta
from typing import Any

from PIL import Image

from portal.audit.tables import AuditEvent
from portal.complaints import services
from portal.complaints.tables import (
    CaseEvent,
    CaseFile,
    Complaint,
    ComplaintFigure,
    ComplaintGround,
    ComplaintWorker,
)
from portal.uploads import files_dir
from tests.checklists.conftest import PDF, jpeg_with_gps
from tests.conftest import csrf_token

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
REFERENCE = re.compile(r'id="receipt-reference">([^<]+)<')
CODE = re.compile(r'id="receipt-code">([^<]+)<')


async def form_token(client: Any, url: str = "/complaints/new") -> str:
    page = await client.get(url)
    assert page.status_code == 200
    return FORM_TOKEN.search(page.text).group(1)


def complaint_fields(token: str, agency_query: str, **changes: Any) -> dict[str, Any]:
    """A complete, valid intake form for one worker."""
    fields: dict[str, Any] = {
        "form_token": token,
        "agency_query": agency_query,
        "filer": "family",
        "complainant_name": "Sok Dara",
        "contact_preference": "phone",
        "phone": "012 345 678",
        "destination": "TH",
        "sector": "construction",
        "province": "Prey Veng",
        "grounds": ["excessive_fees", "documents_retained"],
        "description": "They kept my brother's passport and asked for $800 more.",
        "amount_claimed": "800",
        "claim_currency": "USD",
        "share_identity": "no",
        "worker-0-name": "Sok Vannak",
        "worker-0-sex": "man",
        "worker-0-age_band": "25_34",
        "worker-0-disability": "no",
        "action": "file",
    }
    fields.update(changes)
    return fields


async def post_complaint(
    client: Any, fields: dict[str, Any], files: Any = None, url: str = "/complaints/new"
) -> Any:
    data = {"_csrf_token": await csrf_token(client), **fields}
    # httpx sends multipart only when files are given; a browser always does for this form.
    return await client.post(
        url, data=data, files=files or {"attachments": ("", b"", "application/octet-stream")}
    )


def receipt_of(response: Any) -> tuple[str, str]:
    return REFERENCE.search(response.text).group(1), CODE.search(response.text).group(1)


async def file_one(client: Any, agency: Any, **changes: Any) -> tuple[str, str]:
    """File a valid complaint through the form; returns (reference, receipt code)."""
    token = await form_token(client)
    response = await post_complaint(
        client,
        complaint_fields(token, changes.pop("agency_query", agency.licence_number), **changes),
    )
    assert response.status_code == 200, response.text
    return receipt_of(response)


async def test_the_form_has_a_label_for_every_field(client):
    page = await client.get("/complaints/new")
    assert page.status_code == 200
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page.text))
    labelled = set(re.findall(r'<label for="([^"]+)"', page.text))
    assert ids and ids <= labelled
    assert FORM_TOKEN.search(page.text)
    assert 'enctype="multipart/form-data"' in page.text


async def test_a_worker_files_a_complaint_and_gets_a_receipt(client, make_agency):
    agency = await make_agency(licence_number="ML-0042", name_en="Golden Bridge Manpower")
    token = await form_token(client)
    response = await post_complaint(client, complaint_fields(token, "ML-0042"))

    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    assert "location" not in response.headers
    reference, code = receipt_of(response)
    digits = code.replace(" ", "")
    assert len(digits) >= 16 and digits.isdigit()
    assert "What happens next" in response.text and "Acknowledgement" in response.text

    complaint = await Complaint.objects().get(Complaint.reference == reference)
    assert complaint.agency == agency.id
    assert complaint.status == "received" and complaint.stage == "acknowledge"
    assert complaint.receipt_hash == services.receipt_hash(digits)
    assert digits not in complaint.receipt_hash
    assert complaint.stage_due_at - complaint.received_at == timedelta(hours=48)
    assert complaint.resolution_due_at > complaint.stage_due_at
    assert complaint.channel == "web" and complaint.filer == "family"
    assert complaint.amount_claimed == 800 and complaint.claim_currency == "USD"
    assert complaint.share_identity is False and complaint.workers_count == 1
    grounds = await ComplaintGround.select(ComplaintGround.ground).where(
        ComplaintGround.complaint == complaint.id
    )
    assert {g["ground"] for g in grounds} == {"excessive_fees", "documents_retained"}
    worker = await ComplaintWorker.objects().get(ComplaintWorker.complaint == complaint.id)
    assert (worker.name, worker.sex, worker.age_band) == ("Sok Vannak", "man", "25_34")
    event = await CaseEvent.objects().get(CaseEvent.complaint == complaint.id)
    assert (event.kind, event.audience) == ("filed", "public")

    month = services.month_key(complaint.received_at)
    figures = {r["key"]: r["value"] for r in await ComplaintFigure.select()}
    assert figures == {
        "status:received": 1,
        f"received:{month}": 1,
        "workers:man": 1,
        f"workers:{month}:man": 1,
    }
    audit = await AuditEvent.objects().get(AuditEvent.action == "complaint.filed")
    assert audit.object_id == reference and audit.summary == ""


async def test_a_group_complaint_adds_worker_blocks_and_keeps_the_answers(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number, action="add_worker")
    more = await post_complaint(client, fields)
    assert more.status_code == 200
    assert 'name="worker-1-sex"' in more.text and 'name="worker-2-sex"' not in more.text
    assert "They kept my brother&#39;s passport" in more.text  # everything kept
    assert 'value="Sok Vannak"' in more.text
    assert await Complaint.count() == 0

    fields.update(
        {
            "worker-1-sex": "woman",
            "worker-1-age_band": "18_24",
            "worker-1-disability": "yes",
            "worker-1-lgbtqia": "1",
            "action": "file",
        }
    )
    filed = await post_complaint(client, fields)
    assert filed.status_code == 200, filed.text
    complaint = await Complaint.objects().first()
    assert complaint.workers_count == 2
    woman = await ComplaintWorker.objects().get(ComplaintWorker.sex == "woman")
    assert woman.lgbtqia is True and woman.disability == "yes"
    month = services.month_key(complaint.received_at)
    figures = await services.figures(
        ["workers:woman", "workers:man", f"workers:{month}:woman", f"workers:{month}:man"]
    )
    assert set(figures.values()) == {1}


async def test_the_worker_limit_is_fifty(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fifty = {
        f"worker-{i}-{name}": value
        for i in range(50)
        for name, value in (("sex", "woman"), ("age_band", "25_34"), ("disability", "no"))
    }
    fields = complaint_fields(token, agency.licence_number, action="add_worker", **fifty)
    response = await post_complaint(client, fields)
    assert "at most 50 workers" in response.text
    assert 'name="worker-50-sex"' not in response.text
    assert 'value="add_worker"' not in response.text


async def test_errors_come_back_beside_their_fields_with_the_form_filled_in(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(
        token,
        agency.licence_number,
        filer="",
        grounds=[],
        description="",
        amount_claimed="lots",
        phone="",
        **{"worker-0-sex": ""},
    )
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    page = html.unescape(response.text)
    for message in (
        "Say who is filing the complaint.",
        "Tick at least one thing that went wrong.",
        "Tell us what happened.",
        "Write the amount as a number, e.g. 1500.",
        "Give a phone number, or choose another way to be contacted.",
        "Choose one (or “Prefer not to say”).",
    ):
        assert message in page
    assert 'id="e-description"' in response.text
    assert 'value="Sok Dara"' in response.text and 'value="lots"' in response.text
    assert f'value="{token}"' in response.text  # the same form: a resend still files once
    assert await Complaint.count() == 0
    assert await ComplaintFigure.count() == 0


async def test_the_agency_is_found_by_its_khmer_or_english_name(client, make_agency):
    agency = await make_agency(name_en="Mekong Star Recruitment", name_km="មេគង្គស្តារ")
    await make_agency(name_en="Other Agency")
    reference, _ = await file_one(client, agency, agency_query="មេគង្គស្តារ")
    assert (await Complaint.objects().get(Complaint.reference == reference)).agency == agency.id
    reference, _ = await file_one(client, agency, agency_query="mekong star recruitment")
    assert (await Complaint.objects().get(Complaint.reference == reference)).agency == agency.id


async def test_several_matches_are_offered_to_choose_from(client, make_agency):
    first = await make_agency(name_en="Angkor Manpower")
    second = await make_agency(name_en="Angkor Workers Link")
    token = await form_token(client)
    fields = complaint_fields(token, "angkor")
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    assert "Several agencies match" in response.text
    assert f'name="agency_id" value="{first.id}"' in response.text
    assert f'name="agency_id" value="{second.id}"' in response.text

    chosen = await post_complaint(client, {**fields, "agency_id": str(second.id)})
    assert chosen.status_code == 200
    assert (await Complaint.objects().first()).agency == second.id


async def test_an_unlicensed_broker_is_named_once_the_complainant_says_so(client, make_agency):
    await make_agency(name_en="Licensed Agency")
    token = await form_token(client)
    fields = complaint_fields(token, "Mr Chann's village broker")
    refused = await post_complaint(client, fields)
    assert refused.status_code == 400
    assert "No agency in the registry matches" in refused.text
    assert 'name="agency_unlisted"' in refused.text

    filed = await post_complaint(client, {**fields, "agency_unlisted": "1"})
    assert filed.status_code == 200
    complaint = await Complaint.objects().first()
    assert complaint.agency is None and complaint.broker_name == "Mr Chann's village broker"


async def test_suggestions_while_typing_list_at_most_ten_agencies(client, make_agency):
    for n in range(12):
        await make_agency(name_en=f"Phnom Penh Manpower {n:02d}")
    await make_agency(name_en="Siem Reap Jobs")
    response = await client.get("/complaints/agencies?q=phnom", headers={"hx-request": "true"})
    assert response.status_code == 200
    assert response.text.count('name="agency_id"') == 10
    assert "Siem Reap" not in response.text and "<html" not in response.text
    by_field = await client.get("/complaints/agencies?agency_query=Siem")
    assert by_field.text.count('name="agency_id"') == 1


async def test_a_double_click_files_one_complaint_and_shows_the_same_receipt(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number)
    first = await post_complaint(client, fields)
    again = await post_complaint(client, fields)
    assert first.status_code == again.status_code == 200
    assert receipt_of(first) == receipt_of(again)
    assert await Complaint.count() == 1
    assert (await services.figures(["status:received"]))["status:received"] == 1


async def test_two_posts_at_once_file_one_complaint(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number)
    responses = await asyncio.gather(*[post_complaint(client, fields) for _ in range(4)])
    assert {r.status_code for r in responses} == {200}
    assert len({receipt_of(r) for r in responses}) == 1
    assert await Complaint.count() == 1


async def test_the_same_form_sent_much_later_is_refused(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number)
    await post_complaint(client, fields)
    complaint = await Complaint.objects().first()
    await Complaint.update(
        {Complaint.received_at: complaint.received_at - timedelta(minutes=20)}
    ).where(Complaint.id == complaint.id)
    late = await post_complaint(client, fields)
    assert late.status_code == 409
    assert "already sent" in late.text
    assert CODE.search(late.text) is None
    assert await Complaint.count() == 1


async def test_attachments_are_stored_outside_the_web_root_without_metadata(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    files = [
        ("attachments", ("contract.pdf", PDF, "application/pdf")),
        ("attachments", ("passport photo.jpg", jpeg_with_gps(), "image/jpeg")),
    ]
    response = await post_complaint(client, complaint_fields(token, agency.licence_number), files)
    assert response.status_code == 200, response.text
    stored = await CaseFile.select().order_by(CaseFile.id)
    assert [f["filename"] for f in stored] == ["contract.pdf", "passport photo.jpg"]
    assert {f["audience"] for f in stored} == {"complainant"}
    photo = files_dir() / stored[1]["stored_name"][:2] / stored[1]["stored_name"]
    assert b"worker's home" not in photo.read_bytes()
    with Image.open(photo) as picture:
        assert not picture.getexif() and picture.size == (16, 8)
    assert "passport" not in stored[1]["stored_name"]


async def test_a_form_without_its_token_comes_back_with_a_new_one(client, make_agency):
    agency = await make_agency()
    response = await post_complaint(client, complaint_fields("", agency.licence_number))
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert FORM_TOKEN.search(response.text).group(1)
    assert await Complaint.count() == 0


async def test_the_form_and_receipt_speak_khmer(client, make_agency):
    agency = await make_agency()
    page = await client.get("/complaints/new?lang=km")
    assert '<html lang="km">' in page.text
    assert "File a complaint" not in page.text.split("<main", 1)[1]
    token = FORM_TOKEN.search(page.text).group(1)
    response = await post_complaint(client, complaint_fields(token, agency.licence_number))
    assert response.status_code == 200
    assert "What happens next" not in response.text
    assert receipt_of(response)


async def test_the_form_page_is_small_for_slow_phone_networks(client):
    page = await client.get("/complaints/new", headers={"accept-encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert int(page.headers.get("content-length", len(page.content))) <= 100 * 1024
    assert len(page.text) < 100 * 1024  # even uncompressed


async def test_what_happened_reads_the_same_on_the_form_and_the_case_page_in_both_languages(
    client, as_role, make_complaint
):
    complaint = await make_complaint()
    await as_role("officer")
    for lang, words in (("en", "What happened"), ("km", "អ្វីដែលបានកើតឡើង")):
        form = await client.get(f"/complaints/new?lang={lang}")
        case = await client.get(f"/cases/{complaint.id}?lang={lang}")
        assert f"<legend>{words}</legend>" in form.text
        assert f"<h2>{words}</h2>" in case.text
    assert "<legend>សកម្មភាព</legend>" not in form.text
