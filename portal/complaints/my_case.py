"""The complainant's side of a case ("check my case"): opening it with the reference and
receipt code (rate-limited), the short session cookie, the public timeline and files,
and replies to the case officer (from the complainant or their partner)."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadData

from portal import db, security, uploads
from portal.access import MAX_ID, or_404
from portal.audit import services as audit
from portal.complaints import access, notices, services
from portal.complaints.states import Status
from portal.complaints.tables import (
    Audience,
    CaseEvent,
    CaseFile,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
    Ground,
)
from portal.errors import DomainError, FormErrors, Throttled
from portal.i18n import gettext as _

CASE_COOKIE = "portal_case"
CASE_COOKIE_PATH = "/my-case"
CASE_SESSION = timedelta(minutes=30)

# Wrong codes for one reference from one address: after 5, each next try waits longer.
# A right code never counts, and wrong codes sent from elsewhere (an agency that knows the
# reference) never hold up the complainant's.
CHECK_PER_ADDRESS_AND_REFERENCE = security.Backoff("case-check", free=5)


# --- check my case ---------------------------------------------------------------------


def normalise_reference(text: str) -> str:
    return "".join(text.split()).upper()[:20]


async def open_case(reference_text: str, code_text: str, address: str, now: datetime) -> dict:
    """The case these credentials open; a wrong code counts against the reference (from
    this address). A wrong code and an unknown reference get the same answer, so neither
    is revealed."""
    reference = normalise_reference(reference_text)
    code = services.normalise_receipt_code(code_text)
    errors = {}
    if not reference:
        errors["reference"] = _("Give the case reference from your receipt.")
    if not code:
        errors["code"] = _("Give the receipt code from your receipt.")
    if errors:
        raise FormErrors(errors)
    pair = f"{security.address_key(address)} {reference}"
    try:
        tried = await security.attempt([(CHECK_PER_ADDRESS_AND_REFERENCE, pair)], now)
    except security.TooSoon as error:
        raise Throttled(f"{_('Too many wrong codes.')} {security.wait_text(error.wait)}") from None
    row = (
        await Complaint.select(Complaint.id, Complaint.receipt_hash)
        .where(Complaint.reference == reference)
        .first()
    )
    # Compare against a dummy when the reference is unknown: the same work either way.
    stored = row["receipt_hash"] if row else services.receipt_hash("0" * services.RECEIPT_DIGITS)
    if row is None or not hmac.compare_digest(stored, services.receipt_hash(code)):
        raise FormErrors(
            {
                "code": _(
                    "This reference and receipt code do not match a case. Check both and try again."
                )
            }
        )
    await tried.forget()  # a right code is no failure
    return row


def case_cookie_value(row: dict[str, Any]) -> str:
    """The complainant's short session: the case id and a fingerprint of the case's
    receipt hash (a changed code ends it), signed with the time it was opened."""
    return security.cookie_serializer("my-case").dumps([row["id"], row["receipt_hash"][:16]])


async def case_from_cookie(value: str | None) -> int | None:
    """The id of the case the cookie opens, or None (missing, expired, forged)."""
    try:
        payload = security.cookie_serializer("my-case").loads(
            value or "", max_age=int(CASE_SESSION.total_seconds())
        )
    except BadData:
        return None
    match payload:  # signed by us, yet checked: an id the database can hold, a fingerprint
        case [int(complaint_id), str(fingerprint)] if 1 <= complaint_id <= MAX_ID:
            pass
        case _:
            return None
    row = await Complaint.select(Complaint.receipt_hash).where(Complaint.id == complaint_id).first()
    if row is None or row["receipt_hash"][:16] != fingerprint:
        return None
    return complaint_id


# --- the case as the complainant (or their partner) sees it ----------------------------

_COMPLAINANT = list(access.AUDIENCES["complainant"])


async def case_view(complaint_id: int) -> dict[str, Any]:
    """The case's status, public timeline and files, for the complainant's side."""
    complaint = or_404(
        await Complaint.select(
            *Complaint.all_columns(),
            Complaint.agency.name_en.as_alias("agency_name_en"),
            Complaint.agency.name_km.as_alias("agency_name_km"),
        )
        .where(Complaint.id == complaint_id)
        .first()
    )
    complaint["status_label"] = Status(complaint["status"]).label
    events = (
        await CaseEvent.select(
            CaseEvent.id,
            CaseEvent.at,
            CaseEvent.kind,
            CaseEvent.body,
            CaseEvent.to_status,
            CaseEvent.by_complainant,
        )
        .where((CaseEvent.complaint == complaint_id) & CaseEvent.audience.is_in(_COMPLAINANT))
        .order_by(CaseEvent.at)
        .order_by(CaseEvent.id)
    )
    files = (
        await CaseFile.select(
            CaseFile.id, CaseFile.event, CaseFile.filename, CaseFile.size, CaseFile.uploaded_at
        )
        .where((CaseFile.complaint == complaint_id) & CaseFile.audience.is_in(_COMPLAINANT))
        .order_by(CaseFile.id)
    )
    loose = services.files_on_timeline(events, files)
    for event in events:
        event["what"] = _timeline_text(event)
    return {"complaint": complaint, "events": events, "loose_files": loose}


def _timeline_text(event: dict[str, Any]) -> str:
    kind = event["kind"]
    if kind == "filed":
        return _("Complaint received")
    if kind in ("status_changed", "reopened") and event["to_status"]:
        label = Status.label_of(event["to_status"])
        if kind == "reopened":
            return _("Case reopened: %(status)s") % {"status": label}
        return _("Status: %(status)s") % {"status": label}
    if event["by_complainant"]:
        return _("Your message")
    if event["body"]:
        return _("Message from the case officer")
    return _("Case updated")


async def case_file(complaint_id: int, file_id: int) -> dict[str, Any]:
    """A file of this case that the complainant's side may read, or NotFound."""
    return or_404(
        await CaseFile.select(CaseFile.stored_name, CaseFile.filename, CaseFile.content_type)
        .where(
            (CaseFile.id == file_id)
            & (CaseFile.complaint == complaint_id)
            & CaseFile.audience.is_in(_COMPLAINANT)
        )
        .first()
    )


