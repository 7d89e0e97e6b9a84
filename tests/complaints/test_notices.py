"""The complainant is told, not left to check: each change of their case reaches them once,
by the channel they chose on the form (SMS through a loopback HTTP gateway, e-mail through a
loopback SMTP server), in the language they filed in, and says nothing a stranger holding
their phone should read. Officers hear when the complainant or the agency writes; an agency
hears at once that its response is requested."""

from __future__ import annotations

import re
from dataclasses import replace
from email.header import decode_header, make_header

from portal import clock, i18n
from portal.complaints.tables import Complaint
from portal.notifications import mail, messages, outbox, sms
from portal.notifications.tables import Alert, OutboxMessage, SmsMessage
from tests import sms_gateway as gateway_fixtures
from tests.complaints.test_intake import complaint_fields, file_one, form_token, post_complaint
from tests.complaints.test_my_case import open_case
from tests.conftest import post_form, sign_in
from tests.notifications import test_mail as mail_fixtures

sms_gateway = gateway_fixtures.sms_gateway
smtp_server = mail_fixtures.smtp_server

KHMER = re.compile(r"[\u1780-\u17ff]")
DESCRIPTION = "They kept my brother's passport and asked for $800 more."


async def _deliver(settings, gateway=None, smtp_url: str = "") -> None:
    """Run the senders, hours apart, until both outboxes are empty (failures retried)."""
    configured = replace(settings, sms_url=gateway.url if gateway else "", smtp_url=smtp_url)
    now = clock.now()
    for _ in range(40):
        await sms.send_due_sms(configured, now)
        await mail.send_due_mail(configured, now)
        waiting = await SmsMessage.exists().where(SmsMessage.sent_at.is_null())
        if not waiting and not await OutboxMessage.exists().where(OutboxMessage.sent_at.is_null()):
            return
        now += outbox.LONGEST_RETRY
    raise AssertionError("messages still waiting")


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def _no_secrets(text: str, code: str, *more: str) -> None:
    digits = code.replace(" ", "")
    for secret in (code, digits, digits[:8], "Sok Dara", "Sok Vannak", DESCRIPTION, *more):
        assert secret not in text, secret


def _sms_in(language: str, news: str, base_url: str) -> str:
    with messages.in_language(language):
        return messages.complainant_sms(news, base_url)


