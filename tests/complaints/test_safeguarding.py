"""Safeguarding: a child, abuse, or signs of forced labour or trafficking make a complaint
sensitive and priority as it is filed, and the supervisors hear at once (in the portal and
by e-mail, through a real SMTP server on 127.0.0.1); officers set or clear either mark with
a reason; the accused agency reads a sensitive case only as the officer words it."""

from __future__ import annotations

import socket
from dataclasses import replace
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal import clock
from portal.audit.tables import AuditEvent
from portal.complaints import services
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
)
from portal.notifications import mail
from portal.notifications.tables import Alert
from tests.complaints.test_intake import file_one
from tests.conftest import post_form, sign_in


class Inbox:
    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.received.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def inbox(settings):
    """An SMTP server on 127.0.0.1, and the settings that send to it."""
    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    controller.stop()


@pytest.fixture
async def people(make_user):
    return {
        "supervisor": await make_user("officer", is_supervisor=True, email="sup@test.example"),
        "admin": await make_user("admin", email="admin@test.example"),
        "officer": await make_user("officer", email="officer@test.example"),
    }


async def _filed(reference: str) -> Complaint:
    return await Complaint.objects().get(Complaint.reference == reference)


@pytest.mark.parametrize(
    "changes",
    [
        {"worker-0-age_band": "under_18"},
        {"grounds": ["abuse"]},
        {"grounds": ["unpaid_wages", "forced_labour"]},
    ],
    ids=["a child", "abuse", "forced labour"],
)
async def test_a_complaint_needing_safeguarding_is_marked_and_supervisors_hear_at_once(
    client, make_agency, people, inbox, changes
):
    handler, configured = inbox
    reference, _ = await file_one(client, await make_agency(), **changes)
    complaint = await _filed(reference)
    assert complaint.is_sensitive and complaint.is_priority
    alerted = await Alert.select(Alert.recipient, Alert.link).where(
        Alert.kind == "safeguarding_filed"
    )
    assert {a["recipient"] for a in alerted} == {people["supervisor"].id, people["admin"].id}
    assert {a["link"] for a in alerted} == {f"/cases/{complaint.id}"}

    assert await mail.send_due_mail(configured, clock.now()) == (2, 0)
    to = sorted(rcpt for rcpts, _ in handler.received for rcpt in rcpts)
    assert to == ["admin@test.example", "sup@test.example"]
    for _, message in handler.received:
        assert reference in message["Subject"] and "Priority" in message["Subject"]
        body = message.get_payload(decode=True).decode()
        assert "Sok Dara" not in body and "passport" not in body  # no one's details

    # The supervisor opens it from the alert (to assign it); another officer cannot.
    await sign_in(client, people["supervisor"])
    alerts = await client.get("/alerts")
    assert reference in alerts.text
    page = await client.get(f"/cases/{complaint.id}")
    assert page.status_code == 200 and "Priority" in page.text and "Sok Dara" in page.text
    client.cookies.clear()
    await sign_in(client, people["officer"])
    assert (await client.get(f"/cases/{complaint.id}")).status_code == 404
    queue = await client.get("/cases")
    assert reference in queue.text and "Priority" in queue.text


async def test_an_adult_with_other_grounds_is_neither_marked_nor_alerted(
    client, make_agency, people
):
    reference, _ = await file_one(client, await make_agency(), grounds=["unpaid_wages"])
    complaint = await _filed(reference)
    assert not complaint.is_sensitive and not complaint.is_priority
    assert await Alert.count() == 0


async def test_officers_set_and_clear_priority_with_a_reason(client, make_user, make_complaint):
    complaint = await make_complaint(status="acknowledged")
    officer = await make_user("officer")
    await sign_in(client, officer)
    url = f"/cases/{complaint.id}/priority"
    missing = await post_form(client, url, {"priority": "1", "priority_reason": ""})
    assert missing.status_code == 400 and 'id="e-priority_reason"' in missing.text
    assert not (await Complaint.objects().get(Complaint.id == complaint.id)).is_priority

    marked = await post_form(client, url, {"priority": "1", "priority_reason": "Worker at risk."})
    assert marked.status_code == 303
    assert (await Complaint.objects().get(Complaint.id == complaint.id)).is_priority
    page = await client.get(f"/cases/{complaint.id}")
    assert "Marked priority" in page.text and "Worker at risk." in page.text
    queue = await client.get("/cases")
    assert '<span class="badge bad">Priority</span>' in queue.text

    unmarked = await post_form(client, url, {"priority": "0", "priority_reason": "Now safe."})
    assert unmarked.status_code == 303
    assert not (await Complaint.objects().get(Complaint.id == complaint.id)).is_priority
    audited = await AuditEvent.select(AuditEvent.action, AuditEvent.summary).where(
        AuditEvent.action.like("complaint.priority%")
    )
    assert audited == [
        {"action": "complaint.priority_marked", "summary": "Worker at risk."},
        {"action": "complaint.priority_cleared", "summary": "Now safe."},
    ]


