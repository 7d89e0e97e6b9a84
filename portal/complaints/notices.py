"""Who hears what when a case changes: the one place for the rules.

- The complainant hears of each change that concerns them (acknowledged, a message or a
  question from the officer, the clock restarted by their answer, the agency's response,
  the outcome, closed, reopened) in the language they filed in, by the channel they chose
  on the form: an e-mail (the outbox) or an SMS (the SMS outbox). The partner that filed
  for them hears the same through its staff's alerts and e-mails. A notice says only what
  changed and to check the case with the receipt: never a name, a phone number, what the
  complaint says, or the receipt code (a phone or inbox is not always the worker's alone).
- Officers hear when the complainant's side writes or sends a file and when the agency
  responds: the assigned officer, or every officer when nobody is assigned (admins, for
  a sensitive case).
- Agency staff hear at once when their response is requested.

Each call runs inside the action's transaction: the notice is stored with the change or
not at all. The sending is the scheduler's (portal/notifications/jobs.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from portal import phones
from portal.complaints.tables import Complaint, ContactPreference
from portal.notifications import mail, messages, sms
from portal.notifications.services import Due, notify
from portal.notifications.watchers import admins, agency_staff, officers, partner_staff
from portal.settings import get_settings


class News(StrEnum):
    """What changed, as the complainant is told (the words: messages.NEWS)."""

    acknowledged = "acknowledged"
    message = "message"
    question = "question"  # a message that waits for an answer: the clock stops
    resumed = "resumed"  # their answer came: the clock runs again
    agency_responded = "agency_responded"
    outcome = "outcome"
    closed = "closed"
    reopened = "reopened"


async def _case(case_id: int) -> dict[str, Any]:
    row = await Complaint.select(
        Complaint.id,
        Complaint.reference,
        Complaint.contact_preference,
        Complaint.email,
        Complaint.phone,
        Complaint.language,
        Complaint.organisation,
        Complaint.agency,
        Complaint.assigned_officer,
        Complaint.is_sensitive,
        Complaint.province,
        Complaint.stage_due_at,
    ).where(Complaint.id == case_id)
    return row[0]


def _once(name: str, now: datetime) -> str:
    # An alert's key threshold: this change, at this moment (a later change is news again).
    return f"{name}.{int(now.timestamp() * 1_000_000)}"


async def tell_complainant(case_id: int, news: News, now: datetime) -> None:
    """Queue the notice of `news` for the complainant (by the channel they chose) and for
    the staff of the partner organisation that filed the complaint."""
    case = await _case(case_id)
    base_url = get_settings().base_url
    with messages.in_language(case["language"]):
        if case["contact_preference"] == ContactPreference.email and case["email"]:
            text = messages.complainant_email(news, base_url)
            await mail.queue(case["email"], text.subject, text.body, case["language"])
        number = phones.international(case["phone"]) if case["phone"] else None
        if case["contact_preference"] == ContactPreference.phone and number:
            await sms.queue(number, messages.complainant_sms(news, base_url), case["language"])
    if case["organisation"]:
        staff = await partner_staff(case["organisation"])
        link = f"/partner/complaints/{case_id}"
        await _alert(case, "case_news", _once(news, now), staff, now, link=link, news=news)


async def complainant_wrote(case_id: int, event_id: int, resumed: bool, now: datetime) -> None:
    """The complainant (or their partner) replied or sent a file: officers hear; when the
    answer restarted the clock, the complainant's side is told so."""
    case = await _case(case_id)
    await _alert(case, "complainant_replied", f"event{event_id}", await _officers(case), now)
    if resumed:
        await tell_complainant(case_id, News.resumed, now)


async def agency_responded(case_id: int, event_id: int, now: datetime) -> None:
    """The agency's response came: the officers and the complainant's side hear."""
    case = await _case(case_id)
    await _alert(case, "agency_responded", f"event{event_id}", await _officers(case), now)
    await tell_complainant(case_id, News.agency_responded, now)


async def response_requested(case_id: int, event_id: int, now: datetime) -> None:
    """The agency's staff hear at once that their response is requested, and by when
    (the deadline scan reminds them again 24 hours before it is due)."""
    case = await _case(case_id)
    staff = (await agency_staff([case["agency"]]))[case["agency"]]
    await _alert(
        case,
        "response_requested",
        f"event{event_id}",
        staff,
        now,
        due_at=case["stage_due_at"],
        link=f"/agency/complaints/{case_id}",
    )


async def _officers(case: dict[str, Any]) -> list[int]:
    if case["assigned_officer"]:
        return [case["assigned_officer"]]
    # Only admins may open an unassigned sensitive case: the other officers hear nothing.
    return await admins() if case["is_sensitive"] else await officers(case["province"])


async def _alert(
    case: dict[str, Any],
    kind: str,
    threshold: str,
    recipients: list[int],
    now: datetime,
    due_at: datetime | None = None,
    link: str = "",
    **params: str,
) -> None:
    """An alert (and its e-mail) about this case to these staff, once."""
    item = Due(
        kind=kind,
        record_type="complaint",
        record_id=case["id"],
        threshold=threshold,
        due_at=due_at or now,
        recipients=tuple(recipients),
        params={"reference": case["reference"], **params},
        link=link or f"/cases/{case['id']}",
    )
    await notify([item], now)