async def test_a_complainant_who_filed_in_khmer_hears_each_change_once_by_sms(
    settings, client, client_at, make_agency, make_user, sms_gateway, smtp_server
):
    agency = await make_agency()
    staff = await make_user("agency", agency=agency.id)
    officer = await make_user("officer")
    await client.get("/complaints/new?lang=km")  # the worker's family files in Khmer
    reference, code = await file_one(client, agency, phone="០១២ ៣៤៥ ៦៧៨")
    case = await Complaint.objects().get(Complaint.reference == reference)
    assert case.language == "km"
    url = f"/cases/{case.id}"

    desk = await client_at("198.51.100.20")
    await sign_in(desk, officer)
    await post_form(desk, f"{url}/assign", {"officer": str(officer.id)})
    await post_form(desk, f"{url}/acknowledge", {"acknowledge_message": "We have it."})
    await post_form(desk, f"{url}/request-response", {"request_message": "Explain the fees."})
    # The agency hears at once, not only 24 hours before its response is due.
    asked = await Alert.objects().get(Alert.kind == "response_requested")
    assert asked.recipient == staff.id and asked.link == f"/agency/complaints/{case.id}"

    agency_side = await client_at("198.51.100.30")
    await sign_in(agency_side, staff)
    sent = await post_form(
        agency_side, f"/agency/complaints/{case.id}/response", {"response": "We refunded."}
    )
    assert sent.status_code == 303
    await post_form(
        desk, f"{url}/message", {"message_body": "Send your contract.", "asks_answer": "1"}
    )
    await open_case(client, reference, code)
    replied = await post_form(client, "/my-case/reply", {"body": "Here it is."})
    assert replied.status_code == 303
    await post_form(desk, f"{url}/message", {"message_body": "Thank you."})
    await post_form(desk, f"{url}/outcome", {"outcome": "settlement", "outcome_note": "Agreed."})
    await post_form(desk, f"{url}/close", {"close_note": "Done."})
    await post_form(desk, f"{url}/reopen", {"reopen_reason": "The worker appeals."})

    gateway = sms_gateway(0.3)
    handler, smtp_url = smtp_server(0.3)
    await _deliver(settings, gateway, smtp_url)
    await _deliver(settings, gateway, smtp_url)  # a second run sends nothing again

    news = ["acknowledged", "agency_responded", "question", "resumed", "message"]
    news += ["outcome", "closed", "reopened"]
    texts = gateway.texts_to("+85512345678")
    assert gateway.failed > 0  # some were retried
    assert sorted(texts) == sorted(_sms_in("km", n, settings.base_url) for n in news)
    assert len(gateway.received) == len(news)
    for text in texts:
        assert KHMER.search(text) and "/my-case" in text
        _no_secrets(text, code, reference, "012", "345", "៣៤៥", "Send your contract.")

    # Officers hear of the agency's response and the complainant's reply; the agency of
    # the request: each once, in the portal and by e-mail.
    kinds = {kind: [] for kind in ("agency_responded", "complainant_replied")}
    for row in await Alert.select().where(Alert.recipient == officer.id):
        kinds[row["kind"]].append(row["link"])
    assert kinds == {"agency_responded": [url], "complainant_replied": [url]}
    mails = sorted((m["To"], _subject(m)) for m in handler.received)
    assert mails == sorted(
        [
            (officer.email, f"New from the complainant on complaint {reference}"),
            (officer.email, f"The agency responded on complaint {reference}"),
            (staff.email, f"Your response is requested on complaint {reference}"),
        ]
    )
    for message in handler.received:
        _no_secrets(_body(message), code)


async def test_a_partner_filing_by_email_tells_the_worker_and_the_partner_staff(
    settings, client, as_role, make_user, make_complaint, smtp_server
):
    partner = await make_user("partner")
    colleague = await make_user("partner", organisation=partner.organisation)
    complaint = await make_complaint(
        contact_preference="email",
        email="worker@test.example",
        phone="012 345 678",
        organisation=partner.organisation,
        complainant_name="Sok Dara",
        description=DESCRIPTION,
        receipt_code="12345678901234567890",
    )
    await as_role("officer")
    url = f"/cases/{complaint.id}"
    await post_form(client, f"{url}/acknowledge", {})
    await post_form(client, f"{url}/outcome", {"outcome": "dismissed", "outcome_note": "No."})
    await post_form(client, f"{url}/close", {})

    handler, smtp_url = smtp_server(0.3)
    await _deliver(settings, smtp_url=smtp_url)
    to_worker = [m for m in handler.received if m["To"] == "worker@test.example"]
    news = [
        "The complaint has been acknowledged.",
        "An outcome has been recorded.",
        "The case has been closed.",
    ]
    assert sorted(_body(m).splitlines()[2] for m in to_worker) == sorted(news)
    assert {_subject(m) for m in to_worker} == {"News on your complaint"}
    assert [m["Content-Language"] for m in to_worker] == ["en"] * 3
    for person in (partner, colleague):
        theirs = [m for m in handler.received if m["To"] == person.email]
        assert (
            sorted(_subject(m) for m in theirs) == [f"News on complaint {complaint.reference}"] * 3
        )
        links = {row["link"] for row in await Alert.select().where(Alert.recipient == person.id)}
        assert links == {f"/partner/complaints/{complaint.id}"}
    assert len(handler.received) == 9
    for message in handler.received:
        _no_secrets(_body(message), "1234 5678 9012 3456 7890", "012 345 678")
    assert await SmsMessage.count() == 0  # e-mail was chosen, not SMS


