"""The facts investigators need: the employer abroad, the dates, the sub-agent and each
worker's ID on the forms; each worker of a group on the case page with their share of the
compensation; officers correcting the facts with a reason; referrals to other
authorities; the intake channels partners choose from."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.audit.tables import AuditEvent
from portal.complaints.tables import CaseEvent, CaseReferral, Complaint, ComplaintWorker
from tests.complaints.test_intake import (
    complaint_fields,
    file_one,
    form_token,
    post_complaint,
    receipt_of,
)
from tests.complaints.test_partner import NEW
from tests.conftest import post_form, sign_in

FACTS = {
    "employer_name": "Johor Palm Holdings",
    "employer_country": "MY",
    "employer_city": "Johor Bahru",
    "recruited_on": "2026-03-02",
    "departed_on": "2026-04-15",
    "subagent_name": "Mr Sokha Broker",
    "subagent_phone": "097 111 2222",
    "subagent_village": "Prey Kabbas",
    "worker-0-id_number": "N0987654",
}


async def _complaint(reference: str) -> Complaint:
    return await Complaint.objects().get(Complaint.reference == reference)


async def test_the_form_takes_the_employer_dates_broker_and_id(client, make_agency, make_user):
    agency = await make_agency()
    reference, _ = await file_one(client, agency, **FACTS)
    complaint = await _complaint(reference)
    assert (complaint.employer_name, complaint.employer_country, complaint.employer_city) == (
        "Johor Palm Holdings",
        "MY",
        "Johor Bahru",
    )
    assert complaint.recruited_on == dt.date(2026, 3, 2)
    assert complaint.departed_on == dt.date(2026, 4, 15)
    assert (complaint.subagent_name, complaint.subagent_village) == (
        "Mr Sokha Broker",
        "Prey Kabbas",
    )
    worker = await ComplaintWorker.objects().get(ComplaintWorker.complaint == complaint.id)
    assert worker.id_number == "N0987654"

    await sign_in(client, await make_user("officer"))
    page = await client.get(f"/cases/{complaint.id}")
    for shown in (
        "Johor Palm Holdings",
        "Johor Bahru",
        "Mr Sokha Broker",
        "097 111 2222",
        "N0987654",
    ):
        assert shown in page.text
    assert "Mar 2, 2026" in page.text and "Apr 15, 2026" in page.text

    # The agency, without the complainant's consent, sees neither names nor the ID.
    client.cookies.clear()
    await sign_in(client, await make_user("agency", agency=agency.id))
    seen = await client.get(f"/agency/complaints/{complaint.id}")
    assert seen.status_code == 200
    assert "N0987654" not in seen.text and "Sok Vannak" not in seen.text
    assert "Johor Palm Holdings" in seen.text


async def test_the_facts_are_optional(client, make_agency):
    reference, _ = await file_one(client, await make_agency())
    complaint = await _complaint(reference)
    assert complaint.recruited_on is None and complaint.employer_name == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"recruited_on": "March"}, "recruited_on", "Enter a date like 2026-12-31."),
        (
            {"recruited_on": "2026-05-01", "departed_on": "2026-04-01"},
            "departed_on",
            "The departure cannot be before the recruitment.",
        ),
        ({"employer_country": "XX"}, "employer_country", "Choose a country from the list."),
        ({"subagent_phone": "call him"}, "subagent_phone", "Write the phone number with digits"),
    ],
)
async def test_a_wrong_fact_comes_back_beside_its_field(
    client, make_agency, changes, field, message
):
    agency = await make_agency()
    token = await form_token(client)
    response = await post_complaint(
        client,
        complaint_fields(token, agency.licence_number, employer_name="Kept Employer", **changes),
    )
    assert response.status_code == 400
    assert f'id="e-{field}"' in response.text and message in response.text
    assert 'value="Kept Employer"' in response.text  # filled in as sent
    assert await Complaint.count() == 0


@pytest.mark.parametrize("channel", ["embassy", "provincial_labour", "letter"])
async def test_partners_record_the_new_intake_channels(client, make_agency, make_user, channel):
    await sign_in(client, await make_user("partner"))
    page = await client.get(NEW)
    assert "Embassy or labour attaché abroad" in page.text and "Letter" in page.text
    token = await form_token(client, NEW)
    agency = await make_agency()
    fields = complaint_fields(token, agency.licence_number, channel=channel, **FACTS)
    response = await post_complaint(client, fields, url=NEW)
    assert response.status_code == 200, response.text
    reference, _ = receipt_of(response)
    complaint = await _complaint(reference)
    assert complaint.channel == channel and complaint.subagent_name == "Mr Sokha Broker"


async def test_each_worker_of_a_group_and_their_share_of_the_compensation(
    client, make_user, make_complaint
):
    complaint = await make_complaint(status="investigation", compensation_currency="")
    await ComplaintWorker.insert(
        ComplaintWorker(
            complaint=complaint.id,
            name="Second Worker",
            sex="man",
            age_band="18_24",
            disability="yes",
            lgbtqia=True,
        )
    )
    await sign_in(client, await make_user("officer"))
    page = await client.get(f"/cases/{complaint.id}")
    rows = page.text.split('<table class="workers">')[1].split("</table>")[0]
    assert rows.count("<tr>") == 3  # the header and two workers
    for shown in ("Woman", "25 to 34", "Second Worker", "Man", "18 to 24", "Yes"):
        assert shown in rows
    assert 'name="worker_compensation-1"' in page.text

    too_much = await post_form(
        client,
        f"/cases/{complaint.id}/outcome",
        {
            "outcome": "compensation",
            "compensation": "1000",
            "currency": "USD",
            "worker_compensation-0": "600",
            "worker_compensation-1": "500",
        },
    )
    assert too_much.status_code == 400
    assert "The workers&#39; amounts add up to more than the total." in too_much.text
    assert (await Complaint.objects().get(Complaint.id == complaint.id)).status == "investigation"

    # Without a total, the shares add up to it.
    recorded = await post_form(
        client,
        f"/cases/{complaint.id}/outcome",
        {
            "outcome": "compensation",
            "currency": "USD",
            "worker_compensation-0": "600",
            "worker_compensation-1": "450.50",
        },
    )
    assert recorded.status_code == 303
    case = await Complaint.objects().get(Complaint.id == complaint.id)
    assert case.compensation == Decimal("1050.50") and case.compensation_currency == "USD"
    shares = (
        await ComplaintWorker.select(ComplaintWorker.compensation)
        .where(ComplaintWorker.complaint == complaint.id)
        .order_by(ComplaintWorker.id)
    )
    assert [row["compensation"] for row in shares] == [Decimal("600"), Decimal("450.50")]
    page = await client.get(f"/cases/{complaint.id}")
    assert "$450.50" in page.text and "$1,050.50" in page.text


async def test_an_officer_corrects_the_agency_and_the_destination(
    client, make_user, make_agency, make_complaint
):
    wrong, right = (
        await make_agency(licence_number="ML-0001"),
        await make_agency(licence_number="ML-0002"),
    )
    complaint = await make_complaint(status="acknowledged", agency=wrong.id, destination="TH")
    officer = await make_user("officer")
    await sign_in(client, officer)
    url = f"/cases/{complaint.id}/facts"
    page = await client.get(url)
    assert page.status_code == 200 and 'value="ML-0001"' in page.text

    fields = {"licence_number": "ML-0002", "destination": "MY", "correction_reason": ""}
    missing = await post_form(client, url, fields)
    assert missing.status_code == 400 and 'id="e-correction_reason"' in missing.text
    unknown = await post_form(
        client, url, {**fields, "licence_number": "ML-9999", "correction_reason": "Wrong pick."}
    )
    assert unknown.status_code == 400
    assert "No agency in the registry has this licence number." in unknown.text
    case = await Complaint.objects().get(Complaint.id == complaint.id)
    assert (case.agency, case.destination) == (wrong.id, "TH")  # nothing half-saved

    saved = await post_form(client, url, {**fields, "correction_reason": "Wrong agency picked."})
    assert saved.status_code == 303
    case = await Complaint.objects().get(Complaint.id == complaint.id)
    assert (case.agency, case.destination) == (right.id, "MY")
    page = await client.get(f"/cases/{complaint.id}")
    assert "Facts corrected" in page.text and "Wrong agency picked." in page.text
    assert "ML-0001 → ML-0002" in page.text and "TH → MY" in page.text
    audit = await AuditEvent.select(AuditEvent.summary).where(
        AuditEvent.action == "complaint.facts_corrected"
    )
    assert audit == [{"summary": "destination: TH → MY; agency: ML-0001 → ML-0002"}]


async def test_an_unlicensed_broker_is_linked_to_a_licensed_agency(
    client, make_user, make_agency, make_complaint
):
    agency = await make_agency(licence_number="ML-0077")
    complaint = await make_complaint(status="acknowledged", broker_name="Mr Kim")
    await sign_in(client, await make_user("officer"))
    saved = await post_form(
        client,
        f"/cases/{complaint.id}/facts",
        {
            "licence_number": "ml-0077",
            "broker_name": "Mr Kim",
            "correction_reason": "He works for ML-0077.",
        },
    )
    assert saved.status_code == 303
    case = await Complaint.objects().get(Complaint.id == complaint.id)
    assert case.agency == agency.id and case.broker_name == "Mr Kim"


async def test_a_referral_is_recorded_with_date_authority_and_reference(
    client, make_user, make_complaint
):
    complaint = await make_complaint(status="investigation")
    officer = await make_user("officer")
    await sign_in(client, officer)
    url = f"/cases/{complaint.id}/referral"
    future = await post_form(
        client, url, {"authority": "anti_trafficking_police", "referred_on": "2999-01-01"}
    )
    assert future.status_code == 400 and 'id="e-referred_on"' in future.text
    none = await post_form(client, url, {"authority": "", "referred_on": "2026-11-20"})
    assert none.status_code == 400 and 'id="e-authority"' in none.text
    assert await CaseReferral.count() == 0

    saved = await post_form(
        client,
        url,
        {
            "authority": "anti_trafficking_police",
            "referred_on": "2026-11-20",
            "authority_reference": "ATP-2026-118",
        },
    )
    assert saved.status_code == 303
    page = await client.get(f"/cases/{complaint.id}")
    assert "Anti-trafficking police" in page.text and "ATP-2026-118" in page.text
    assert "Referred to another authority" in page.text  # on the timeline
    event = await CaseEvent.select(CaseEvent.audience).where(CaseEvent.kind == "referred")
    assert event == [{"audience": "internal"}]  # the agency does not learn of it
    audit = await AuditEvent.select(AuditEvent.summary).where(
        AuditEvent.action == "complaint.referred"
    )
    assert audit == [{"summary": "anti_trafficking_police 2026-11-20 ATP-2026-118"}]
