"""Everything the portal holds about one complainant, from their case reference, as one
JSON file an admin can hand over (a subject access request)."""

from __future__ import annotations

import json
from typing import Any

from portal import clock
from portal.audit import services as audit
from portal.audit.actions import Action
from portal.complaints.tables import (
    CaseEvent,
    CaseFile,
    Complaint,
    ComplaintGround,
    ComplaintWorker,
)
from portal.errors import FormErrors
from portal.i18n import gettext as _
from portal.retention.tables import AnonymisedCase

# Keys and hashes, not data about the person: they would only help someone forge access.
_SECRETS = {"receipt_hash", "form_token_hash", "name_key"}


def _plain(rows: list[dict[str, Any]], leave_out: set[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in leave_out} for row in rows]


async def complainant_file(actor: Any, reference: str) -> tuple[str, bytes]:
    """The file name and content (JSON, UTF-8) of everything held about the complainant
    of this case: the complaint, its workers, grounds, timeline (every audience) and the
    list of its files; the download is in the audit log."""
    reference = reference.strip().upper()[:20]
    complaint = (
        await Complaint.select(
            *Complaint.all_columns(exclude=[getattr(Complaint, s) for s in _SECRETS]),
            Complaint.agency.name_en.as_alias("agency_name"),
            Complaint.agency.licence_number.as_alias("agency_licence"),
            Complaint.organisation.name.as_alias("organisation_name"),
        )
        .where(Complaint.reference == reference)
        .first()
    )
    if complaint is None:
        raise FormErrors({"export_reference": _("No case has this reference.")})
    key = complaint["id"]
    content = {
        "produced_at": clock.now(),
        "complaint": complaint,
        "workers": _plain(
            await ComplaintWorker.select().where(ComplaintWorker.complaint == key), {"complaint"}
        ),
        "grounds": [
            row["ground"]
            for row in await ComplaintGround.select(ComplaintGround.ground).where(
                ComplaintGround.complaint == key
            )
        ],
        "timeline": _plain(
            await CaseEvent.select().where(CaseEvent.complaint == key).order_by(CaseEvent.id),
            {"complaint"},
        ),
        "files": _plain(
            await CaseFile.select().where(CaseFile.complaint == key).order_by(CaseFile.id),
            {"complaint", "stored_name"},
        ),
        "anonymised": await AnonymisedCase.select(AnonymisedCase.at, AnonymisedCase.reason)
        .where(AnonymisedCase.complaint == key)
        .first(),
    }
    await audit.record(actor, Action.complaint_data_exported.value, "complaint", reference)
    text = json.dumps(content, ensure_ascii=False, indent=2, default=str)
    return f"complainant-{reference}.json", text.encode("utf-8")
