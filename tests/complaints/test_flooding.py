"""A script cannot flood the complaint queue: a hidden field that only scripts fill in,
and a generous number of complaints per address and hour through the public form (partner
staff, signed in, are not limited)."""

from __future__ import annotations

import asyncio
import re

from portal.complaints.tables import Complaint
from portal.security import FILING_PER_ADDRESS
from tests.complaints.test_intake import complaint_fields, form_token, post_complaint
from tests.complaints.test_partner import partner_files
from tests.conftest import csrf_token, sign_in

TRAP = re.compile(
    r'<div class="([^"]*)">\s*<label for="f-website">([^<]*)</label>\s*<input ([^>]*)>'
)


async def test_the_trap_field_is_hidden_from_sight_and_the_tab_key(client):
    page = await client.get("/complaints/new")
    box, label, field = TRAP.search(page.text).groups()
    assert "visually-hidden" in box
    assert label == "Leave this field empty."  # what a screen reader announces
    assert 'name="website"' in field and 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


async def test_a_form_with_the_trap_filled_in_files_nothing(client, make_agency):
    agency = await make_agency()
    token = await form_token(client)
    fields = complaint_fields(token, agency.licence_number, website="http://cheap-visas.example")
    response = await post_complaint(client, fields)
    assert response.status_code == 400
    assert await Complaint.count() == 0
    # Should a person have filled it in after all, it shows, with what to do.
    box, _, _ = TRAP.search(response.text).groups()
    assert "visually-hidden" not in box
    assert "Leave this field empty." in response.text.split('id="f-website"')[1][:300]


async def test_a_burst_of_complaints_from_one_address_stops_at_the_limit(client, make_agency):
    agency = await make_agency()
    await csrf_token(client)
    tokens = [await form_token(client) for _ in range(FILING_PER_ADDRESS.free + 10)]
    answers = await asyncio.gather(
        *(post_complaint(client, complaint_fields(t, agency.licence_number)) for t in tokens)
    )
    filed = await Complaint.count()
    assert filed <= FILING_PER_ADDRESS.free
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == len(tokens) - filed
    # The form comes back as it was sent, with the reason.
    assert "Many complaints have come from your connection." in refused[0].text
    assert "asked for $800 more" in refused[0].text


async def test_an_office_files_thirty_in_an_hour_and_partners_file_on(
    client, client_at, make_agency, make_user
):
    agency = await make_agency()
    for _ in range(FILING_PER_ADDRESS.free):
        token = await form_token(client)
        response = await post_complaint(client, complaint_fields(token, agency.licence_number))
        assert response.status_code == 200
    token = await form_token(client)
    response = await post_complaint(client, complaint_fields(token, agency.licence_number))
    assert response.status_code == 429

    elsewhere = await client_at("198.51.100.40")
    token = await form_token(elsewhere)
    response = await post_complaint(elsewhere, complaint_fields(token, agency.licence_number))
    assert response.status_code == 200

    # Partner staff at the limited address, signed in, file on.
    partner = await client_at("203.0.113.7")
    await sign_in(partner, await make_user("partner"))
    await partner_files(partner, agency)
    assert await Complaint.count() == FILING_PER_ADDRESS.free + 2
