"""The queue marks a case with something new since its assigned officer last opened it
(the complainant's reply or file, the agency's response, another officer's message), and
"new since I last looked" lists the officer's own such cases."""

from __future__ import annotations

import re

from portal import clock
from portal.complaints import services
from portal.complaints.tables import Audience
from tests.conftest import post_form, sign_in

NEW = "New since last opened"


def marked(page_text: str) -> list[str]:
    """The references of the rows marked new."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page_text, re.S)
    return [re.search(r">(C26-[0-9A-Z]+)</a>", r).group(1) for r in rows if NEW in r]


async def test_a_reply_and_an_agency_response_are_new_until_the_officer_opens_the_case(
    client, client_at, make_user, make_complaint
):
    officer = await make_user("officer")
    agency_staff = await make_user("agency")
    replied = await make_complaint(
        status="acknowledged", assigned_officer=officer.id, receipt_code="1" * 20
    )
    answered = await make_complaint(
        status="awaiting_agency", assigned_officer=officer.id, agency=agency_staff.agency
    )
    quiet = await make_complaint(status="acknowledged", assigned_officer=officer.id)
    await sign_in(client, officer)
    assert marked((await client.get("/cases")).text) == []

    complainant = await client_at("198.51.100.20")
    opened = await post_form(
        complainant, "/complaints/check", {"reference": replied.reference, "code": "1" * 20}
    )
    assert opened.status_code == 303
    reply = await post_form(complainant, "/my-case/reply", {"body": "Here is my contract."})
    assert reply.status_code == 303
    agency = await client_at("198.51.100.21")
    await sign_in(agency, agency_staff)
    response = await post_form(
        agency, f"/agency/complaints/{answered.id}/response", {"response": "We refunded it."}
    )
    assert response.status_code == 303

    queue = (await client.get("/cases")).text
    assert sorted(marked(queue)) == sorted([replied.reference, answered.reference])
    news = (await client.get("/cases", params={"news": "1"})).text
    assert sorted(re.findall(r">(C26-[0-9A-Z]+)</a>", news)) == sorted(
        [replied.reference, answered.reference]
    )
    assert quiet.reference not in news

    assert (await client.get(f"/cases/{replied.id}")).status_code == 200
    assert marked((await client.get("/cases")).text) == [answered.reference]
    news = (await client.get("/cases", params={"news": "1"})).text
    assert re.findall(r">(C26-[0-9A-Z]+)</a>", news) == [answered.reference]


async def test_the_officers_own_actions_are_not_news_but_a_colleagues_are(
    client, client_at, make_user, make_complaint
):
    officer, colleague = await make_user("officer"), await make_user("officer")
    case = await make_complaint(status="acknowledged", assigned_officer=officer.id)
    await sign_in(client, officer)
    note = await post_form(client, f"/cases/{case.id}/note", {"note_body": "Called the agency."})
    assert note.status_code == 303
    assert marked((await client.get("/cases")).text) == []
    await services.add_event(
        case.id, "note", Audience.internal, clock.now(), colleague, "I know this broker."
    )
    assert marked((await client.get("/cases")).text) == [case.reference]
    # The colleague opening the case does not make it seen for the assigned officer.
    theirs = await client_at("198.51.100.22")
    await sign_in(theirs, colleague)
    assert (await theirs.get(f"/cases/{case.id}")).status_code == 200
    assert marked((await client.get("/cases")).text) == [case.reference]
    await client.get(f"/cases/{case.id}")
    assert marked((await client.get("/cases")).text) == []