async def reply(
    complaint_id: int, text: str, files: list[uploads.Upload], now: datetime, actor: Any = None
) -> None:
    """A message (and files) from the complainant, or their partner, to the case officer;
    restarts the case's clock if it was waiting on them. The text comes from ReplyForm."""
    errors = {}
    if not text and not files:
        errors["body"] = _("Write a message or attach a file.")
    complaint = or_404(await Complaint.select().where(Complaint.id == complaint_id).first())
    try:
        checked = await uploads.check(files, "attachments")
    except DomainError as error:
        errors["attachments"] = error.message
        checked = []
    if errors:
        raise FormErrors(errors)
    async with uploads.staged(checked) as staged, db.transaction():
        event_id = await services.add_event(
            complaint_id,
            "reply",
            Audience.complainant,
            now,
            actor,
            body=text,
            by_complainant=True,
        )
        if staged.files:
            await services.attach_files(
                complaint_id, event_id, Audience.complainant, staged.files, now
            )
        if complaint["paused_since"] is not None:
            await services.resume(complaint, now)
        await Complaint.update({Complaint.updated_at: now}).where(Complaint.id == complaint_id)
        await audit.record(actor, "complaint.replied", "complaint", complaint["reference"])
        resumed = complaint["paused_since"] is not None and complaint["is_open"]
        await notices.complainant_wrote(complaint_id, event_id, resumed, now)


_GROUNDS = {ground.value for ground in Ground}


async def case_details(complaint_id: int) -> dict[str, Any]:
    """The workers and grounds of a case (the partner's page shows what they filed)."""
    workers = await ComplaintWorker.select().where(ComplaintWorker.complaint == complaint_id)
    grounds = await ComplaintGround.select(ComplaintGround.ground).where(
        ComplaintGround.complaint == complaint_id
    )
    labels = [Ground.label_of(row["ground"]) for row in grounds if row["ground"] in _GROUNDS]
    return {"workers": workers, "grounds": labels}
