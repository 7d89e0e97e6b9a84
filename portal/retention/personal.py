"""THE list of where complainants' and workers' personal data is kept, and what each
column becomes once anonymised. A new column holding such data (an ID or passport number,
a broker's name) is added here, and retention, early anonymisation and the complainant's
export all follow it.

What the figures count (dates, status, agency, province, destination, sector, channel,
grounds, outcome, compensation, and each worker's sex, age band, disability) is not
personal here: it stays, so the reports read the same before and after."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from portal.audit.actions import Action
from portal.complaints.tables import CaseEvent, CaseFile, CaseReferral, Complaint, ComplaintWorker
from portal.notifications.tables import OutboxMessage, SmsMessage

# table → {column name: the value it is given}; every row of an anonymised complaint.
PERSONAL: dict[type[Table], dict[str, Any]] = {
    Complaint: {
        "complainant_name": "",
        "name_key": "",
        "phone": "",
        "email": "",
        "broker_name": "",  # a person, when the broker is not a licensed agency
        "subagent_name": "",
        "subagent_phone": "",
        "subagent_village": "",
        "description": "",
        "outcome_note": "",
        "allegation": "",  # the officer's words, which may name people
        "receipt_hash": "",  # the receipt code opens nothing any more
    },
    ComplaintWorker: {"name": "", "id_number": ""},
    CaseEvent: {"body": ""},  # messages, notes and corrected facts are free text
    CaseReferral: {"note": ""},
}

# The complaint's files go with its personal data: rows deleted, files removed.
FILES = CaseFile

# Audit entries on the complaint (by reference) whose summary quotes its facts, old and new.
AUDIT_SUMMARIES = (Action.complaint_facts_corrected.value,)

# The e-mails and texts sent (addresses, numbers, bodies): deleted this long after sending;
# those given up, this long after they were queued (the admins' outbox page shows them).
OUTBOXES = (OutboxMessage, SmsMessage)
SENT_KEPT = timedelta(days=30)
FAILED_KEPT = timedelta(days=90)


def complaint_column(table: type[Table]) -> Column:
    """The column that ties a row of `table` to its complaint."""
    return table.id if table is Complaint else table.complaint  # type: ignore[attr-defined]