async def test_who_chose_the_portal_only_gets_no_message(client, as_role, make_complaint):
    complaint = await make_complaint(
        contact_preference="portal_only", email="worker@test.example", phone="012 345 678"
    )
    await as_role("officer")
    await post_form(client, f"/cases/{complaint.id}/acknowledge", {})
    assert (await Complaint.objects().get(Complaint.id == complaint.id)).status == "acknowledged"
    assert await OutboxMessage.count() == 0 and await SmsMessage.count() == 0


async def test_the_form_takes_a_cambodian_mobile_however_it_is_written(client, make_agency):
    agency = await make_agency()
    for written, stored in [
        ("012 345 678", "012 345 678"),
        ("+855 12 345 678", "+855 12 345 678"),
        ("០១២ ៣៤៥ ៦៧៨", "012 345 678"),  # kept in the digits every phone dials
    ]:
        reference, _ = await file_one(client, agency, phone=written)
        assert (await Complaint.objects().get(Complaint.reference == reference)).phone == stored


async def test_a_number_that_cannot_take_a_text_is_refused_beside_the_field(client, make_agency):
    agency = await make_agency()
    for language, message in [
        ("en", "Write a phone number that can receive text messages, e.g. 012 345 678."),
        ("km", None),
    ]:
        token = await form_token(client, f"/complaints/new?lang={language}")
        refused = await post_complaint(
            client, complaint_fields(token, agency.licence_number, phone="12345")
        )
        assert refused.status_code == 400
        expected = message or i18n.catalog("km").gettext(
            "Write a phone number that can receive text messages, e.g. 012 345 678."
        )
        assert KHMER.search(expected) or language == "en"
        error = re.search(r'id="e-phone"[^>]*>([^<]*)<', refused.text)
        assert error and expected in error.group(1)
        assert 'value="12345"' in refused.text  # filled in again
    assert await Complaint.count() == 0


LANDLINE = (
    "This is a landline number, and text messages cannot reach it. Give a mobile number, "
    "or choose another way to be contacted."
)


async def test_a_landline_is_refused_when_the_notices_would_go_to_it_by_text(client, make_agency):
    agency = await make_agency()
    for language in ("en", "km"):
        token = await form_token(client, f"/complaints/new?lang={language}")
        refused = await post_complaint(
            client, complaint_fields(token, agency.licence_number, phone="023 990 123")
        )
        assert refused.status_code == 400
        expected = LANDLINE if language == "en" else i18n.catalog("km").gettext(LANDLINE)
        assert KHMER.search(expected) or language == "en"
        error = re.search(r'id="e-phone"[^>]*>([^<]*)<', refused.text)
        assert error and expected in error.group(1)
        assert 'value="023 990 123"' in refused.text  # filled in again
    assert await Complaint.count() == 0
    # With the notices by e-mail, the landline is a number to call: filed, and kept.
    reference, _ = await file_one(
        client,
        agency,
        contact_preference="email",
        email="dara@example.org",
        phone="023 990 123",
    )
    assert (await Complaint.objects().get(Complaint.reference == reference)).phone == "023 990 123"
    # A mobile number abroad takes texts: filed.
    await file_one(client, agency, phone="+66 81 234 5678")
    assert await Complaint.count() == 2


async def test_a_reply_on_an_unassigned_case_reaches_who_may_open_it(
    client, make_user, make_complaint
):
    officer, colleague, admin = (
        await make_user("officer"),
        await make_user("officer"),
        await make_user("admin"),
    )
    plain = await make_complaint(receipt_code="11112222333344445555")
    hidden = await make_complaint(receipt_code="66667777888899990000", is_sensitive=True)
    for case, code in [(plain, "11112222333344445555"), (hidden, "66667777888899990000")]:
        await open_case(client, case.reference, code)
        assert (await post_form(client, "/my-case/reply", {"body": "Any news?"})).status_code == 303

    async def heard(case) -> set[int]:
        rows = await Alert.select(Alert.recipient).where(
            (Alert.kind == "complainant_replied") & (Alert.record_id == case.id)
        )
        return {row["recipient"] for row in rows}

    assert await heard(plain) == {officer.id, colleague.id}
    # A sensitive case opens only for its officer and admins: nobody else hears of it.
    assert await heard(hidden) == {admin.id}