async def test_clearing_the_sensitive_mark_needs_a_reason(client, make_user, make_complaint):
    officer = await make_user("officer")
    complaint = await make_complaint(
        status="acknowledged", is_sensitive=True, assigned_officer=officer.id
    )
    await sign_in(client, officer)
    url = f"/cases/{complaint.id}/sensitive"
    missing = await post_form(client, url, {"sensitive": "0"})
    assert missing.status_code == 400 and 'id="e-sensitive_reason"' in missing.text
    cleared = await post_form(client, url, {"sensitive": "0", "sensitive_reason": "Misfiled."})
    assert cleared.status_code == 303
    assert not (await Complaint.objects().get(Complaint.id == complaint.id)).is_sensitive
    event = await CaseEvent.select(CaseEvent.body).where(CaseEvent.kind == "sensitive_cleared")
    assert event == [{"body": "Misfiled."}]


@pytest.fixture
async def agency_case(make_user, make_complaint, make_agency):
    """A sensitive case against an agency, whose complainant agreed to share who they are."""
    agency = await make_agency()
    officer = await make_user("officer")
    complaint = await make_complaint(
        status="acknowledged",
        agency=agency.id,
        is_sensitive=True,
        share_identity=True,
        assigned_officer=officer.id,
        complainant_name="Chanthy Hiddenname",
        phone="012 999 888",
        description="Locked in a dormitory in Johor by the supervisor.",
    )
    await ComplaintWorker.update(
        {ComplaintWorker.name: "Srey Workername", ComplaintWorker.id_number: "N0123456"}
    ).where(ComplaintWorker.complaint == complaint.id)
    await services.add_event(
        complaint.id,
        "status_changed",
        Audience.public,
        clock.now(),
        officer,
        "Dear Chanthy, we received your complaint.",
        "received",
        "acknowledged",
    )
    await ComplaintGround.insert(ComplaintGround(complaint=complaint.id, ground="forced_labour"))
    return {
        "complaint": complaint,
        "officer": officer,
        "staff": await make_user("agency", agency=agency.id),
    }


HIDDEN = ("Chanthy", "Hiddenname", "012 999 888", "Srey Workername", "N0123456", "Johor")


async def test_the_agency_reads_a_sensitive_case_only_as_the_officer_words_it(client, agency_case):
    complaint, officer = agency_case["complaint"], agency_case["officer"]
    await sign_in(client, officer)
    missing = await post_form(client, f"/cases/{complaint.id}/allegation", {"allegation": ""})
    assert missing.status_code == 400 and 'id="e-allegation"' in missing.text
    ask = {"request_message": "Tell us where the workers were housed."}
    refused = await post_form(client, f"/cases/{complaint.id}/request-response", ask)
    assert refused.status_code == 400
    assert "First write the allegation for the agency" in refused.text
    written = await post_form(
        client,
        f"/cases/{complaint.id}/allegation",
        {"allegation": "Workers recruited by your agency were confined at the workplace."},
    )
    assert written.status_code == 303
    asked = await post_form(client, f"/cases/{complaint.id}/request-response", ask)
    assert asked.status_code == 303
    client.cookies.clear()

    await sign_in(client, agency_case["staff"])
    listing = await client.get("/agency/complaints")
    assert complaint.reference in listing.text
    assert not any(secret in listing.text for secret in HIDDEN)
    for _ in range(2):
        page = await client.get(f"/agency/complaints/{complaint.id}")
        assert page.status_code == 200
        assert "confined at the workplace" in page.text
        assert "Tell us where the workers were housed." in page.text
        assert "Signs of forced labour or trafficking" in page.text  # the grounds
        assert "we received your complaint" not in page.text
        assert not any(secret in page.text for secret in HIDDEN), page.text
    opened = await AuditEvent.select(AuditEvent.actor, AuditEvent.object_id).where(
        AuditEvent.action == "complaint.sensitive_opened"
    )
    staff = agency_case["staff"].id
    assert opened[-2:] == [{"actor": staff, "object_id": complaint.reference}] * 2


async def test_without_the_sensitive_mark_the_agency_sees_who_consented(client, agency_case):
    complaint = agency_case["complaint"]
    await Complaint.update({Complaint.is_sensitive: False}).where(Complaint.id == complaint.id)
    await sign_in(client, agency_case["staff"])
    page = await client.get(f"/agency/complaints/{complaint.id}")
    assert "Chanthy Hiddenname" in page.text and "N0123456" in page.text
