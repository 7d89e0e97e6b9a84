"""Values the complaint pages refuse rather than store, coerce or fail on: control
characters in the officers' search and filters, queue cursors out of range, a "my case"
cookie whose case id no database holds, amounts with a third decimal or an exponent, an
unknown currency, an agency name longer than the registry keeps."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from portal.complaints.my_case import CASE_COOKIE
from portal.complaints.tables import Complaint
from portal.security import cookie_serializer
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint
from tests.conftest import post_form, sign_in

CONTROL = "This text contains an invisible control character. Remove it."
IN_THE_ADDRESS = "The address of this page contains an invisible control character."


def error_beside(response, field: str) -> str:
    found = re.search(rf'id="e-{re.escape(field)}">([^<]*)<', response.text)
    return html.unescape(found.group(1)) if found else ""


async def test_case_search_and_filters_refuse_nul(client, as_role, make_complaint):
    await as_role("officer")
    await make_complaint(complainant_name="Sok Dara")
    for url in ("/cases?province=Prey%00Veng", "/cases?%00=1", "/cases?ground=%7f"):
        response = await client.get(url)
        assert response.status_code == 400 and IN_THE_ADDRESS in response.text
    search = await post_form(client, "/cases/search", {"q": "Sok\x00"})
    assert search.status_code == 400 and CONTROL in search.text


@pytest.mark.parametrize(
    "cursor",
    [
        "0001-01-01T00:00:00+14:00_1",
        "9999-12-31T23:59:59-12:00_1",
        "2026-01-01T00:00:00_99999999999",
        "2026-13-01T00:00:00_1",
        "_",
        "9" * 5000,
    ],
)
async def test_a_queue_cursor_out_of_range_starts_from_the_first_page(
    client, as_role, make_complaint, cursor
):
    await as_role("officer")
    complaint = await make_complaint()
    response = await client.get("/cases", params={"after": cursor})
    assert response.status_code == 200
    assert complaint.reference in response.text


async def test_the_agency_list_cursor_too(client, make_user, make_complaint):
    agency_user = await make_user("agency")
    complaint = await make_complaint(status="awaiting_agency", agency=agency_user.agency)
    await sign_in(client, agency_user)
    response = await client.get("/agency/complaints", params={"after": "0001-01-01T00:00+14:00_1"})
    assert response.status_code == 200
    assert complaint.reference in response.text


@pytest.mark.parametrize(
    "payload", [[10**4000, "0123456789abcdef"], [2**31, "x"], ["1", "x"], [1, 2], "1", [1, "x", 3]]
)
async def test_a_my_case_cookie_naming_no_possible_case_goes_back_to_the_check(
    client, make_complaint, payload
):
    await make_complaint()
    value = cookie_serializer("my-case").dumps(payload)  # signed: only its content is odd
    response = await client.get("/my-case", headers={"cookie": f"{CASE_COOKIE}={value}"})
    assert response.status_code == 303
    assert response.headers["location"] == "/complaints/check"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1.005", "Use at most two decimals."),
        ("1500.001", "Use at most two decimals."),
        ("1e-999999", "Write the amount as a number, e.g. 1500."),
        ("1E5", "Write the amount as a number, e.g. 1500."),
        ("NaN", "Write the amount as a number, e.g. 1500."),
        ("Infinity", "Write the amount as a number, e.g. 1500."),
        ("-800", "Write the amount as a number, e.g. 1500."),
        ("٨٠٠", "Write the amount as a number, e.g. 1500."),
        ("9" * 5000, "Write the amount as a number, e.g. 1500."),
    ],
)
async def test_an_amount_is_refused_not_rounded(client, make_agency, amount, message):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    response = await post_complaint(client, {**fields, "amount_claimed": amount})
    assert response.status_code == 400
    assert error_beside(response, "amount_claimed") == message
    assert await Complaint.count() == 0


@pytest.mark.parametrize(("amount", "stored"), [("1,500.50", "1500.50"), ("1 500", "1500.00")])
async def test_an_amount_as_people_write_it_is_kept_exactly(client, make_agency, amount, stored):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    response = await post_complaint(client, {**fields, "amount_claimed": amount})
    assert response.status_code == 200
    row = await Complaint.select(Complaint.amount_claimed).first()
    assert row["amount_claimed"] == Decimal(stored)


async def test_an_unknown_currency_is_refused_not_taken_for_dollars(client, make_agency):
    agency = await make_agency()
    fields = complaint_fields(await form_token(client), agency.licence_number)
    response = await post_complaint(client, {**fields, "claim_currency": "XXX"})
    assert response.status_code == 400
    assert error_beside(response, "claim_currency") == "Choose the currency."
    assert await Complaint.count() == 0


async def test_a_compensation_with_a_third_decimal_is_refused(client, as_role, make_complaint):
    await as_role("officer")
    case = await make_complaint(status="investigation")
    sent = {"outcome": "compensation", "compensation": "1.005", "currency": "USD"}
    response = await post_form(client, f"/cases/{case.id}/outcome", sent)
    assert response.status_code == 400
    assert "Use at most two decimals." in response.text
    assert (await Complaint.select(Complaint.status).first())["status"] == "investigation"


async def test_an_unlisted_agency_name_longer_than_the_registry_keeps_is_refused(
    client, make_agency
):
    fields = complaint_fields(await form_token(client), "B" * 201, agency_unlisted="1")
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    assert error_beside(response, "agency_query") == "Keep this under 200 characters."
    assert await Complaint.count() == 0
