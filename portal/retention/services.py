"""The retention policy, anonymising what it says has expired (a daily job, or by hand),
and an admin's early anonymisation of one case on request."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal import clock, db, uploads
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.audit.tables import AuditEvent
from portal.complaints.tables import Complaint
from portal.errors import FormErrors
from portal.forms import too_long
from portal.i18n import gettext as _
from portal.notifications import lease
from portal.retention.personal import (
    AUDIT_SUMMARIES,
    FAILED_KEPT,
    FILES,
    OUTBOXES,
    PERSONAL,
    SENT_KEPT,
    complaint_column,
)
from portal.retention.tables import DEFAULT_YEARS, AnonymisedCase, RetentionPolicy

log = logging.getLogger("portal.retention")

MIN_YEARS, MAX_YEARS = 1, 50
BATCH = 200  # complaints anonymised per transaction
LEASE = "retention"  # one run at a time, whichever scheduler or command starts it


async def policy_years() -> int:
    """How many years after a case closes its personal data is kept."""
    row = await RetentionPolicy.select(RetentionPolicy.years).first()
    return row["years"] if row else DEFAULT_YEARS


async def set_policy(actor: Any, years: int) -> None:
    """Change the retention period (checked by RetentionForm); in the audit log."""
    before = await policy_years()
    async with db.transaction():
        await RetentionPolicy.delete(force=True)
        await RetentionPolicy.insert(
            RetentionPolicy(years=years, changed_at=clock.now(), changed_by=actor.id)
        )
        await audit.record(
            actor, Action.retention_changed.value, "retention", "", f"{before} → {years} years"
        )


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time `years` earlier (28 February for a 29th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


async def expired(now: datetime, years: int) -> list[int]:
    """The closed complaints whose personal data is past keeping and still there."""
    rows = await Complaint.select(Complaint.id).where(
        Complaint.is_open.eq(False)
        & (Complaint.closed_at < years_before(now, years))
        & Complaint.id.not_in(AnonymisedCase.select(AnonymisedCase.complaint))
    )
    return [row["id"] for row in rows]


async def _anonymise(
    ids: list[int],
    now: datetime,
    actor: Any = None,
    reason: str = "",
    audited: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Blank every personal column of these complaints and delete their files, in one
    transaction (with `audited`, given the number of files); returns the number of files
    removed (from disk once committed)."""
    async with db.transaction():
        for table, blanks in PERSONAL.items():
            values = {getattr(table, name): value for name, value in blanks.items()}
            await table.update(values).where(complaint_column(table).is_in(ids))
        references = Complaint.select(Complaint.reference).where(Complaint.id.is_in(ids))
        await AuditEvent.update({AuditEvent.summary: ""}).where(
            (AuditEvent.object_type == "complaint")
            & AuditEvent.object_id.is_in(references)
            & AuditEvent.action.is_in(list(AUDIT_SUMMARIES))
        )
        files = await FILES.delete().where(FILES.complaint.is_in(ids)).returning(FILES.stored_name)
        await AnonymisedCase.insert(
            *(
                AnonymisedCase(
                    complaint=i, at=now, actor=actor.id if actor else None, reason=reason
                )
                for i in ids
            )
        )
        if audited is not None:
            await audited(len(files))
    # After the commit: a crash before this leaves files no row lists, which the daily
    # sweep (uploads.sweep) removes.
    uploads.remove([row["stored_name"] for row in files])
    return len(files)


async def delete_old_messages(now: datetime) -> int:
    """Delete the outboxes' messages sent more than SENT_KEPT ago, and those given up
    and queued more than FAILED_KEPT ago; returns how many."""
    deleted = 0
    for table in OUTBOXES:
        gave_up = table.sent_at.is_null() & table.next_attempt_at.is_null()
        rows = (
            await table.delete()
            .where(
                (table.sent_at < now - SENT_KEPT)
                | (gave_up & (table.created_at < now - FAILED_KEPT))
            )
            .returning(table.id)
        )
        deleted += len(rows)
    return deleted


@dataclass(frozen=True)
class RunReport:
    years: int
    complaints: int
    files: int
    messages: int = 0

    def __str__(self) -> str:
        return (
            f"{self.complaints} closed complaints older than {self.years} years anonymised,"
            f" {self.files} files removed, {self.messages} old e-mails and texts deleted"
        )


async def anonymise_expired(now: datetime | None = None) -> RunReport:
    """Anonymise every complaint the policy says has expired, in batches, and delete the
    outboxes' old messages; safe to run any number of times (what is done is skipped). Logged, and in the audit log when it did
    anything."""
    now = now or clock.now()
    years = await policy_years()
    ids = await expired(now, years)
    files = 0
    for start in range(0, len(ids), BATCH):
        files += await _anonymise(ids[start : start + BATCH], now)
    report = RunReport(years, len(ids), files, await delete_old_messages(now))
    if ids or report.messages:
        await audit.record(None, Action.retention_run.value, "retention", "", str(report))
    log.info("retention: %s", report)
    return report


async def scheduled_run(holder: str) -> RunReport | None:
    """The daily job: one run across every scheduler (the one that takes the lease)."""
    now = clock.now()
    if not await lease.hold(holder, now, name=LEASE):
        return None
    return await anonymise_expired(now)


async def find_by_reference(reference: str) -> dict[str, Any] | None:
    return (
        await Complaint.select(Complaint.id, Complaint.reference)
        .where(Complaint.reference == reference.strip().upper()[:20])
        .first()
    )


async def anonymise_on_request(actor: Any, reference: str, reason: str) -> str:
    """Anonymise one case now, at the complainant's request (RequestForm checks the
    confirmation); returns its reference."""
    errors = too_long({"reason": reason}, {"reason": 2000})
    if not reason.strip():
        errors["reason"] = _("Say why the case is anonymised early (the request).")
    case = await find_by_reference(reference)
    if case is None:
        errors["reference"] = _("No case has this reference.")
    elif await AnonymisedCase.exists().where(AnonymisedCase.complaint == case["id"]):
        errors["reference"] = _("This case has already been anonymised.")
    if errors or case is None:
        raise FormErrors(errors)
    reference = case["reference"]

    async def audited(files: int) -> None:
        summary = f"{reason.strip()} ({files} files removed)"
        await audit.record(
            actor, Action.complaint_anonymised.value, "complaint", reference, summary
        )

    await _anonymise([case["id"]], clock.now(), actor, reason.strip(), audited)
    return reference


async def anonymised_count() -> int:
    return await AnonymisedCase.count()
