"""The retention policy and the record of each case anonymised (so a run never does one
twice, and an officer can tell an anonymised case from an empty one)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz
from piccolo.table import Table

from portal.accounts.tables import User
from portal.complaints.tables import Complaint

DEFAULT_YEARS = 5


class RetentionPolicy(Table):
    """How long complainants' and workers' personal data (and the case's files) are kept
    after a case closes. One row, set by admins; none means the default."""

    id: Serial
    years = Integer(default=DEFAULT_YEARS)
    changed_at = Timestamptz()
    changed_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)


class AnonymisedCase(Table):
    """A complaint whose personal data has been removed: by the policy (no actor) or early,
    on request (the admin and their reason)."""

    id: Serial
    complaint = ForeignKey(references=Complaint, on_delete=OnDelete.cascade, unique=True)
    at = Timestamptz()
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True)
    reason = Text(default="")
